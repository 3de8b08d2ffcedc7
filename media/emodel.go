package media

import "math"

// EModel holds the inputs of the ITU-T G.107 E-model that vary per call;
// every other parameter has its G.107 default.
type EModel struct {
	// Ie is the equipment impairment factor of the codec (0 for G.711).
	Ie float64
	// Bpl is the packet-loss robustness factor (25.1: G.711 with PLC).
	Bpl float64
	// Ppl is the packet loss in percent.
	Ppl float64
	// BurstR is the burst ratio (1: random loss); 0 means 1.
	BurstR float64
	// T is the mean one-way delay in ms; the absolute delay Ta equals T and
	// the round-trip delay Tr is 2T.
	T float64
}

// Loss robustness factors of G.711 (ITU-T G.113 Appendix I).
const (
	BplG711PLC   = 25.1 // with packet loss concealment (G.711 Appendix I)
	BplG711NoPLC = 4.3  // without
)

// G.107 defaults.
const (
	defSLR   = 8.0
	defRLR   = 2.0
	defSTMR  = 15.0
	defLSTR  = 18.0
	defDs    = 3.0
	defDr    = 3.0
	defTELR  = 65.0
	defWEPL  = 110.0
	defNc    = -70.0
	defNfor  = -64.0
	defPs    = 35.0
	defPr    = 35.0
	defQdu   = 1.0
	defA     = 0.0
	defOLR   = defSLR + defRLR
	minDelay = 0.0
)

func log10(x float64) float64 { return math.Log10(x) }

// R computes the transmission rating factor.
func (m EModel) R() float64 {
	T := math.Max(m.T, minDelay)
	Ta, Tr := T, 2*T
	burst := m.BurstR
	if burst <= 0 {
		burst = 1
	}
	// Basic signal-to-noise ratio Ro.
	nfo := defNfor + defRLR
	pre := defPr + 10*log10(1+math.Pow(10, (10-defLSTR)/10))
	nor := defRLR - 121 + pre + 0.008*(pre-35)*(pre-35)
	nos := defPs - defSLR - defDs - 100 + 0.004*(defPs-defOLR-defDs-14)*(defPs-defOLR-defDs-14)
	no := 10 * log10(math.Pow(10, defNc/10)+math.Pow(10, nos/10)+math.Pow(10, nor/10)+math.Pow(10, nfo/10))
	ro := 15 - 1.5*(defSLR+no)

	// Simultaneous impairments Is.
	xolr := defOLR + 0.2*(64+no-defRLR)
	iolr := 20 * (math.Pow(1+math.Pow(xolr/8, 8), 1.0/8) - xolr/8)
	stmro := -10 * log10(math.Pow(10, -defSTMR/10)+math.Exp(-T/4)*math.Pow(10, -defTELR/10))
	ist := 12*math.Pow(1+math.Pow((stmro-13)/6, 8), 1.0/8) -
		28*math.Pow(1+math.Pow((stmro+1)/19.4, 35), 1.0/35) -
		13*math.Pow(1+math.Pow((stmro-3)/33, 13), 1.0/13) + 29
	q := 37 - 15*log10(defQdu)
	g := 1.07 + 0.258*q + 0.0602*q*q
	y := (ro-100)/15 + 46/8.4 - g/9
	z := 46.0/30 - g/40
	iq := 15 * log10(1+math.Pow(10, y)+math.Pow(10, z))
	is := iolr + ist + iq

	// Delay impairments Id.
	terv := defTELR - 40*log10((1+T/10)/(1+T/150)) + 6*math.Exp(-0.3*T*T)
	roe := -1.5 * (no - defRLR)
	re := 80 + 2.5*(terv-14)
	idte := ((roe-re)/2 + math.Sqrt((roe-re)*(roe-re)/4+100) - 1) * (1 - math.Exp(-T))
	rle := 10.5 * (defWEPL + 7) * math.Pow(Tr+1, -0.25)
	idle := (ro-rle)/2 + math.Sqrt((ro-rle)*(ro-rle)/4+169)
	idd := 0.0
	if Ta > 100 {
		x := log10(Ta/100) / log10(2)
		idd = 25 * (math.Pow(1+math.Pow(x, 6), 1.0/6) - 3*math.Pow(1+math.Pow(x/3, 6), 1.0/6) + 2)
	}
	id := idte + idle + idd

	// Effective equipment impairment with packet loss.
	ppl := math.Max(m.Ppl, 0)
	ieEff := m.Ie
	if ppl > 0 {
		ieEff = m.Ie + (95-m.Ie)*ppl/(ppl/burst+m.Bpl)
	}
	return ro - is - id - ieEff + defA
}

// MOSFromR converts an R factor to the estimated mean opinion score
// (G.107 Annex B).
func MOSFromR(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
}

// MOS is MOSFromR(m.R()).
func (m EModel) MOS() float64 { return MOSFromR(m.R()) }

// Delay assumptions of the MOS estimate (see the package documentation).
const (
	PacketizationMs = 20.0
	JitterBufferMs  = 40.0
)

// EstimateMOS returns the R factor and MOS of a G.711 stream with PLC given
// its loss percentage, its interarrival jitter (ms) and an assumed network
// one-way delay (ms).
func EstimateMOS(lossPct, jitterMs, networkDelayMs float64) (r, mos float64) {
	m := EModel{Ie: 0, Bpl: BplG711PLC, Ppl: lossPct,
		T: networkDelayMs + PacketizationMs + JitterBufferMs + 2*jitterMs}
	r = m.R()
	return r, MOSFromR(r)
}
