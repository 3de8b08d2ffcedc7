package jsonout

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

type inner struct {
	X float64 `json:"x"`
}

type outer struct {
	A     float64            `json:"a"`
	B     *inner             `json:"b"`
	C     []inner            `json:"c"`
	M     map[string]float64 `json:"m"`
	S     map[string]inner   `json:"s"`
	I     any                `json:"i"`
	F32   float32            `json:"f32"`
	OK    float64            `json:"ok"`
	Omit  float64            `json:"omit,omitempty"`
	plain float64
}

func TestMarshalIndentNonFinite(t *testing.T) {
	v := &outer{A: math.Inf(1), B: &inner{math.NaN()}, C: []inner{{1}, {math.Inf(-1)}},
		M: map[string]float64{"inf": math.Inf(1), "one": 1}, S: map[string]inner{"nan": {math.NaN()}},
		I: inner{math.Inf(1)}, F32: float32(math.Inf(1)), OK: 2.5, Omit: math.NaN(), plain: math.NaN()}
	if _, err := json.Marshal(v); err == nil {
		t.Fatal("encoding/json accepted NaN: the test guards nothing")
	}
	b, err := MarshalIndent(v)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b)
	}
	want := `{"a":null,"b":{"x":null},"c":[{"x":1},{"x":null}],"m":{"inf":null,"one":1},"s":{"nan":{"x":null}},"i":{"x":null},"f32":null,"ok":2.5,"omit":null}`
	got, _ := json.Marshal(back)
	var w map[string]any
	_ = json.Unmarshal([]byte(want), &w)
	wb, _ := json.Marshal(w)
	if string(got) != string(wb) {
		t.Errorf("got  %s\nwant %s", got, wb)
	}
	// v is left as it was.
	if !math.IsInf(v.A, 1) || !math.IsNaN(v.B.X) || !math.IsInf(v.C[1].X, -1) || !math.IsInf(v.M["inf"], 1) ||
		!math.IsNaN(v.S["nan"].X) || !math.IsInf(v.I.(inner).X, 1) || !math.IsNaN(v.Omit) {
		t.Errorf("v changed: %+v", v)
	}
	if strings.Contains(string(b), strings.TrimPrefix(string(sentinelText), "-")) {
		t.Errorf("sentinel left in the output:\n%s", b)
	}
}

func TestMarshalIndentFinite(t *testing.T) {
	v := outer{A: 1, C: []inner{{2}}}
	b, err := MarshalIndent(v)
	want, _ := json.MarshalIndent(v, "", "  ")
	if err != nil || string(b) != string(want) {
		t.Errorf("got %s, %v; want encoding/json's %s", b, err, want)
	}
	// Other errors are passed on.
	if _, err := MarshalIndent(map[string]any{"c": make(chan int)}); err == nil {
		t.Error("a channel encoded")
	}
}
