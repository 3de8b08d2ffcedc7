// Package netimpair is a UDP relay that impairs the traffic it forwards, for
// tests: packet loss, a fixed delay plus random jitter (which reorders
// datagrams), duplication, and a black hole that drops everything for a while
// (a peer that dies and comes back).
//
// A Relay listens on a loopback address and forwards each datagram from a
// client to the upstream address, from a socket of its own per client (like
// a NAT), and each datagram that comes back on that socket to the client. The
// relay is therefore symmetric: a peer that answers to the source address of
// what it received (SIP over UDP with rport, RTP with symmetric RTP) answers
// through the relay, and both directions are impaired.
//
// SIP caveat: requests a SIP peer sends to an address taken from a header
// (Contact, Via without rport) go straight to that address and bypass the
// relay. With callsim's load generator and the embedded target, the INVITE
// transaction (INVITE, provisional and final responses, CANCEL) crosses the
// relay; the ACK and BYE go to the answer's Contact, the target's real
// address, and the target's BYE to the caller's Contact, so they are not
// impaired.
//
// Every random choice comes from one seeded PCG stream per direction, so a
// test with a fixed Seed sees the same sequence of decisions for the same
// sequence of datagrams. Counters (Stats) tell what was received, forwarded,
// dropped, duplicated and black-holed in each direction.
//
//	r, err := netimpair.New(ctx, netimpair.Config{
//		Upstream: targetAddr,
//		Seed:     1,
//		Up:       netimpair.Impairment{Loss: 0.1, Delay: 5 * time.Millisecond, Jitter: 10 * time.Millisecond},
//	})
//	...
//	defer r.Close()
//	callAt := r.Addr() // send here instead of targetAddr
//	r.SetBlackHole(true) // the target "dies"
//	r.SetBlackHole(false) // and comes back
package netimpair
