package jsonout

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strconv"
)

// sentinel stands in for a non-finite number while v is encoded; its text
// is then replaced by null. No result holds this exact value.
const sentinel = -1.2345678901234567e+307

// sentinel32 stands in for a non-finite float32.
const sentinel32 = -1.2345678e+37

var (
	sentinelText   = []byte(strconv.FormatFloat(sentinel, 'g', -1, 64))
	sentinel32Text = []byte(strconv.FormatFloat(float64(float32(sentinel32)), 'g', -1, 32))
)

// MarshalIndent is json.MarshalIndent(v, "", "  "), except that NaN and
// ±Inf anywhere in v are written as null instead of failing. v is left as
// it was.
func MarshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	var uv *json.UnsupportedValueError
	if err == nil || !errors.As(err, &uv) {
		return b, err
	}
	var restore []func()
	defer func() {
		for i := len(restore) - 1; i >= 0; i-- {
			restore[i]()
		}
	}()
	rv := reflect.ValueOf(v)
	w := walker{seen: map[uintptr]bool{}, restore: &restore}
	w.walk(rv)
	if len(restore) == 0 { // not a number at fault, or not reachable
		return nil, err
	}
	b, err2 := json.MarshalIndent(v, "", "  ")
	if err2 != nil {
		return nil, err
	}
	b = bytes.ReplaceAll(b, sentinelText, []byte("null"))
	return bytes.ReplaceAll(b, sentinel32Text, []byte("null")), nil
}

// Encode writes v to w as MarshalIndent does, with a final newline.
func Encode(w io.Writer, v any) error {
	b, err := MarshalIndent(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

type walker struct {
	seen    map[uintptr]bool
	restore *[]func()
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

// walk replaces every non-finite float reachable from v by the sentinel,
// recording how to put each back. Values it cannot set (inside an
// interface or a map) are copied, fixed and stored back.
func (w *walker) walk(v reflect.Value) bool {
	changed := false
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if bad(v.Float()) && v.CanSet() {
			old := v.Float()
			if v.Kind() == reflect.Float32 {
				v.SetFloat(sentinel32)
			} else {
				v.SetFloat(sentinel)
			}
			*w.restore = append(*w.restore, func() { v.SetFloat(old) })
			changed = true
		}
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return false
		}
		w.seen[v.Pointer()] = true
		changed = w.walk(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return false
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer {
			return w.walk(e)
		}
		if !v.CanSet() {
			return false
		}
		c := reflect.New(e.Type()).Elem()
		c.Set(e)
		if w.walk(c) {
			old := e
			v.Set(c)
			*w.restore = append(*w.restore, func() { v.Set(old) })
			changed = true
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				changed = w.walk(v.Field(i)) || changed
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return false
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			changed = w.walk(v.Index(i)) || changed
		}
	case reflect.Map:
		if v.IsNil() {
			return false
		}
		it := v.MapRange()
		type fix struct{ k, old, new reflect.Value }
		var fixes []fix
		for it.Next() {
			c := reflect.New(v.Type().Elem()).Elem()
			c.Set(it.Value())
			if w.walk(c) {
				fixes = append(fixes, fix{it.Key(), it.Value(), c})
			}
		}
		for _, f := range fixes {
			v.SetMapIndex(f.k, f.new)
			*w.restore = append(*w.restore, func() { v.SetMapIndex(f.k, f.old) })
			changed = true
		}
	}
	return changed
}
