package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a scenario: where it is and what is wrong.
type Error struct {
	File string // the name given to Parse, or the path given to Load
	Line int    // 1-based; 0 if unknown
	Col  int    // 1-based; 0 if unknown
	Path string // the key path, e.g. queues[0].handle_time.mean; "" for the whole file
	Msg  string // what is wrong
	Hint string // how to fix it; may be ""
}

// Error formats the problem as file:line:col: path: msg (hint: hint).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (hint: ")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// ErrorList holds every problem found in one scenario, in file order. Parse,
// Load and Validate return a *ErrorList; use errors.As to get at it.
type ErrorList struct {
	Errors []*Error
}

// maxErrors bounds how many problems one ErrorList keeps.
const maxErrors = 100

// Error prints every problem, one per line.
func (l *ErrorList) Error() string {
	lines := make([]string, 0, len(l.Errors))
	for _, e := range l.Errors {
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual problems, so errors.As finds an *Error.
func (l *ErrorList) Unwrap() []error {
	errs := make([]error, len(l.Errors))
	for i, e := range l.Errors {
		errs[i] = e
	}
	return errs
}

// Len is the number of problems.
func (l *ErrorList) Len() int { return len(l.Errors) }

func (l *ErrorList) add(e *Error) {
	switch {
	case len(l.Errors) < maxErrors:
		l.Errors = append(l.Errors, e)
	case len(l.Errors) == maxErrors:
		l.Errors = append(l.Errors, &Error{File: e.File, Msg: "too many errors, giving up"})
	}
}

// sort orders the problems by position; problems without one come first.
func (l *ErrorList) sort() {
	sort.SliceStable(l.Errors, func(i, j int) bool {
		a, b := l.Errors[i], l.Errors[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// err returns l as an error, or nil if it holds no problem.
func (l *ErrorList) err() error {
	if len(l.Errors) == 0 {
		return nil
	}
	return l
}

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns the candidate nearest to s, or "" if none is near enough
// to be a plausible typo.
func closest(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := levenshtein(ls, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 {
		return ""
	}
	limit := max(2, len([]rune(s))/3)
	if bestD > limit || bestD >= len([]rune(best)) {
		return ""
	}
	return best
}

// didYouMean is a hint suggesting the candidate nearest to s, or listing
// them all when none is near.
func didYouMean(s string, candidates []string, what string) string {
	if c := closest(s, candidates); c != "" {
		return fmt.Sprintf("did you mean %q?", c)
	}
	if len(candidates) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %s", what, strings.Join(candidates, ", "))
}

// dedupe drops problems identical to the one before (the list is sorted).
func (l *ErrorList) dedupe() {
	out := l.Errors[:0]
	for _, e := range l.Errors {
		if len(out) > 0 && *e == *out[len(out)-1] {
			continue
		}
		out = append(out, e)
	}
	l.Errors = out
}
