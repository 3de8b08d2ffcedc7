package reports

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/callsim/callsim/sim"
)

// Figure is one chart of a report: an inline SVG document with a caption.
type Figure struct {
	Title   string
	Caption string
	SVG     string
}

// ivAxis holds the x positions (hours of the day, at interval midpoints)
// of a result's intervals.
type ivAxis struct {
	mid, start, end []float64
	lo, hi          float64
}

func newIvAxis(r *sim.Result) ivAxis {
	starts := make([]int, len(r.Intervals))
	for i, iv := range r.Intervals {
		starts[i] = iv.StartSeconds
	}
	return ivAxisOf(starts, r.IntervalSeconds)
}

// ivAxisOf is the axis of intervals starting at starts (seconds into the
// day), each w seconds long (30 minutes when w is not positive).
func ivAxisOf(starts []int, w float64) ivAxis {
	var a ivAxis
	if w <= 0 {
		w = 1800
	}
	a.lo, a.hi = math.Inf(1), math.Inf(-1)
	for _, st := range starts {
		s := float64(st) / 3600
		e := (float64(st) + w) / 3600
		a.start = append(a.start, s)
		a.end = append(a.end, e)
		a.mid = append(a.mid, (s+e)/2)
		a.lo, a.hi = min(a.lo, s), max(a.hi, e)
	}
	return a
}

func (a ivAxis) apply(c *chart) {
	c.p.X.Min, c.p.X.Max = a.lo, a.hi
	c.p.X.Tick.Marker = hourTicks{}
}

// values extracts one value per interval; ok false gives a gap.
func values(r *sim.Result, f func(iv *sim.IntervalResult) (float64, bool)) []float64 {
	out := make([]float64, len(r.Intervals))
	for i := range r.Intervals {
		v, ok := f(&r.Intervals[i])
		if !ok {
			v = math.NaN()
		}
		out[i] = v
	}
	return out
}

// queueValues is values for queue qi.
func queueValues(r *sim.Result, qi int, f func(k *sim.CallKPIs) (float64, bool)) []float64 {
	return values(r, func(iv *sim.IntervalResult) (float64, bool) {
		if qi >= len(iv.Queues) {
			return 0, false
		}
		return f(&iv.Queues[qi].CallKPIs)
	})
}

func slOf(k *sim.CallKPIs) (float64, bool)  { return k.ServiceLevel, k.Offered > 0 }
func asaOf(k *sim.CallKPIs) (float64, bool) { return k.ASASeconds, k.Answered > 0 }
func qlenOf(k *sim.CallKPIs) (float64, bool) {
	return k.MeanQueueLength, true
}

// niceMax returns an upper axis bound a little above the largest finite
// value (at least floor).
func niceMax(floor float64, series ...[]float64) float64 {
	m := floor
	for _, s := range series {
		for _, v := range s {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				m = max(m, v)
			}
		}
	}
	return m * 1.08
}

// SimulateFigures draws the charts of a simulation result: service level,
// ASA, calls, occupancy, queue length, and agents against workload per
// interval of the day. A result without intervals has none.
func SimulateFigures(r *sim.Result) ([]Figure, error) {
	if len(r.Intervals) == 0 {
		return nil, nil
	}
	var figs []Figure
	add := func(title, caption string, c *chart) error {
		s, err := c.svg()
		if err != nil {
			return err
		}
		figs = append(figs, Figure{Title: title, Caption: caption, SVG: s})
		return nil
	}
	ax := newIvAxis(r)
	multi := len(r.Queues) > 1

	// Service level against target.
	c := newChart("Service level per interval", "time of day", "service level")
	ax.apply(c)
	c.p.Y.Min, c.p.Y.Max = 0, 1.02
	c.p.Y.Tick.Marker = pctTicks{}
	center := values(r, func(iv *sim.IntervalResult) (float64, bool) { return slOf(&iv.CallKPIs) })
	lo := values(r, func(iv *sim.IntervalResult) (float64, bool) {
		return max(0, iv.ServiceLevel-iv.ServiceLevelCI95), iv.Offered > 0
	})
	hi := values(r, func(iv *sim.IntervalResult) (float64, bool) {
		return min(1, iv.ServiceLevel+iv.ServiceLevelCI95), iv.Offered > 0
	})
	mainCol := colorAt(0)
	if multi {
		mainCol = colBlack
	}
	c.addBand(ax.mid, lo, hi, lighten(mainCol, 0.8))
	if multi {
		for qi, q := range r.Queues {
			c.addLine(q.Name, ax.mid, queueValues(r, qi, slOf), colorAt(qi), 1.5, nil)
		}
	}
	c.addLine(centerName(r), ax.mid, center, mainCol, 2, nil)
	c.addLegend("95% confidence band", boxThumb{lighten(mainCol, 0.8)})
	addTargets(c, r.Queues, ax, multi)
	c.p.Y.Min = slAxisMin(r.Queues, lo)
	if err := add("Service level", "Share of offered calls answered within the queue's threshold, per interval of the day (abandoned calls count as missed). Dashed: the target. Gaps: no calls offered.", c); err != nil {
		return nil, err
	}

	// ASA.
	c = newChart("Average speed of answer per interval", "time of day", "ASA (seconds)")
	ax.apply(c)
	c.p.Y.Min, c.p.Y.Max = 0, perQueueLines(c, r, ax.mid, multi, mainCol, asaOf, 1)
	c.p.Y.Tick.Marker = numTicks{}
	if err := add("Average speed of answer", "Mean wait of answered calls, zero waits included, per interval.", c); err != nil {
		return nil, err
	}

	// Offered, answered, abandoned.
	c = newChart("Calls per interval (mean per day)", "time of day", "calls")
	ax.apply(c)
	var bars rects
	offered := make([]float64, len(r.Intervals))
	ansCol, abCol := colorAt(0), colorAt(9)
	for i, iv := range r.Intervals {
		w := ax.end[i] - ax.start[i]
		x0, x1 := ax.start[i]+0.1*w, ax.end[i]-0.1*w
		bars = append(bars, rect{x0, x1, 0, iv.Answered, ansCol}, rect{x0, x1, iv.Answered, iv.Answered + iv.Abandoned, abCol})
		offered[i] = iv.Offered
	}
	c.p.Add(bars)
	c.addLegend("answered", boxThumb{ansCol})
	c.addLegend("abandoned", boxThumb{abCol})
	c.addLine("offered", ax.mid, offered, colBlack, 1.5, nil)
	c.p.Y.Min, c.p.Y.Max = 0, niceMax(1, offered)
	c.p.Y.Tick.Marker = numTicks{}
	if err := add("Offered, answered and abandoned calls", "Calls per interval, means per day: bars answered (blue) and abandoned (red) stacked, the line the calls offered.", c); err != nil {
		return nil, err
	}

	// Occupancy.
	c = newChart("Occupancy per interval", "time of day", "occupancy")
	ax.apply(c)
	c.p.Y.Min, c.p.Y.Max = 0, 1.02
	c.p.Y.Tick.Marker = pctTicks{}
	multiG := len(r.Groups) > 1
	if multiG {
		for gi, g := range r.Groups {
			c.addLine(g.Name, ax.mid, values(r, func(iv *sim.IntervalResult) (float64, bool) {
				if gi >= len(iv.Groups) {
					return 0, false
				}
				return iv.Groups[gi].Occupancy, iv.Groups[gi].StaffedAgents > 0
			}), colorAt(gi), 1.5, nil)
		}
	}
	occName := "all agents"
	if len(r.Groups) == 1 {
		occName = r.Groups[0].Name
	}
	occCol := colorAt(0)
	if multiG {
		occCol = colBlack
	}
	c.addLine(occName, ax.mid, values(r, func(iv *sim.IntervalResult) (float64, bool) {
		return iv.Occupancy, iv.StaffedAgents > 0
	}), occCol, 2, nil)
	if err := add("Occupancy", "Agent time busy with calls (talk and wrap-up) / agent time staffed, per interval. Gaps: nobody staffed.", c); err != nil {
		return nil, err
	}

	// Queue length.
	c = newChart("Mean queue length per interval", "time of day", "callers waiting")
	ax.apply(c)
	c.p.Y.Min, c.p.Y.Max = 0, perQueueLines(c, r, ax.mid, multi, mainCol, qlenOf, 0.5)
	c.p.Y.Tick.Marker = numTicks{}
	if err := add("Queue length", "Time-average number of callers waiting, per interval.", c); err != nil {
		return nil, err
	}

	// Agents against workload.
	c = newChart("Agents available and workload per interval", "time of day", "agents")
	ax.apply(c)
	var sx, sy, load []float64
	for i, iv := range r.Intervals {
		sx = append(sx, ax.start[i], ax.end[i])
		sy = append(sy, iv.StaffedAgents, iv.StaffedAgents)
		w := r.IntervalSeconds
		if w <= 0 {
			w = 1800
		}
		load = append(load, iv.Offered*iv.MeanHandleSeconds/w)
	}
	c.addLine("agents available", sx, sy, colorAt(2), 2, nil)
	c.addLine("workload (erlangs)", ax.mid, load, colorAt(1), 2, []vg.Length{5, 3})
	c.p.Y.Min, c.p.Y.Max = 0, niceMax(1, sy, load)
	c.p.Y.Tick.Marker = numTicks{}
	if err := add("Agents and workload", "Average agents available for calls (after breaks, shrinkage and outages) against the workload in erlangs (offered calls × mean handle time / interval length): the gap between them is the slack that keeps waits short.", c); err != nil {
		return nil, err
	}
	return figs, nil
}

// slAxisMin is the lower end of a service-level axis: a step of 10% below
// the lowest value and target, so that the lines near the target are not
// squeezed against 100%.
func slAxisMin(qs []sim.QueueResult, vals ...[]float64) float64 {
	m := 1.0
	for _, q := range qs {
		if q.TargetServiceLevel > 0 {
			m = min(m, q.TargetServiceLevel)
		}
	}
	for _, vs := range vals {
		for _, v := range vs {
			if !math.IsNaN(v) {
				m = min(m, v)
			}
		}
	}
	return max(0, math.Floor(m*10-0.5)/10)
}

// centerName names the line of the whole center: "all queues", or the
// queue's name when there is only one.
func centerName(r *sim.Result) string {
	if len(r.Queues) == 1 {
		return r.Queues[0].Name
	}
	return "all queues"
}

// addTargets draws the service-level targets as dashed horizontal lines:
// one red line when every queue shares the target, else one per queue in
// its colour.
func addTargets(c *chart, qs []sim.QueueResult, ax ivAxis, multi bool) {
	if len(qs) == 0 {
		return
	}
	same := true
	for _, q := range qs {
		same = same && q.TargetServiceLevel == qs[0].TargetServiceLevel && q.TargetWithinSeconds == qs[0].TargetWithinSeconds
	}
	xs := []float64{ax.lo, ax.hi}
	dash := []vg.Length{6, 3}
	if same || !multi {
		q := qs[0]
		if q.TargetServiceLevel > 0 {
			c.addLine(fmt.Sprintf("target %s in %s", Pct(q.TargetServiceLevel), Secs(q.TargetWithinSeconds)), xs,
				[]float64{q.TargetServiceLevel, q.TargetServiceLevel}, colRed, 1.5, dash)
		}
		return
	}
	for qi, q := range qs {
		if q.TargetServiceLevel > 0 {
			c.addLine(fmt.Sprintf("%s target %s in %s", q.Name, Pct(q.TargetServiceLevel), Secs(q.TargetWithinSeconds)), xs,
				[]float64{q.TargetServiceLevel, q.TargetServiceLevel}, colorAt(qi), 1.5, dash)
		}
	}
}

// CompareFigures draws the charts of a comparison: the monthly cost of
// each variant split into its parts, cost against service level (the
// frontier) and, when the variants carry their full results, service level
// per interval for each variant.
func CompareFigures(cmp *sim.Comparison) ([]Figure, error) {
	var figs []Figure
	if len(cmp.Variants) == 0 {
		return nil, nil
	}
	cur := cmp.Variants[0].Cost.Currency
	hasCost := false
	for _, v := range cmp.Variants {
		hasCost = hasCost || v.Cost.Total != 0
	}
	if hasCost {
		c, err := costChart(cmp, cur)
		if err != nil {
			return nil, err
		}
		s, err := c.svg()
		if err != nil {
			return nil, err
		}
		figs = append(figs, Figure{Title: "Cost per month by variant", Caption: "Monthly cost of each variant split into its parts (in-house wages, overhead, supervision, seats, turnover; vendor fees; the cost of abandoned calls and unresolved contacts when the scenario prices them). The figure at the end of a bar is its total.", SVG: s})

		c, err = frontierChart(cmp, cur)
		if err != nil {
			return nil, err
		}
		if s, err = c.svg(); err != nil {
			return nil, err
		}
		figs = append(figs, Figure{Title: "Cost against service level", Caption: "Each variant's monthly cost against its service level, with 95% confidence bars; green: every queue meets its target, red: some queue misses it. The dotted line joins the efficient variants (no other is both cheaper and better); the best choice lies on it, right of the target line.", SVG: s})
	}
	if hasIntervals(cmp) {
		base := variantResult(cmp, &cmp.Variants[0])
		ax := newIvAxis(base)
		c := newChart("Service level per interval by variant", "time of day", "service level")
		ax.apply(c)
		c.p.Y.Min, c.p.Y.Max = 0, 1.02
		c.p.Y.Tick.Marker = pctTicks{}
		var sls []float64
		for i := range cmp.Variants {
			vr := variantResult(cmp, &cmp.Variants[i])
			if len(vr.Intervals) != len(base.Intervals) {
				continue
			}
			vs := values(vr, func(iv *sim.IntervalResult) (float64, bool) { return slOf(&iv.CallKPIs) })
			c.addLine(cmp.Variants[i].Name, ax.mid, vs, colorAt(i), 2, nil)
			sls = append(sls, vs...)
		}
		addTargets(c, base.Queues, ax, false)
		c.p.Y.Min = slAxisMin(base.Queues, sls)
		s, err := c.svg()
		if err != nil {
			return nil, err
		}
		figs = append(figs, Figure{Title: "Service level through the day", Caption: "Service level of all queues together per interval of the day, for each variant. Dashed: the target.", SVG: s})
	}
	return figs, nil
}

func costChart(cmp *sim.Comparison, cur string) (*chart, error) {
	n := len(cmp.Variants)
	c := newChart("Cost per month by variant", "cost per month ("+currencyCode(cur)+")", "")
	c.h = max(2.4*vg.Inch, 1.1*vg.Inch+vg.Length(n)*0.5*vg.Inch)
	var bars rects
	var ticks []plot.Tick
	var totals []pointLabel
	maxTotal := 0.0
	parts := usedCostParts(cmp)
	for i, v := range cmp.Variants {
		y := float64(n - 1 - i) // first variant on top
		x := 0.0
		for _, p := range parts {
			a := p.f(&v.Cost.Breakdown)
			if a <= 0 {
				continue
			}
			bars = append(bars, rect{x, x + a, y - 0.3, y + 0.3, p.col})
			x += a
		}
		maxTotal = max(maxTotal, x, v.Cost.Total)
		ticks = append(ticks, plot.Tick{Value: y, Label: v.Name})
		totals = append(totals, pointLabel{x: x, y: y, text: Count(v.Cost.Total)})
	}
	c.p.Add(bars)
	for _, p := range parts {
		drawn := false // a credit (an SLA penalty received) has no bar
		for i := range cmp.Variants {
			drawn = drawn || p.f(&cmp.Variants[i].Cost.Breakdown) > 0
		}
		if drawn {
			c.addLegend(p.label, boxThumb{p.col})
		}
	}
	c.p.Add(rightLabels{labels: totals, style: text.Style{Color: colBlack, Font: font.From(sansFont, 10), Handler: c.p.TextHandler}})
	c.p.Y.Min, c.p.Y.Max = -0.6, float64(n)-0.4
	c.p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	c.p.Y.Tick.Length = 0
	c.p.X.Min, c.p.X.Max = 0, max(1, maxTotal*1.15)
	c.p.X.Tick.Marker = numTicks{}
	c.p.Title.Text = "Cost per month by variant (" + currencyCode(cur) + ")"
	return c, nil
}

// vLine is a vertical line across the whole plot area at x.
type vLine struct {
	x     float64
	style draw.LineStyle
}

// Plot implements plot.Plotter.
func (l vLine) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	c.StrokeLine2(l.style, tx(l.x), c.Min.Y, tx(l.x), c.Max.Y)
}

// rightLabels writes each label just right of its point, vertically
// centred.
type rightLabels struct {
	labels []pointLabel
	style  text.Style
}

// Plot implements plot.Plotter.
func (l rightLabels) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	st := l.style
	st.XAlign, st.YAlign = draw.XLeft, draw.YCenter
	for _, lb := range l.labels {
		c.FillText(st, vg.Point{X: tx(lb.x) + 4, Y: ty(lb.y)}, lb.text)
	}
}

// frontierPoint is one point of a cost against service level chart: a
// variant or a sweep point.
type frontierPoint struct {
	name         string
	sl, slCI     float64
	cost, costCI float64
	meets        bool
}

func frontierChart(cmp *sim.Comparison, cur string) (*chart, error) {
	pts := make([]frontierPoint, len(cmp.Variants))
	for i, v := range cmp.Variants {
		pts[i] = frontierPoint{v.Name, v.KPIs.ServiceLevel, v.KPIs.ServiceLevelCI95, v.Cost.Total, v.Cost.TotalCI95, v.MeetsTargets}
	}
	target := 0.0
	if q := cmp.Variants[0].Queues; len(q) > 0 && q[0].TargetServiceLevel > 0 {
		same := true
		for _, x := range q {
			same = same && x.TargetServiceLevel == q[0].TargetServiceLevel
		}
		if same {
			target = q[0].TargetServiceLevel
		}
	}
	return costSLChart("Cost against service level", pts, cur, target)
}

// costSLChart draws cost against service level with 95% confidence bars,
// the efficient frontier joining the points no other beats on both, and
// the target as a vertical line when target > 0.
func costSLChart(title string, points []frontierPoint, cur string, target float64) (*chart, error) {
	c := newChart(title, "service level (all queues)", "cost per month ("+currencyCode(cur)+")")
	c.h = 4.2 * vg.Inch
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	var labels []pointLabel
	errSty := draw.LineStyle{Color: lighten(colBlack, 0.5), Width: 1}
	type pt struct {
		x, y float64
		name string
	}
	var pts []pt
	for _, v := range points {
		x, y := v.sl, v.cost
		ex, ey := v.slCI, v.costCI
		xlo, xhi = min(xlo, x-ex), max(xhi, x+ex)
		ylo, yhi = min(ylo, y-ey), max(yhi, y+ey)
		if ex > 0 {
			c.addLine("", []float64{x - ex, x + ex}, []float64{y, y}, errSty.Color, 1, nil)
		}
		if ey > 0 {
			c.addLine("", []float64{x, x}, []float64{y - ey, y + ey}, errSty.Color, 1, nil)
		}
		pts = append(pts, pt{x, y, v.name})
		labels = append(labels, pointLabel{x: x, y: y, text: v.name})
	}
	// Efficient points: no other is at least as good on both and better
	// on one.
	var eff []pt
	for i, a := range pts {
		dominated := false
		for j, b := range pts {
			if i != j && b.x >= a.x && b.y <= a.y && (b.x > a.x || b.y < a.y) {
				dominated = true
				break
			}
		}
		if !dominated {
			eff = append(eff, a)
		}
	}
	sort.Slice(eff, func(i, j int) bool { return eff[i].x < eff[j].x })
	if len(eff) > 1 {
		var ex, ey []float64
		for _, p := range eff {
			ex, ey = append(ex, p.x), append(ey, p.y)
		}
		c.addLine("efficient frontier", ex, ey, lighten(colBlack, 0.3), 1, []vg.Length{2, 3})
	}
	met := draw.GlyphStyle{Color: colGreen, Radius: 5, Shape: draw.CircleGlyph{}}
	missed := draw.GlyphStyle{Color: colRed, Radius: 5, Shape: draw.CircleGlyph{}}
	for _, v := range points {
		s, err := plotter.NewScatter(plotter.XYs{{X: v.sl, Y: v.cost}})
		if err != nil {
			return nil, fmt.Errorf("frontier point %q: %w", v.name, err)
		}
		s.GlyphStyle = missed
		if v.meets {
			s.GlyphStyle = met
		}
		c.p.Add(s)
	}
	c.addLegend("meets every target", dotThumb{met})
	c.addLegend("misses a target", dotThumb{missed})
	if target > 0 {
		xlo, xhi = min(xlo, target), max(xhi, target)
		sty := draw.LineStyle{Color: colRed, Width: 1.5, Dashes: []vg.Length{6, 3}}
		c.p.Add(vLine{x: target, style: sty})
		c.addLegend(fmt.Sprintf("target %s", Pct(target)), lineThumb(sty))
	}
	c.p.Add(labelsNoOverlap{labels: labels, style: text.Style{Color: colBlack, Font: font.From(sansFont, 11)}})
	dx := max(xhi-xlo, 0.02)
	dy := max(yhi-ylo, math.Abs(yhi)*0.05, 1)
	c.p.X.Min, c.p.X.Max = max(0, xlo-0.15*dx), min(1.0, xhi+0.15*dx)
	if c.p.X.Max <= c.p.X.Min {
		c.p.X.Min, c.p.X.Max = 0, 1
	}
	c.p.Y.Min, c.p.Y.Max = max(0, ylo-0.15*dy), yhi+0.15*dy
	c.p.X.Tick.Marker = pctTicks{}
	c.p.Y.Tick.Marker = numTicks{}
	return c, nil
}

// perQueueLines draws one KPI through the day for the whole center and, when
// there are several queues, for each queue; it returns a y-axis maximum of
// at least floor that fits every line.
func perQueueLines(c *chart, r *sim.Result, xs []float64, multi bool, mainCol color.Color, of func(k *sim.CallKPIs) (float64, bool), floor float64) float64 {
	center := values(r, func(iv *sim.IntervalResult) (float64, bool) { return of(&iv.CallKPIs) })
	all := [][]float64{center}
	if multi {
		for qi, q := range r.Queues {
			v := queueValues(r, qi, of)
			all = append(all, v)
			c.addLine(q.Name, xs, v, colorAt(qi), 1.5, nil)
		}
	}
	c.addLine(centerName(r), xs, center, mainCol, 2, nil)
	return niceMax(floor, all...)
}
