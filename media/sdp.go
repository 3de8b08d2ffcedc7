package media

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Static and default payload types.
const (
	PTPCMU = 0
	PTPCMA = 8
	// PTTelephoneEvent is the dynamic payload type callsim offers for
	// telephone-event (RFC 4733); the far end's number is used when it
	// offers another.
	PTTelephoneEvent = 101
)

// Codec is one payload format of an audio stream.
type Codec struct {
	PT   uint8
	Name string // PCMU, PCMA, telephone-event
	Rate int    // clock rate, 8000
}

// Supported codecs, in callsim's order of preference.
var (
	PCMU           = Codec{PT: PTPCMU, Name: "PCMU", Rate: 8000}
	PCMA           = Codec{PT: PTPCMA, Name: "PCMA", Rate: 8000}
	TelephoneEvent = Codec{PT: PTTelephoneEvent, Name: "telephone-event", Rate: 8000}
)

// Description is the audio part of a session description.
type Description struct {
	Addr      netip.Addr // connection address (media level, else session level)
	Port      int        // 0: the stream is rejected
	Codecs    []Codec    // in the order of the m= line
	Direction string     // sendrecv, sendonly, recvonly, inactive
	// SSRC is the audio stream's first a=ssrc (RFC 5576), 0 if none: a
	// far end that sends all its calls from one port says which packets
	// are this call's by it (see Scheduler.Share).
	SSRC uint32
}

// RTPAddr is where RTP for the stream is sent.
func (d Description) RTPAddr() netip.AddrPort { return netip.AddrPortFrom(d.Addr, uint16(d.Port)) }

// Negotiated is the outcome of an offer/answer.
type Negotiated struct {
	Remote netip.AddrPort
	Codec  Codec // PCMU or PCMA
	DTMF   int   // telephone-event payload type, -1 if none
	// Direction as seen from the far end's description.
	Direction string
}

// SDPError reports an unusable session description.
type SDPError struct{ Reason string }

func (e *SDPError) Error() string { return "unusable SDP: " + e.Reason }

// ParseSDP reads the first audio stream of an SDP body (RFC 4566).
func ParseSDP(body []byte) (Description, error) {
	var d Description
	if len(body) == 0 {
		return d, &SDPError{"empty body"}
	}
	var sessAddr, mediaAddr netip.Addr
	inAudio, seenAudio, seenOther := false, false, false
	rtpmap := map[uint8]Codec{}
	var pts []uint8
	d.Direction = "sendrecv"
	for lineNo, raw := range strings.Split(string(body), "\n") {
		line := strings.TrimRight(raw, "\r")
		if line == "" {
			continue
		}
		if len(line) < 2 || line[1] != '=' {
			return d, &SDPError{fmt.Sprintf("line %d %q is not TYPE=VALUE", lineNo+1, line)}
		}
		typ, val := line[0], line[2:]
		switch typ {
		case 'm':
			if seenAudio {
				inAudio = false
				seenOther = true
				continue
			}
			f := strings.Fields(val)
			if len(f) < 4 {
				return d, &SDPError{fmt.Sprintf("line %d: m= line %q needs media, port, proto and formats", lineNo+1, val)}
			}
			if f[0] != "audio" {
				seenOther = true
				inAudio = false
				continue
			}
			port, err := strconv.Atoi(strings.SplitN(f[1], "/", 2)[0])
			if err != nil || port < 0 || port > 65535 {
				return d, &SDPError{fmt.Sprintf("line %d: bad port %q", lineNo+1, f[1])}
			}
			if f[2] != "RTP/AVP" && f[2] != "RTP/AVPF" {
				return d, &SDPError{fmt.Sprintf("line %d: transport %s (callsim speaks plain RTP/AVP, no SRTP)", lineNo+1, f[2])}
			}
			d.Port = port
			for _, s := range f[3:] {
				n, err := strconv.Atoi(s)
				if err != nil || n < 0 || n > 127 {
					return d, &SDPError{fmt.Sprintf("line %d: bad payload type %q", lineNo+1, s)}
				}
				pts = append(pts, uint8(n))
			}
			inAudio, seenAudio = true, true
		case 'c':
			f := strings.Fields(val)
			if len(f) < 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
				return d, &SDPError{fmt.Sprintf("line %d: connection %q, want IN IP4|IP6 ADDRESS", lineNo+1, val)}
			}
			a, err := netip.ParseAddr(strings.SplitN(f[2], "/", 2)[0])
			if err != nil {
				return d, &SDPError{fmt.Sprintf("line %d: connection address %q is not an IP address (host names are not resolved)", lineNo+1, f[2])}
			}
			switch {
			case inAudio:
				mediaAddr = a
			case !seenAudio && !seenOther:
				sessAddr = a
			}
		case 'a':
			if !inAudio && seenAudio {
				continue
			}
			name, rest, _ := strings.Cut(val, ":")
			switch name {
			case "sendrecv", "sendonly", "recvonly", "inactive":
				if inAudio || !seenAudio {
					d.Direction = name
				}
			case "rtpmap":
				if !inAudio {
					continue
				}
				f := strings.Fields(rest)
				if len(f) < 2 {
					continue
				}
				n, err := strconv.Atoi(f[0])
				if err != nil || n < 0 || n > 127 {
					continue
				}
				enc := strings.Split(f[1], "/")
				rate := 0
				if len(enc) > 1 {
					rate, _ = strconv.Atoi(enc[1])
				}
				rtpmap[uint8(n)] = Codec{PT: uint8(n), Name: enc[0], Rate: rate}
			case "ssrc":
				if !inAudio || d.SSRC != 0 {
					continue
				}
				id, _, _ := strings.Cut(rest, " ")
				if v, err := strconv.ParseUint(id, 10, 32); err == nil {
					d.SSRC = uint32(v)
				}
			}
		}
	}
	if !seenAudio {
		return d, &SDPError{"no m=audio line"}
	}
	d.Addr = mediaAddr
	if !d.Addr.IsValid() {
		d.Addr = sessAddr
	}
	if !d.Addr.IsValid() {
		return d, &SDPError{"no c= connection address"}
	}
	for _, pt := range pts {
		c, ok := rtpmap[pt]
		if !ok {
			switch pt {
			case PTPCMU:
				c = PCMU
			case PTPCMA:
				c = PCMA
			default:
				c = Codec{PT: pt}
			}
		}
		d.Codecs = append(d.Codecs, c)
	}
	return d, nil
}

func sameCodec(a, b Codec) bool {
	return strings.EqualFold(a.Name, b.Name) && (a.Rate == 0 || b.Rate == 0 || a.Rate == b.Rate)
}

// Negotiate picks the first audio codec of remote that is in supported
// (so an answerer follows the offerer's preference, and an offerer takes
// what the answer put first), and telephone-event if both have it.
func Negotiate(remote Description, supported []Codec) (Negotiated, error) {
	n := Negotiated{Remote: remote.RTPAddr(), DTMF: -1, Direction: remote.Direction}
	if remote.Port == 0 {
		return n, &SDPError{"the audio stream was rejected (port 0)"}
	}
	if remote.Addr.IsUnspecified() {
		return n, &SDPError{"connection address " + remote.Addr.String() + " (on hold)"}
	}
	found := false
	for _, c := range remote.Codecs {
		for _, s := range supported {
			if !sameCodec(c, s) {
				continue
			}
			if strings.EqualFold(s.Name, TelephoneEvent.Name) {
				if n.DTMF < 0 {
					n.DTMF = int(c.PT)
				}
			} else if !found {
				n.Codec = Codec{PT: c.PT, Name: s.Name, Rate: 8000}
				found = true
			}
		}
	}
	if !found {
		var names []string
		for _, c := range remote.Codecs {
			names = append(names, fmt.Sprintf("%d %s", c.PT, c.Name))
		}
		return n, &SDPError{fmt.Sprintf("no common codec: the far end has [%s], callsim has PCMU and PCMA", strings.Join(names, ", "))}
	}
	return n, nil
}

// Offer builds an SDP offer (or, with codecs holding one audio codec, an
// answer) for an audio stream at addr:port.
func Offer(addr netip.Addr, port int, sessID uint64, codecs []Codec, direction string) []byte {
	ipv := "IP4"
	if addr.Is6() && !addr.Is4In6() {
		ipv = "IP6"
	}
	if direction == "" {
		direction = "sendrecv"
	}
	var b strings.Builder
	id := strconv.FormatUint(sessID, 10)
	b.WriteString("v=0\r\no=callsim " + id + " " + id + " IN " + ipv + " " + addr.String() + "\r\ns=callsim\r\n")
	b.WriteString("c=IN " + ipv + " " + addr.String() + "\r\nt=0 0\r\nm=audio " + strconv.Itoa(port) + " RTP/AVP")
	for _, c := range codecs {
		b.WriteString(" " + strconv.Itoa(int(c.PT)))
	}
	b.WriteString("\r\n")
	for _, c := range codecs {
		b.WriteString("a=rtpmap:" + strconv.Itoa(int(c.PT)) + " " + c.Name + "/" + strconv.Itoa(c.Rate) + "\r\n")
		if strings.EqualFold(c.Name, TelephoneEvent.Name) {
			b.WriteString("a=fmtp:" + strconv.Itoa(int(c.PT)) + " 0-16\r\n")
		}
	}
	b.WriteString("a=ptime:20\r\na=" + direction + "\r\n")
	return []byte(b.String())
}

// DefaultOffer lists PCMU, PCMA and telephone-event.
var DefaultOffer = []Codec{PCMU, PCMA, TelephoneEvent}

// Answer negotiates an offer and builds the answer for a stream at
// addr:port: the chosen codec and, if offered, telephone-event.
func Answer(offer []byte, addr netip.Addr, port int, sessID uint64) ([]byte, Negotiated, error) {
	d, err := ParseSDP(offer)
	if err != nil {
		return nil, Negotiated{}, err
	}
	n, err := Negotiate(d, DefaultOffer)
	if err != nil {
		return nil, n, err
	}
	codecs := []Codec{n.Codec}
	if n.DTMF >= 0 {
		codecs = append(codecs, Codec{PT: uint8(n.DTMF), Name: TelephoneEvent.Name, Rate: 8000})
	}
	dir := "sendrecv"
	switch d.Direction {
	case "sendonly":
		dir = "recvonly"
	case "recvonly":
		dir = "sendonly"
	case "inactive":
		dir = "inactive"
	}
	return Offer(addr, port, sessID, codecs, dir), n, nil
}

// WithSSRC adds a=ssrc:SSRC cname:callsim (RFC 5576) to the audio stream
// of an SDP body built by Offer or Answer (one m= line, the last section):
// the far end can then tell this call's packets from those of the other
// calls sharing the port.
func WithSSRC(sdp []byte, ssrc uint32) []byte {
	out := make([]byte, 0, len(sdp)+32)
	out = append(out, sdp...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\r', '\n')
	}
	out = append(out, "a=ssrc:"...)
	out = strconv.AppendUint(out, uint64(ssrc), 10)
	return append(out, " cname:callsim\r\n"...)
}

// ErrNoSDP is returned when a message that should carry SDP has none.
var ErrNoSDP = errors.New("no SDP body")
