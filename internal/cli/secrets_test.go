package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// digestUAS answers INVITE and REGISTER with a digest challenge (401
// WWW-Authenticate, or 407 Proxy-Authenticate), then 200 when the
// credentials match password and 403 otherwise; BYE with 200.
type digestUAS struct {
	port     int
	password string
	proxy    bool // challenge with 407
	ok, bad  atomic.Int64
}

func startDigestUAS(t *testing.T, password string, proxy bool) *digestUAS {
	t.Helper()
	u := &digestUAS{password: password, proxy: proxy}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("digestuas"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	srv.OnInvite(u.handle)
	srv.OnRegister(u.handle)
	srv.OnAck(func(*sip.Request, sip.ServerTransaction) {})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.port = pc.LocalAddr().(*net.UDPAddr).Port
	go func() { _ = srv.ServeUDP(pc) }()
	t.Cleanup(func() { _ = pc.Close(); _ = srv.Close(); _ = ua.Close() })
	return u
}

func (u *digestUAS) handle(req *sip.Request, tx sip.ServerTransaction) {
	code, chalHdr, credHdr := sip.StatusUnauthorized, "WWW-Authenticate", "Authorization"
	if u.proxy {
		code, chalHdr, credHdr = sip.StatusProxyAuthRequired, "Proxy-Authenticate", "Proxy-Authorization"
	}
	h := req.GetHeader(credHdr)
	if h == nil {
		res := sip.NewResponseFromRequest(req, code, "", nil)
		chal := digest.Challenge{Realm: "callsim.test", Nonce: sip.GenerateTagN(16), Algorithm: "MD5", QOP: []string{"auth"}}
		res.AppendHeader(sip.NewHeader(chalHdr, chal.String()))
		_ = tx.Respond(res)
		return
	}
	cred, err := digest.ParseCredentials(h.Value())
	ok := err == nil
	if ok {
		want, err := digest.Digest(&digest.Challenge{Realm: cred.Realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque, QOP: []string{cred.QOP}},
			digest.Options{Method: string(req.Method), URI: cred.URI, Username: cred.Username, Password: u.password, Cnonce: cred.Cnonce, Count: cred.Nc})
		ok = err == nil && want.Response == cred.Response
	}
	if !ok {
		u.bad.Add(1)
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
		return
	}
	u.ok.Add(1)
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if req.Method == sip.INVITE {
		res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "uas", Host: "127.0.0.1", Port: u.port}})
	}
	_ = tx.Respond(res)
}

// TestLoadPasswordNeverShown: digest authentication with the password from
// $CALLSIM_SIP_PASSWORD or --password-file, challenged with 401 or 407, for
// calls and registrations, with the right and a wrong password: the
// password appears nowhere in stdout, stderr (with --verbose debug logs and
// --progress), the --json result, the --cdr file, the --out report files,
// or the error messages.
func TestLoadPasswordNeverShown(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	const secret = "S3cret-Pw-4711"
	tests := []struct {
		name      string
		fromFile  bool
		proxy     bool
		mode      string
		uasPass   string // what the UAS expects
		wantOK    bool
		extraArgs []string
	}{
		{"env 401 call", false, false, "call", secret, true, nil},
		{"file 407 call", true, true, "call", secret, true, nil},
		{"file 401 register", true, false, "register", secret, true, nil},
		{"env 407 register", false, true, "register", secret, true, nil},
		{"env wrong password", false, false, "call", "other-password", false, nil},
		{"file wrong password 407", true, true, "register", "other-password", false, nil},
		{"threshold failure", false, false, "call", "other-password", false, []string{"--threshold", "ser>=100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uas := startDigestUAS(t, tt.uasPass, tt.proxy)
			dir := t.TempDir()
			jsonPath, cdrPath, outDir := filepath.Join(dir, "r.json"), filepath.Join(dir, "cdr.csv"), filepath.Join(dir, "report")
			args := []string{fmt.Sprintf("sip:service@127.0.0.1:%d", uas.port), "--rate", "20", "--max-calls", "4",
				"--mode", tt.mode, "--from", "alice", "--timeout", "5s", "--hold", "100ms",
				"--json", jsonPath, "--cdr", cdrPath, "--out", outDir, "--progress", "--verbose"}
			t.Setenv(passwordEnv, "")
			if tt.fromFile {
				pw := filepath.Join(dir, "pw")
				if err := os.WriteFile(pw, []byte(secret+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--password-file", pw)
			} else {
				t.Setenv(passwordEnv, secret)
			}
			args = append(args, tt.extraArgs...)
			code, stdout, stderr := execLoad(t, args...)
			if tt.wantOK {
				if code != 0 || uas.ok.Load() != 4 || uas.bad.Load() != 0 {
					t.Errorf("exit %d, %d authenticated, %d refused; want 0, 4, 0\nstdout:\n%s\nstderr:\n%s", code, uas.ok.Load(), uas.bad.Load(), stdout, tail(stderr))
				}
			} else if uas.bad.Load() != 4 || uas.ok.Load() != 0 {
				t.Errorf("%d refused, %d authenticated; want 4 and 0", uas.bad.Load(), uas.ok.Load())
			}
			if len(tt.extraArgs) > 0 && code != ExitThreshold {
				t.Errorf("exit %d, want %d", code, ExitThreshold)
			}
			texts := map[string]string{"stdout": stdout, "stderr": stderr}
			files := []string{jsonPath, cdrPath}
			entries, _ := os.ReadDir(outDir)
			for _, e := range entries {
				files = append(files, filepath.Join(outDir, e.Name()))
			}
			if len(entries) == 0 {
				t.Errorf("no report files in --out %s", outDir)
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Errorf("%s: %v", f, err)
					continue
				}
				texts[filepath.Base(f)] = string(b)
			}
			if !strings.Contains(stderr, "level=DEBUG") {
				t.Errorf("no debug log lines on stderr with --verbose:\n%s", tail(stderr))
			}
			for name, text := range texts {
				if strings.Contains(text, secret) {
					i := strings.Index(text, secret)
					t.Errorf("%s shows the password: ...%s...", name, text[max(0, i-200):min(len(text), i+50)])
				}
			}
		})
	}
}

// TestPasswordFileErrors: a missing or unreadable --password-file is a
// usage error naming the flag, never echoing a password.
func TestPasswordFileErrors(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(passwordEnv, "Env-Secret-99")
	code, stdout, stderr := execLoad(t, "sip:a@127.0.0.1:9", "--rate", "1", "--max-calls", "1", "--password-file", filepath.Join(dir, "missing"))
	if code != ExitUsage || !strings.Contains(stderr, "--password-file") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if strings.Contains(stdout+stderr, "Env-Secret-99") {
		t.Errorf("the password from the environment is shown:\n%s%s", stdout, stderr)
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}
