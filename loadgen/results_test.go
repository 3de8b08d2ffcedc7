package loadgen

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/media"
)

// TestSettingsMirrorConfig: a result's Settings hold every serialised field
// of Config, in the same order, with the same type and JSON name, and
// Config.Settings copies each of them: a field added to Config and not to
// Settings (or not copied) fails here.
func TestSettingsMirrorConfig(t *testing.T) {
	ct, st := reflect.TypeOf(Config{}), reflect.TypeOf(Settings{})
	var want []reflect.StructField
	for i := range ct.NumField() {
		f := ct.Field(i)
		if tag := f.Tag.Get("json"); tag != "-" {
			want = append(want, f)
		}
	}
	if st.NumField() != len(want) {
		t.Fatalf("Settings has %d fields, Config serialises %d", st.NumField(), len(want))
	}
	for i, f := range want {
		g := st.Field(i)
		if g.Name != f.Name || g.Type != f.Type || g.Tag.Get("json") != f.Tag.Get("json") {
			t.Errorf("field %d: Settings has %s %v `%s`, Config %s %v `%s`", i, g.Name, g.Type, g.Tag, f.Name, f.Type, f.Tag)
		}
	}

	// Every serialised field set to a value other than its zero: the JSON
	// of the Config and of its Settings must be the same.
	var c Config
	v := reflect.ValueOf(&c).Elem()
	for _, f := range want {
		fv := v.FieldByIndex(f.Index)
		switch fv.Kind() {
		case reflect.String:
			fv.SetString("x-" + strings.ToLower(f.Name))
		case reflect.Bool:
			fv.SetBool(true)
		case reflect.Int, reflect.Int64:
			fv.SetInt(int64(len(f.Name)) + int64(time.Second))
		case reflect.Uint64:
			fv.SetUint(uint64(len(f.Name)) + 7)
		case reflect.Float64:
			fv.SetFloat(float64(len(f.Name)) + 0.5)
		case reflect.Slice:
			fv.Set(reflect.ValueOf([]Stage{{Duration: time.Minute, Target: 3}}))
		case reflect.Struct:
			switch fv.Interface().(type) {
			case Dist:
				fv.Set(reflect.ValueOf(Dist{Kind: DistExp, Mean: time.Duration(len(f.Name)) * time.Second}))
			default:
				fv.Field(0).SetInt(2)
				fv.Field(1).SetInt(3)
			}
		default:
			t.Fatalf("field %s of kind %v: teach the test to set it", f.Name, fv.Kind())
		}
		if fv.IsZero() {
			t.Fatalf("field %s still zero", f.Name)
		}
	}
	a, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c.Settings())
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("Config and its Settings differ in JSON:\n%s\n%s", a, b)
	}
}

// TestCallRecordCDR: a call record's CDR line carries every column,
// media included, in the CDR's units.
func TestCallRecordCDR(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	r := CallRecord{CallID: "c1", IntendedStart: at, ActualStart: at.Add(time.Millisecond), SRD: 40 * time.Millisecond,
		AnswerDelay: 1500 * time.Millisecond, Duration: 30*time.Second + 1, FinalStatus: 200, Outcome: OutcomeCompleted,
		HangupBy: "caller", From: "u1", To: "sip:q@127.0.0.1",
		Media: &media.Stats{Sent: 1500, Received: 1499, LossPct: 0.0667, JitterMs: 1.5, MaxGap: 60 * time.Millisecond, MOS: 4.3}}
	got := r.CDR()
	want := "c1,2026-11-23T08:00:00Z,2026-11-23T08:00:00.001Z,40.000,1500.000,30000.000,200,completed,caller,1500,1499,0.067,1.500,60.0,4.30,u1,sip:q@127.0.0.1"
	if s := strings.Join(got.Fields(), ","); s != want {
		t.Fatalf("CDR line\n got %s\nwant %s", s, want)
	}
}
