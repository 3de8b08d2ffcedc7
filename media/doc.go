// Package media carries the audio of test calls: SDP offer and answer for
// G.711 (PCMU, PCMA) and telephone-event, an RTP port allocator, RTP senders
// driven by one scheduler for many streams, receivers that measure what a
// listener would hear, and an ITU-T G.107 E-model estimate of the MOS.
//
// # Sending
//
// A Stream sends 20 ms packets (160 samples, 50 packets per second) of
// silence, a 425 Hz tone, or a WAV file (8 kHz mono 16-bit PCM, encoded to
// G.711 once and played in a loop). Streams do not own a goroutine for
// sending: a Scheduler wakes once a millisecond, and each stream has one of
// 20 slots, so the streams' packets are spread over the 20 ms frame and a
// late wake-up sends the overdue packets at once (the lateness then shows up
// as jitter at the receiver, as it would on the wire).
//
// # Receiving
//
// On Linux the wheels also receive: each stream is read on one slot of a
// wheel, every 20 ms, with one recvmmsg (up to 8 datagrams), and an echo
// stream sends what it read back to its source from there. Each datagram's
// arrival time is the kernel's receive stamp (SO_TIMESTAMPNS), so reading
// up to 20 ms after the arrival changes no figure; the echo leaves at the
// same phase of every frame, so the delay it adds is constant (no jitter).
// Nothing watches the sockets in between (no epoll set, no goroutine per
// stream): a datagram costs one system call to send and a share of one to
// receive, and wakes nothing up. Elsewhere each stream has a reader
// goroutine.
//
// # Shared ports
//
// With a port per call, every packet is a system call and a pass through
// the kernel's UDP stack on each side (about 5 µs on loopback): on two
// cores that caps an echo test near 2,000 calls. Scheduler.Share gives each
// wheel one socket that all its streams (NewSharedStream) use instead. A
// wheel then sends the packets of a slot with one sendmmsg, the packets of
// equal size to one address as one UDP_SEGMENT (GSO) message of up to 64
// segments, and reads with recvmmsg and UDP_GRO once a millisecond; a
// datagram goes to the stream whose SSRC it carries: the stream's own (an
// echo of what it sent), the far end's as its SDP announced it (a=ssrc,
// RFC 5576: WithSSRC writes it, Description.SSRC reads it), or one learnt
// from the first packet from an address only one stream talks to (a far
// end with a port per call). Datagrams for no stream are counted
// (Scheduler.Unclaimed); those of a stream closed in the last 10 s are
// dropped quietly. The batching helps whatever the far end does; the GSO
// and GRO gain, the larger one, needs a far end that shares its ports too
// (callsim target --rtp-mux).
//
// # Measuring (RFC 3550 appendix A)
//
//   - received: RTP packets (version 2) received, duplicates included.
//   - expected and lost (A.3): expected = highest extended sequence number -
//     first sequence number + 1, per SSRC, summed over the SSRCs seen (early
//     media and echo may come from different sources); lost = expected -
//     received, never below 0; loss percent = lost / expected.
//   - jitter (A.8): J += (|D| - J) / 16, D being the difference of transit
//     times of consecutive packets of one source, in timestamp units, shown
//     in milliseconds (8 kHz clock).
//   - longest gap: the longest time without a packet while audio was
//     expected, from the moment it was expected (the answer) to the end of
//     the stream, edges included: a stream that never arrives has a gap as
//     long as the call.
//
// # MOS (ITU-T G.107 E-model)
//
// R = Ro - Is - Id - Ie,eff + A with every G.107 default (SLR 8, RLR 2,
// STMR 15, LSTR 18, TELR 65 dB, WEPL 110, Nc -70 dBm0p, Ps = Pr = 35 dB(A),
// qdu 1, A 0); with no delay and no loss this gives R = 93.2, MOS 4.41.
// The call-specific inputs are:
//
//   - Ie = 0 for G.711, Bpl = 25.1: G.711 with packet loss concealment
//     (G.113 Appendix I; without PLC it would be 4.3, far harsher, but
//     every current endpoint conceals loss). Losses are taken as random
//     (BurstR = 1).
//   - Ppl = the measured loss percentage.
//   - the mouth-to-ear delay T = Ta = Tr/2 is not measured (RTP carries no
//     one-way delay); it is assumed as 20 ms packetization + a 40 ms jitter
//     buffer + twice the measured jitter (an adaptive buffer grows with the
//     jitter) + Config.NetworkDelay (default 0, loopback or LAN).
//
// The MOS is 1 + 0.035 R + R (R - 60)(100 - R) 7e-6 for 0 < R < 100.
// It is an estimate from transport figures, not a perceptual measurement of
// the audio (PESQ/POLQA compare the signals themselves).
package media
