package scenarios

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Bounds of a forecast file: the calls of one row, the queues, and the
// intervals of the week over all queues.
const (
	MaxForecastCalls  = 1e9
	MaxForecastQueues = 1000
	MaxForecastCells  = 4_000_000
)

// Forecast holds call volumes read from a WFM forecast export: for each
// queue, the arrival rate (calls per second) in every interval of the week,
// Monday 00:00 first.
type Forecast map[string][]float64

// forecastColumns are the accepted header names of each column.
var forecastColumns = map[string][]string{
	"start": {"interval_start", "start", "interval", "time", "datetime", "date_time"},
	"queue": {"queue", "queue_name", "skill", "split", "call_type"},
	"calls": {"calls", "offered", "volume", "contacts", "calls_offered"},
}

// ParseForecast reads a forecast CSV: a header row, then one row per
// interval and queue with the interval's start and its number of calls.
// The start is a time of day ("08:30": every day), a weekday and a time
// ("mon 08:30") or a date and time ("2026-11-23 08:30", RFC 3339 too; the
// date gives the weekday, and several weeks are averaged). The queue column
// may be left out when the file holds one queue (its rows then belong to
// every queue that reads the file, under the key ""). Intervals the file
// does not mention have no calls.
func ParseForecast(name string, r io.Reader, interval time.Duration) (Forecast, error) {
	if interval <= 0 || (24*time.Hour)%interval != 0 {
		return nil, fmt.Errorf("%s: interval %v must divide 24h", name, interval)
	}
	perDay := int((24 * time.Hour) / interval)
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty forecast file (hint: the first row names the columns: interval_start,queue,calls)", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{"queue": -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for key, names := range forecastColumns {
			for _, n := range names {
				if h == n {
					col[key] = i
				}
			}
		}
	}
	for _, key := range []string{"start", "calls"} {
		if _, ok := col[key]; !ok {
			return nil, fmt.Errorf("%s:1: no %s column in the header %q (hint: name the columns interval_start,queue,calls)", name, key, strings.Join(header, ","))
		}
	}
	type acc struct {
		sum   []float64
		weeks map[int]map[string]bool // week slot -> distinct dates seen
	}
	accs := map[string]*acc{}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(key string) string {
			if i := col[key]; i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		q := get("queue")
		calls, err := strconv.ParseFloat(get("calls"), 64)
		if err != nil || !(calls >= 0) || math.IsInf(calls, 0) {
			return nil, fmt.Errorf("%s:%d: calls must be a number >= 0, got %q", name, line, get("calls"))
		}
		if calls > MaxForecastCalls {
			return nil, fmt.Errorf("%s:%d: calls %s: at most %g calls an interval", name, line, get("calls"), float64(MaxForecastCalls))
		}
		days, tod, date, err := parseForecastStart(get("start"))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v (hint: write 08:30, mon 08:30 or 2026-11-23 08:30)", name, line, err)
		}
		if tod%interval != 0 {
			return nil, fmt.Errorf("%s:%d: %s does not start a %v interval", name, line, get("start"), interval)
		}
		slot := int(tod / interval)
		a := accs[q]
		if a == nil {
			if len(accs) >= MaxForecastQueues || (len(accs)+1)*7*perDay > MaxForecastCells {
				return nil, fmt.Errorf("%s:%d: queue %q: the forecast holds more queues than the %d (%s intervals of the week each) it may hold",
					name, line, q, min(MaxForecastQueues, MaxForecastCells/(7*perDay)), count(int64(7*perDay)))
			}
			a = &acc{sum: make([]float64, 7*perDay), weeks: map[int]map[string]bool{}}
			accs[q] = a
		}
		for _, d := range days {
			i := d*perDay + slot
			a.sum[i] += calls
			if math.IsInf(a.sum[i], 0) {
				return nil, fmt.Errorf("%s:%d: calls %q: the interval's total is too large", name, line, get("calls"))
			}
			if a.weeks[i] == nil {
				a.weeks[i] = map[string]bool{}
			}
			a.weeks[i][date] = true
		}
	}
	if len(accs) == 0 {
		return nil, fmt.Errorf("%s: the forecast has a header but no rows", name)
	}
	out := Forecast{}
	for q, a := range accs {
		rates := make([]float64, len(a.sum))
		for i, s := range a.sum {
			if n := len(a.weeks[i]); n > 0 {
				rates[i] = s / float64(n) / interval.Seconds()
			}
		}
		out[q] = rates
	}
	return out, nil
}

var forecastDays = map[string]int{"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
	"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}

// parseForecastStart returns the weekdays a start applies to, its time of
// day, and a key telling one date from another (for averaging over weeks).
func parseForecastStart(s string) (days []int, tod time.Duration, date string, err error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, e := time.Parse(layout, s); e == nil {
			wd := (int(t.Weekday()) + 6) % 7 // Monday first
			return []int{wd}, time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, t.Format("2006-01-02"), nil
		}
	}
	fields := strings.Fields(strings.ToLower(s))
	days = []int{0, 1, 2, 3, 4, 5, 6}
	if len(fields) == 2 {
		d, ok := forecastDays[fields[0]]
		if !ok {
			return nil, 0, "", fmt.Errorf("unknown day %q", fields[0])
		}
		days = []int{d}
		fields = fields[1:]
	}
	if len(fields) != 1 {
		return nil, 0, "", fmt.Errorf("cannot read the interval start %q", s)
	}
	h, m, ok := strings.Cut(fields[0], ":")
	hh, e1 := strconv.Atoi(h)
	mm, e2 := strconv.Atoi(strings.SplitN(m, ":", 2)[0])
	if !ok || e1 != nil || e2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return nil, 0, "", fmt.Errorf("cannot read the time in %q", s)
	}
	return days, time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, "", nil
}
