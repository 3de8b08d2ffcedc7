package loadgen

import "github.com/callsim/callsim/loadresult"

// The result types live in package loadresult, which links no SIP stack,
// so that reports render them without the generator; these aliases keep
// the generator's names.
type (
	Result            = loadresult.Result
	Latency           = loadresult.Latency
	Second            = loadresult.Second
	MediaDist         = loadresult.MediaDist
	MediaSummary      = loadresult.MediaSummary
	Segments          = loadresult.Segments
	HistogramSettings = loadresult.HistogramSettings
	Identity          = loadresult.Identity
	Settings          = loadresult.Settings
	Window            = loadresult.Window
	Check             = loadresult.Check
	Mode              = loadresult.Mode
	Stage             = loadresult.Stage
	DistKind          = loadresult.DistKind
	Dist              = loadresult.Dist
	Outcome           = loadresult.Outcome
)

// Outcomes.
const (
	OutcomeCompleted      = loadresult.OutcomeCompleted
	OutcomeFailed         = loadresult.OutcomeFailed
	OutcomeAbandoned      = loadresult.OutcomeAbandoned
	OutcomeTimedOut       = loadresult.OutcomeTimedOut
	OutcomeTransportError = loadresult.OutcomeTransportError
)

// Modes of a run.
const (
	ModeCall     = loadresult.ModeCall
	ModeOptions  = loadresult.ModeOptions
	ModeRegister = loadresult.ModeRegister
)

// Distribution shapes accepted by ParseDist.
const (
	DistNone     = loadresult.DistNone
	DistConstant = loadresult.DistConstant
	DistExp      = loadresult.DistExp
	DistUniform  = loadresult.DistUniform
)

// MaxWallSeconds bounds a result's wall_seconds when results are read back.
const MaxWallSeconds = loadresult.MaxWallSeconds

// ParseDist parses "90s" (constant), "exp:90s" (exponential with that mean)
// or "uniform:30s-2m". An empty string gives the zero Dist.
func ParseDist(s string) (Dist, error) { return loadresult.ParseDist(s) }

// DecodeResult decodes a load result's JSON, as written by WriteJSON, with
// its per-second series checked while it is decoded (see
// loadresult.DecodeResult).
func DecodeResult(data []byte) (*Result, error) { return loadresult.DecodeResult(data) }

// Settings returns the settings a result records of c: every serialised
// field, under the same JSON names.
func (c Config) Settings() Settings {
	return Settings{
		Target:          c.Target,
		Transport:       c.Transport,
		Mode:            c.Mode,
		From:            c.From,
		To:              c.To,
		Display:         c.Display,
		CallersFile:     c.CallersFile,
		Sockets:         c.Sockets,
		LocalIP:         c.LocalIP,
		Rate:            c.Rate,
		Arrivals:        c.Arrivals,
		Stages:          c.Stages,
		Concurrency:     c.Concurrency,
		Duration:        c.Duration,
		MaxCalls:        c.MaxCalls,
		MaxInFlight:     c.MaxInFlight,
		Hold:            c.Hold,
		Patience:        c.Patience,
		InviteTimeout:   c.InviteTimeout,
		LateTolerance:   c.LateTolerance,
		Grace:           c.Grace,
		IOTick:          c.IOTick,
		Seed:            c.Seed,
		Segment:         c.Segment,
		Username:        c.Username,
		TLSInsecure:     c.TLSInsecure,
		TLSCA:           c.TLSCA,
		Engine:          c.Engine,
		NoMedia:         c.NoMedia,
		RTPMux:          c.RTPMux,
		RTPPortMin:      c.RTPPortMin,
		RTPPortMax:      c.RTPPortMax,
		Audio:           c.Audio,
		MOSThreshold:    c.MOSThreshold,
		MOSNetworkDelay: c.MOSNetworkDelay,
		RampUp:          c.RampUp,
		Window:          c.Window,
		AbortOnFail:     c.AbortOnFail,
	}
}
