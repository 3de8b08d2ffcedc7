package scenarios

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// weekHeadcounts decodes agents_by_interval written per day: a mapping
// from days (mon .. sun, weekdays, weekend) to lists of counts, every day
// given exactly once and every list of the same length. The result is the
// week, Monday first: 7 x the length of one list.
func (d *decoder) weekHeadcounts(n *yaml.Node, path string) []int {
	const hint = "write {weekdays: [...], sat: [...], sun: [...]}: one list per day, each with a count per interval"
	var perDay [7][]int
	var given [7]string
	length, lengthKey := -1, ""
	good := true
	for _, e := range d.entries(n, path, 0) {
		k := e.key
		if k.Kind != yaml.ScalarNode {
			d.notef(k, path, hint, "keys must be days such as mon or weekdays")
			good = false
			continue
		}
		var days []int
		switch name := strings.ToLower(k.Value); name {
		case "weekdays":
			days = []int{0, 1, 2, 3, 4}
		case "weekend":
			days = []int{5, 6}
		default:
			for i, w := range weekdayNames {
				if name == w {
					days = []int{i}
				}
			}
		}
		if days == nil {
			d.notef(k, path, didYouMean(k.Value, append(weekdayNames, "weekdays", "weekend"), "days"), "unknown day %q", k.Value)
			good = false
			continue
		}
		p := join(path, k.Value)
		counts := []int{}
		d.list(resolve(e.value), p, "a list of agent counts", "give one count per interval of the day, or 24, one per hour", func(_ int, it *yaml.Node, ip string) {
			v, ok := d.integer(it, ip)
			if ok && v < 0 {
				d.errorf(it, ip, "", "must be >= 0, got %d", v)
			}
			counts = append(counts, v)
		})
		switch {
		case length < 0:
			length, lengthKey = len(counts), k.Value
		case len(counts) != length:
			d.errorf(k, p, "give every day the same number of counts", "%d counts, but %s has %d", len(counts), lengthKey, length)
			good = false
		}
		for _, i := range days {
			if given[i] != "" {
				d.errorf(k, p, "give each day once", "%s is already given by %s", weekdayNames[i], given[i])
				good = false
			}
			given[i], perDay[i] = k.Value, counts
		}
	}
	var missing []string
	for i, g := range given {
		if g == "" {
			missing = append(missing, weekdayNames[i])
		}
	}
	if len(missing) > 0 {
		d.errorf(n, path, hint, "no counts for %s", strings.Join(missing, ", "))
		return []int{}
	}
	if !good {
		return []int{}
	}
	out := make([]int, 0, 7*length)
	for _, c := range perDay {
		out = append(out, c...)
	}
	return out
}

// headcountsValid reports whether n counts suit agents_by_interval with
// perDay intervals a day: one day or a week of them, each either one
// count per interval or 24 hourly counts.
func headcountsValid(n, perDay int) bool {
	hourly := perDay%24 == 0
	return n == perDay || n == 7*perDay || (hourly && (n == 24 || n == 7*24))
}

// validateHours checks a group's hours.
func (v *validator) validateHours(gp string, g *Group) {
	h := g.Hours
	if h == nil {
		return
	}
	switch {
	case h.From == h.To:
		v.errorf(gp+".hours", "for every hour of the day leave hours out, or write from: \"00:00\", to: \"24:00\"", "from equals to (%v): the group would never take calls", h.From)
	case h.Days == ([7]bool{}):
		v.errorf(gp+".hours.days", "", "no days given")
	case len(g.Shifts) > 0:
		v.errorf(gp+".hours", "remove hours: the shifts say when the group works", "hours cannot be combined with shifts")
	}
}

// InHours reports whether time of week t (seconds from Monday 00:00)
// lies within the hours h (nil: always).
func (h *OpenHours) InHours(t float64) bool {
	if h == nil {
		return true
	}
	const day = 86400.0
	d := int64(t / day)
	tod := t - float64(d)*day
	from, to := h.From.Seconds(), h.To.Seconds()
	if from <= to {
		return h.Days[d%7] && tod >= from && tod < to
	}
	return (h.Days[d%7] && tod >= from) || (h.Days[(d+6)%7] && tod < to)
}

// Length is the length of one window of the hours.
func (h *OpenHours) Length() time.Duration {
	if h.From < h.To {
		return h.To - h.From
	}
	return 24*time.Hour - h.From + h.To
}

// String writes the hours as 20:00-08:00 (and the days when not every day).
func (h *OpenHours) String() string {
	s := fmt.Sprintf("%s-%s", clockText(h.From), clockText(h.To))
	if h.Days != allDays {
		var ds []string
		for i, on := range h.Days {
			if on {
				ds = append(ds, weekdayNames[i])
			}
		}
		s += " " + strings.Join(ds, ",")
	}
	return s
}
