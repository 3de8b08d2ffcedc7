package loadgen_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// seen is what a test UAS recorded of one INVITE.
type seen struct {
	ruri, from, to, display, authUser string
}

// testUAS is a minimal in-process UAS on loopback: it answers INVITE with
// 200 (after a 401 challenge when passwords is set) and BYE with 200, and
// records each call's parameters by Call-ID.
type testUAS struct {
	Port      int
	passwords map[string]string // user -> password; nil: no authentication

	mu      sync.Mutex
	calls   map[string]seen
	sources map[string]int // INVITEs by source address
	byes    int
	bad     []string
}

// Sources returns the count of answered INVITEs by source address.
func (u *testUAS) Sources() map[string]int {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make(map[string]int, len(u.sources))
	for k, v := range u.sources {
		out[k] = v
	}
	return out
}

func (u *testUAS) Calls() map[string]seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make(map[string]seen, len(u.calls))
	for k, v := range u.calls {
		out[k] = v
	}
	return out
}

// startTestUAS serves tp ("udp", "tcp" or "tls"; tlsConf for tls) on a free
// port of 127.0.0.1 until the test ends.
func startTestUAS(t testing.TB, tp string, tlsConf *tls.Config, passwords map[string]string) *testUAS {
	t.Helper()
	u := &testUAS{passwords: passwords, calls: map[string]seen{}, sources: map[string]int{}}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("testuas"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	srv.OnInvite(u.onInvite)
	srv.OnAck(func(*sip.Request, sip.ServerTransaction) {})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		u.mu.Lock()
		u.byes++
		u.mu.Unlock()
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	var closer func() error
	switch tp {
	case "udp":
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		u.Port = pc.LocalAddr().(*net.UDPAddr).Port
		go func() { _ = srv.ServeUDP(pc) }()
		closer = pc.Close
	case "tcp", "tls":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		u.Port = l.Addr().(*net.TCPAddr).Port
		if tp == "tls" {
			tl := tls.NewListener(l, tlsConf)
			go func() { _ = srv.ServeTLS(tl) }()
		} else {
			go func() { _ = srv.ServeTCP(l) }()
		}
		closer = l.Close
	default:
		t.Fatalf("transport %q", tp)
	}
	t.Cleanup(func() { _ = closer(); _ = srv.Close(); _ = ua.Close() })
	return u
}

const testRealm = "callsim.test"

func (u *testUAS) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	authUser := ""
	if u.passwords != nil {
		h := req.GetHeader("Authorization")
		if h == nil {
			res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
			chal := digest.Challenge{Realm: testRealm, Nonce: sip.GenerateTagN(16), Algorithm: "MD5"}
			res.AppendHeader(sip.NewHeader("WWW-Authenticate", chal.String()))
			_ = tx.Respond(res)
			return
		}
		cred, err := digest.ParseCredentials(h.Value())
		ok := err == nil
		if ok {
			want, err := digest.Digest(&digest.Challenge{Realm: cred.Realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque},
				digest.Options{Method: "INVITE", URI: cred.URI, Username: cred.Username, Password: u.passwords[cred.Username], Cnonce: cred.Cnonce, Count: cred.Nc})
			ok = err == nil && want.Response == cred.Response && u.passwords[cred.Username] != ""
		}
		if !ok {
			u.mu.Lock()
			u.bad = append(u.bad, req.CallID().Value())
			u.mu.Unlock()
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
			return
		}
		authUser = cred.Username
	}
	s := seen{ruri: req.Recipient.User, from: req.From().Address.User, to: req.To().Address.User,
		display: req.From().DisplayName, authUser: authUser}
	u.mu.Lock()
	u.calls[req.CallID().Value()] = s
	u.sources[req.Source()]++
	u.mu.Unlock()
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if _, ok := res.To().Params.Get("tag"); !ok {
		res.To().Params.Add("tag", sip.GenerateTagN(8))
	}
	res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "uas", Host: "127.0.0.1", Port: u.Port}})
	_ = tx.Respond(res)
}

// selfSigned makes a CA-less self-signed certificate for 127.0.0.1 and
// writes it as PEM to dir/cert.pem; it returns the server TLS configuration
// and the PEM path.
func selfSigned(t testing.TB) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "callsim test target"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, path
}
