// Package segment splits one test or one sweep into n execution segments
// that run as separate processes (or Kubernetes pods) with no coordinator:
// each instance computes its own share of the work from its segment i of n.
//
// Work given as a count (calls, callers, sweep points) is split exactly:
// segment i takes the items k with k mod n == i, so the first total mod n
// segments get one more. Random streams are derived from (seed, i), so no two
// segments repeat each other's random numbers, while a whole run (n = 1)
// keeps its seed unchanged.
//
// In a Kubernetes Indexed Job, each pod finds its index in the environment
// variable JOB_COMPLETION_INDEX (see FromEnv).
package segment

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IndexEnv is the environment variable of a Kubernetes Indexed Job that holds
// the pod's completion index.
const IndexEnv = "JOB_COMPLETION_INDEX"

// MaxCount bounds the number of segments.
const MaxCount = 100000

// Segment is segment Index (0-based) of Count. The zero value is the whole
// run (one segment of one).
type Segment struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Whole reports whether s is the whole run (not split).
func (s Segment) Whole() bool { return s.Count <= 1 }

// N is the number of segments (1 for the zero value).
func (s Segment) N() int {
	if s.Count < 1 {
		return 1
	}
	return s.Count
}

// String gives "i/n".
func (s Segment) String() string { return fmt.Sprintf("%d/%d", s.Index, s.N()) }

// Validate checks 0 <= Index < Count.
func (s Segment) Validate() error {
	if s.Count == 0 && s.Index == 0 {
		return nil
	}
	if s.Count < 1 || s.Count > MaxCount {
		return fmt.Errorf("segment %d/%d: the number of segments must be 1 to %d", s.Index, s.Count, MaxCount)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("segment %d/%d: the index must be 0 to %d (segments are numbered from 0)", s.Index, s.Count, s.Count-1)
	}
	return nil
}

// Parse reads "i/n", e.g. "0/4" (segments are numbered from 0).
func Parse(spec string) (Segment, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(spec), "/")
	if !ok {
		return Segment{}, fmt.Errorf("segment %q: want INDEX/COUNT with the index from 0, e.g. 0/4", spec)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if err1 != nil || err2 != nil {
		return Segment{}, fmt.Errorf("segment %q: want INDEX/COUNT as whole numbers, e.g. 0/4", spec)
	}
	s := Segment{Index: i, Count: n}
	if err := s.Validate(); err != nil {
		return Segment{}, err
	}
	return s, nil
}

// FromEnv builds segment i of count with i read from JOB_COMPLETION_INDEX
// through lookup (os.LookupEnv in a program).
func FromEnv(count int, lookup func(string) (string, bool)) (Segment, error) {
	v, ok := lookup(IndexEnv)
	if !ok || strings.TrimSpace(v) == "" {
		return Segment{}, fmt.Errorf("%d segments but $%s is not set: run as a Kubernetes Indexed Job, set it, or give --segment INDEX/COUNT", count, IndexEnv)
	}
	i, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return Segment{}, fmt.Errorf("$%s=%q: want a whole number from 0", IndexEnv, v)
	}
	s := Segment{Index: i, Count: count}
	if err := s.Validate(); err != nil {
		return Segment{}, fmt.Errorf("$%s: %w", IndexEnv, err)
	}
	return s, nil
}

// Owns reports whether item k (0-based) of the whole run belongs to s.
func (s Segment) Owns(k uint64) bool { return k%uint64(s.N()) == uint64(s.Index) }

// Global is the whole run's index of the segment's k-th item.
func (s Segment) Global(k uint64) uint64 { return k*uint64(s.N()) + uint64(s.Index) }

// Share is the number of the total items that s owns: total/n, plus one for
// the first total mod n segments.
func (s Segment) Share(total uint64) uint64 {
	n := uint64(s.N())
	q := total / n
	if uint64(s.Index) < total%n {
		q++
	}
	return q
}

// ShareInt is Share for an int.
func (s Segment) ShareInt(total int) int {
	if total <= 0 {
		return 0
	}
	return int(s.Share(uint64(total)))
}

// Seed derives the segment's seed from the run's: unchanged for the whole
// run, otherwise a SplitMix64 mix of (seed, index), so segments never share a
// random stream with each other or with the whole run.
func (s Segment) Seed(seed uint64) uint64 {
	if s.Whole() {
		return seed
	}
	z := seed ^ (0x9e3779b97f4a7c15 * (uint64(s.Index) + 1))
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// ParseStartAt reads a start time: RFC 3339 (2026-11-23T14:00:00Z) or an
// offset from now (+10s, +2m).
func ParseStartAt(spec string, now time.Time) (time.Time, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return time.Time{}, nil
	}
	if rest, ok := strings.CutPrefix(spec, "+"); ok {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return time.Time{}, fmt.Errorf("start time %q: want +DURATION (e.g. +30s) or RFC 3339 (e.g. 2026-11-23T14:00:00Z)", spec)
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, spec)
	if err != nil {
		return time.Time{}, fmt.Errorf("start time %q: want RFC 3339 (e.g. 2026-11-23T14:00:00Z) or +DURATION (e.g. +30s)", spec)
	}
	return t, nil
}

// WaitUntil blocks until t (at once when t is zero or past) or until ctx is
// done, whose error it returns.
func WaitUntil(ctx context.Context, t time.Time) error {
	if t.IsZero() {
		return ctx.Err()
	}
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting to start at %s: %w", t.Format(time.RFC3339), ctx.Err())
	}
}
