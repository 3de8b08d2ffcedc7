package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Charts are drawn with gonum.org/v1/plot into SVG, without embedded fonts:
// the text uses Liberation Sans, whose metrics match Arial and Helvetica,
// and the SVG names those as fallbacks so that labels keep their place in
// any browser.

// palette is a colour-blind-friendly qualitative palette (Tableau 10).
var palette = []color.RGBA{
	{0x4e, 0x79, 0xa7, 0xff}, // blue
	{0xf2, 0x8e, 0x2b, 0xff}, // orange
	{0x59, 0xa1, 0x4f, 0xff}, // green
	{0xb0, 0x7a, 0xa1, 0xff}, // purple
	{0x76, 0xb7, 0xb2, 0xff}, // teal
	{0xed, 0xc9, 0x48, 0xff}, // yellow
	{0x9c, 0x75, 0x5f, 0xff}, // brown
	{0xff, 0x9d, 0xa7, 0xff}, // pink
	{0xba, 0xb0, 0xac, 0xff}, // grey
	{0xe1, 0x57, 0x59, 0xff}, // red
}

var (
	colBlack = color.RGBA{0x22, 0x22, 0x22, 0xff}
	colRed   = color.RGBA{0xd6, 0x27, 0x28, 0xff}
	colGreen = color.RGBA{0x2c, 0xa0, 0x2c, 0xff}
	colGrid  = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

func colorAt(i int) color.RGBA { return palette[i%len(palette)] }

// lighten mixes c with white; f = 0 keeps c, f = 1 gives white.
func lighten(c color.RGBA, f float64) color.RGBA {
	m := func(v uint8) uint8 { return uint8(float64(v) + (255-float64(v))*f) }
	return color.RGBA{m(c.R), m(c.G), m(c.B), 0xff}
}

const (
	chartWidth  = 10 * vg.Inch
	chartHeight = 3.6 * vg.Inch
)

var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// chart is a plot with a legend kept to its right, outside the data.
type chart struct {
	p      *plot.Plot
	legend plot.Legend
	n      int // legend entries
	names  []string
	h      vg.Length
}

func newChart(title, xlabel, ylabel string) *chart {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, 13)
	p.Title.Padding = 8
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 11)
		a.Tick.Label.Font = font.From(sansFont, 10)
		a.Padding = 0
	}
	p.X.Label.Padding, p.Y.Label.Padding = 4, 4
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(sansFont, 10)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = 0.3 * vg.Inch
	l.Padding = 3
	p.Add(gridStyle(p))
	return &chart{p: p, legend: l, h: chartHeight}
}

// gridStyle returns a light grid with horizontal lines only.
func gridStyle(p *plot.Plot) plot.Plotter {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = colGrid
	g.Horizontal.Width = 0.5
	return g
}

func (c *chart) addLegend(name string, th ...plot.Thumbnailer) {
	c.legend.Add(name, th...)
	c.names = append(c.names, name)
	c.n++
}

// svg renders the chart as an SVG document (without the XML declaration,
// ready to be inlined in HTML).
func (c *chart) svg() (string, error) {
	c.p.Legend = plot.NewLegend() // no legend inside the data area
	cv := vgsvg.New(chartWidth, c.h)
	dc := draw.New(cv)
	// The legend's column is kept even when empty, so that the plot areas
	// of a report's charts line up.
	legendW := c.legendWidth() + 16
	if err := drawPlot(c.p, draw.Crop(dc, 0, -legendW, 0, 0)); err != nil {
		return "", err
	}
	if c.n > 0 {
		lc := draw.Crop(dc, chartWidth-legendW+8, 0, 0, -c.p.Title.TextStyle.Height(c.p.Title.Text)-c.p.Title.Padding-4)
		c.legend.Draw(lc)
	}
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return "", fmt.Errorf("write SVG: %w", err)
	}
	return cleanSVG(b.String()), nil
}

// drawPlot draws p, turning a panic of the plot library (for example on an
// impossible axis range) into an error.
func drawPlot(p *plot.Plot, dc draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("draw chart %q: %v", p.Title.Text, r)
		}
	}()
	p.Draw(dc)
	return nil
}

func (c *chart) legendWidth() vg.Length {
	var w vg.Length
	for _, name := range c.names {
		w = max(w, c.legend.TextStyle.Width(name))
	}
	// A minimum keeps the plot areas of a report's charts aligned.
	return max(w+c.legend.ThumbnailWidth+c.legend.TextStyle.Width(" "), 1.9*vg.Inch)
}

// cleanSVG drops the XML declaration and comment and gives the font
// metric-compatible fallbacks.
func cleanSVG(s string) string {
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return strings.ReplaceAll(s, "font-family:Liberation Sans;", "font-family:Liberation Sans,Arial,Helvetica,sans-serif;")
}

// hourTicks labels a time-of-day axis in hours ("06:00").
type hourTicks struct{}

func (hourTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := 1.0
	switch {
	case span > 36:
		step = 6
	case span > 16:
		step = 2
	}
	var ts []plot.Tick
	for h := math.Ceil(lo); h <= hi+1e-9; h++ {
		t := plot.Tick{Value: h}
		if math.Mod(h, step) == 0 {
			t.Label = fmt.Sprintf("%02d:00", int(h)%24)
			if int(h) == 24 {
				t.Label = "24:00"
			}
		}
		ts = append(ts, t)
	}
	return ts
}

// pctTicks labels a fraction axis in percent.
type pctTicks struct{}

func (pctTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := niceTicks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(math.Round(ts[i].Value*1000)/10, 'f', -1, 64) + "%"
		}
	}
	return ts
}

// numTicks labels an axis with plain numbers and thousands separators,
// never in exponent notation.
type numTicks struct{}

func (numTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := niceTicks(lo, hi)
	for i := range ts {
		if ts[i].Label == "" {
			continue
		}
		v := ts[i].Value
		switch {
		case math.Abs(v) >= 1e6:
			ts[i].Label = trimZeros(fmt.Sprintf("%.2f", v/1e6)) + "M"
		case math.Abs(v) >= 1e4:
			ts[i].Label = trimZeros(fmt.Sprintf("%.1f", v/1e3)) + "k"
		case v == math.Trunc(v):
			ts[i].Label = Count(v)
		default:
			ts[i].Label = trimZeros(fmt.Sprintf("%.3f", v))
		}
	}
	return ts
}

// niceTicks gives about five labelled ticks at a round step (1, 2, 2.5 or
// 5 times a power of ten) with unlabelled ticks halfway between.
func niceTicks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 6, 64)}}
	}
	raw := (hi - lo) / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * p
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	var ts []plot.Tick
	half := step / 2
	for i := math.Ceil(lo/half - 1e-9); i*half <= hi+1e-9*step; i++ {
		v := i * half
		if v == 0 {
			v = 0 // not -0
		}
		t := plot.Tick{Value: v}
		if math.Mod(i, 2) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// segments splits points into runs without missing values (NaN), so that a
// line shows gaps where a value does not exist (a closed interval).
func segments(xs, ys []float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i := range xs {
		if math.IsNaN(ys[i]) || math.IsInf(ys[i], 0) {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: xs[i], Y: ys[i]})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// addLine adds a line with gaps; a lone point gets a dot so it is seen.
// It returns the line style for the legend.
func (c *chart) addLine(name string, xs, ys []float64, col color.Color, width vg.Length, dashes []vg.Length) {
	sty := draw.LineStyle{Color: col, Width: width, Dashes: dashes}
	for _, seg := range segments(xs, ys) {
		l, err := plotter.NewLine(seg)
		if err != nil {
			continue
		}
		l.LineStyle = sty
		c.p.Add(l)
		if len(seg) == 1 {
			s, err := plotter.NewScatter(seg)
			if err == nil {
				s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: width + 1.5, Shape: draw.CircleGlyph{}}
				c.p.Add(s)
			}
		}
	}
	if name != "" {
		c.addLegend(name, lineThumb(sty))
	}
}

// addBand adds a shaded band between lo and hi (a confidence interval).
func (c *chart) addBand(xs, lo, hi []float64, col color.Color) {
	var cur []plotter.XY
	var hiPts []plotter.XY
	flush := func() {
		if len(cur) > 1 {
			pts := append([]plotter.XY{}, cur...)
			for i := len(hiPts) - 1; i >= 0; i-- {
				pts = append(pts, hiPts[i])
			}
			if poly, err := plotter.NewPolygon(plotter.XYs(pts)); err == nil {
				poly.Color = col
				poly.LineStyle.Width = 0
				c.p.Add(poly)
			}
		}
		cur, hiPts = nil, nil
	}
	for i := range xs {
		if math.IsNaN(lo[i]) || math.IsNaN(hi[i]) {
			flush()
			continue
		}
		cur = append(cur, plotter.XY{X: xs[i], Y: lo[i]})
		hiPts = append(hiPts, plotter.XY{X: xs[i], Y: hi[i]})
	}
	flush()
}

type lineThumb draw.LineStyle

func (l lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle(l), c.Min.X, y, c.Max.X, y)
}

type boxThumb struct{ col color.Color }

func (b boxThumb) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y}}
	c.FillPolygon(b.col, pts)
}

type dotThumb struct{ sty draw.GlyphStyle }

func (d dotThumb) Thumbnail(c *draw.Canvas) { c.DrawGlyph(d.sty, c.Center()) }

// rect is one filled rectangle in data coordinates.
type rect struct {
	x0, x1, y0, y1 float64
	col            color.Color
}

// rects draws filled rectangles (bars) in data coordinates.
type rects []rect

// Plot implements plot.Plotter.
func (rs rects) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, r := range rs {
		pts := []vg.Point{{X: tx(r.x0), Y: ty(r.y0)}, {X: tx(r.x0), Y: ty(r.y1)}, {X: tx(r.x1), Y: ty(r.y1)}, {X: tx(r.x1), Y: ty(r.y0)}}
		c.FillPolygon(r.col, c.ClipPolygonXY(pts))
	}
}

// DataRange implements plot.DataRanger.
func (rs rects) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, r := range rs {
		xmin, xmax = min(xmin, r.x0, r.x1), max(xmax, r.x0, r.x1)
		ymin, ymax = min(ymin, r.y0, r.y1), max(ymax, r.y0, r.y1)
	}
	return
}

// pointLabel is a text placed next to a data point.
type pointLabel struct {
	x, y float64
	text string
}

// labelsNoOverlap draws labels next to their points, trying the right,
// left, above and below positions (then further out) and taking the first
// that overlaps neither an earlier label nor the plot's edge.
type labelsNoOverlap struct {
	labels []pointLabel
	style  text.Style
}

// Plot implements plot.Plotter.
func (l labelsNoOverlap) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	var placed []vg.Rectangle
	sty := l.style
	sty.Handler = p.TextHandler
	for _, lb := range l.labels {
		px, py := tx(lb.x), ty(lb.y)
		w, h := sty.Width(lb.text), sty.Height(lb.text)
		const gap = 6
		var cands []vg.Point // lower-left corners
		for _, k := range []vg.Length{1, 2.5, 4} {
			cands = append(cands,
				vg.Point{X: px + gap, Y: py - h/2 + (k-1)*h},
				vg.Point{X: px - gap - w, Y: py - h/2 + (k-1)*h},
				vg.Point{X: px - w/2, Y: py + gap + (k-1)*h},
				vg.Point{X: px - w/2, Y: py - gap - h - (k-1)*h},
				vg.Point{X: px + gap, Y: py - h/2 - (k-1)*h},
				vg.Point{X: px - gap - w, Y: py - h/2 - (k-1)*h},
			)
		}
		best := cands[0]
		for _, cd := range cands {
			r := vg.Rectangle{Min: cd, Max: vg.Point{X: cd.X + w, Y: cd.Y + h}}
			if r.Min.X < c.Min.X || r.Max.X > c.Max.X || r.Min.Y < c.Min.Y || r.Max.Y > c.Max.Y {
				continue
			}
			free := true
			for _, o := range placed {
				if r.Min.X < o.Max.X && o.Min.X < r.Max.X && r.Min.Y < o.Max.Y && o.Min.Y < r.Max.Y {
					free = false
					break
				}
			}
			if free {
				best = cd
				break
			}
		}
		placed = append(placed, vg.Rectangle{Min: best, Max: vg.Point{X: best.X + w, Y: best.Y + h}})
		// A white backing keeps the label readable over lines.
		c.FillPolygon(color.White, []vg.Point{{X: best.X - 1, Y: best.Y}, {X: best.X - 1, Y: best.Y + h}, {X: best.X + w + 1, Y: best.Y + h}, {X: best.X + w + 1, Y: best.Y}})
		st := sty
		st.XAlign, st.YAlign = draw.XLeft, draw.YBottom
		c.FillText(st, best, lb.text)
	}
}
