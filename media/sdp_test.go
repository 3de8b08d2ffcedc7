package media

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseNegotiate(t *testing.T) {
	sipp := "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	tests := []struct {
		name    string
		sdp     string
		remote  string
		codec   string
		dtmf    int
		wantErr string
	}{
		{"sipp uas", sipp, "127.0.0.1:6000", "PCMU", -1, ""},
		{"pcma first with dtmf", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\n", "10.0.0.1:4000", "PCMA", 96, ""},
		{"media-level c=", "v=0\nc=IN IP4 10.0.0.1\nm=audio 4000 RTP/AVP 0\nc=IN IP4 10.0.0.2\n", "10.0.0.2:4000", "PCMU", -1, ""},
		{"ipv6", "v=0\r\nc=IN IP6 ::1\r\nm=audio 4002 RTP/AVP 0\r\n", "[::1]:4002", "PCMU", -1, ""},
		{"video first", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=video 5000 RTP/AVP 96\r\nm=audio 4000 RTP/AVP 0\r\n", "10.0.0.1:4000", "PCMU", -1, ""},
		{"no common codec", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 18 9\r\na=rtpmap:18 G729/8000\r\n", "", "", 0, "no common codec"},
		{"rejected", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 0 RTP/AVP 0\r\n", "", "", 0, "rejected"},
		{"no audio", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=video 4000 RTP/AVP 96\r\n", "", "", 0, "no m=audio"},
		{"no c=", "v=0\r\nm=audio 4000 RTP/AVP 0\r\n", "", "", 0, "no c="},
		{"srtp", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\n", "", "", 0, "SRTP"},
		{"host name", "v=0\r\nc=IN IP4 pbx.example\r\nm=audio 4000 RTP/AVP 0\r\n", "", "", 0, "not an IP"},
		{"garbage", "hello", "", "", 0, "TYPE=VALUE"},
		{"empty", "", "", "", 0, "empty"},
		{"hold", "v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n", "", "", 0, "on hold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseSDP([]byte(tt.sdp))
			var n Negotiated
			if err == nil {
				n, err = Negotiate(d, DefaultOffer)
			}
			if tt.wantErr != "" {
				var se *SDPError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &se) {
					t.Fatalf("err = %v, want an SDPError with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.Remote.String() != tt.remote || n.Codec.Name != tt.codec || n.DTMF != tt.dtmf {
				t.Errorf("got %v %s dtmf %d, want %s %s %d", n.Remote, n.Codec.Name, n.DTMF, tt.remote, tt.codec, tt.dtmf)
			}
		})
	}
}

func TestOfferAnswerRoundTrip(t *testing.T) {
	offer := Offer(netip.MustParseAddr("127.0.0.1"), 16384, 7, DefaultOffer, "")
	ans, n, err := Answer(offer, netip.MustParseAddr("127.0.0.2"), 20000, 9)
	if err != nil {
		t.Fatal(err)
	}
	if n.Codec != PCMU || n.DTMF != PTTelephoneEvent || n.Remote.String() != "127.0.0.1:16384" {
		t.Errorf("answerer negotiated %+v", n)
	}
	d, err := ParseSDP(ans)
	if err != nil {
		t.Fatal(err)
	}
	n2, err := Negotiate(d, DefaultOffer)
	if err != nil {
		t.Fatal(err)
	}
	if n2.Codec != PCMU || n2.DTMF != PTTelephoneEvent || n2.Remote.String() != "127.0.0.2:20000" || len(d.Codecs) != 2 {
		t.Errorf("offerer negotiated %+v from %q", n2, ans)
	}
}

func TestSSRCAttribute(t *testing.T) {
	offer := Offer(netip.MustParseAddr("127.0.0.1"), 4000, 1, DefaultOffer, "")
	for _, tc := range []struct {
		name string
		body []byte
		want uint32
	}{
		{"none", offer, 0},
		{"added", WithSSRC(offer, 4294967295), 4294967295},
		{"first of two", WithSSRC(WithSSRC(offer, 7), 9), 7},
		{"not a number", append(append([]byte{}, offer...), "a=ssrc:x cname:y\r\n"...), 0},
		{"video's is not audio's", WithSSRC(append(append([]byte{}, offer...), "m=video 4002 RTP/AVP 96\r\n"...), 5), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseSDP(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if d.SSRC != tc.want {
				t.Errorf("SSRC %d, want %d\n%s", d.SSRC, tc.want, tc.body)
			}
		})
	}
	// An answer keeps working with the attribute in the offer.
	if _, _, err := Answer(WithSSRC(offer, 3), netip.MustParseAddr("127.0.0.1"), 5000, 2); err != nil {
		t.Fatal(err)
	}
}
