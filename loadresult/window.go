package loadresult

// Window is one window's judgement of the windowed thresholds: the calls
// that ended in [StartSeconds, EndSeconds) of the run (seconds from
// Result.StartedAt), each with its one outcome, and every threshold checked
// on them.
type Window struct {
	Index        int     `json:"index"`
	StartSeconds float64 `json:"start_seconds"`
	EndSeconds   float64 `json:"end_seconds"`
	// Partial: the run ended before the window did.
	Partial   bool    `json:"partial,omitempty"`
	Calls     uint64  `json:"calls"` // ended in the window
	Completed uint64  `json:"completed"`
	SER       float64 `json:"ser"`
	SRDP99    float64 `json:"srd_p99_ms"`
	Checks    []Check `json:"thresholds"`
	Pass      bool    `json:"pass"`
}

// Check is a threshold checked on a part of a run, as JSON: its
// expression, the measured value in the threshold's unit (null when not
// measured: a media threshold on calls without media) and the verdict.
type Check struct {
	Expr  string   `json:"expression"`
	Value *float64 `json:"value"`
	Unit  string   `json:"unit,omitempty"`
	Pass  bool     `json:"pass"`
}
