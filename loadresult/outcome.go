package loadresult

// Outcome is how an attempted call ended. Every attempted call has exactly one.
type Outcome string

// Outcomes.
const (
	OutcomeCompleted      Outcome = "completed"       // answered (2xx) and ended
	OutcomeFailed         Outcome = "failed"          // final response >= 300 (see StatusCodes)
	OutcomeAbandoned      Outcome = "abandoned"       // the caller sent CANCEL (patience ran out, or interrupt)
	OutcomeTimedOut       Outcome = "timed_out"       // no final response within the INVITE timeout
	OutcomeTransportError Outcome = "transport_error" // the request could not be sent or the connection failed
)
