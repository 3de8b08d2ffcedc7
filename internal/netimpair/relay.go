package netimpair

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Impairment is what happens to the datagrams of one direction.
type Impairment struct {
	// Loss is the probability in [0, 1] that a datagram is dropped.
	Loss float64
	// Duplicate is the probability in [0, 1] that a forwarded datagram is
	// sent twice (the copy with its own delay).
	Duplicate float64
	// Delay is added to every forwarded datagram.
	Delay time.Duration
	// Jitter adds a uniform random delay in [0, Jitter) on top of Delay;
	// datagrams can then overtake each other (reordering).
	Jitter time.Duration
}

func (im Impairment) validate(dir string) error {
	var errs []error
	if !(im.Loss >= 0 && im.Loss <= 1) {
		errs = append(errs, fmt.Errorf("netimpair: %s loss %v: want a probability in [0, 1]", dir, im.Loss))
	}
	if !(im.Duplicate >= 0 && im.Duplicate <= 1) {
		errs = append(errs, fmt.Errorf("netimpair: %s duplicate %v: want a probability in [0, 1]", dir, im.Duplicate))
	}
	if im.Delay < 0 || im.Jitter < 0 {
		errs = append(errs, fmt.Errorf("netimpair: %s delay %v and jitter %v must not be negative", dir, im.Delay, im.Jitter))
	}
	return errors.Join(errs...)
}

// Config describes a relay.
type Config struct {
	// Upstream is the host:port datagrams from clients are forwarded to.
	Upstream string
	// Listen is the address clients send to (default 127.0.0.1:0, or
	// [::1]:0 for an IPv6 upstream).
	Listen string
	// Up impairs client -> upstream datagrams, Down upstream -> client.
	Up, Down Impairment
	// Seed fixes the random decisions (loss, jitter, duplication).
	Seed uint64
	// MaxClients bounds the number of distinct client addresses (default
	// 1024); datagrams from further clients are dropped.
	MaxClients int
	// Logger receives diagnostics (default: discarded).
	Logger *slog.Logger
}

// DirStats counts what happened in one direction.
type DirStats struct {
	Received   uint64 `json:"received"`    // datagrams read
	Forwarded  uint64 `json:"forwarded"`   // datagrams written (duplicates included)
	Dropped    uint64 `json:"dropped"`     // lost by the Loss probability
	Duplicated uint64 `json:"duplicated"`  // extra copies sent
	BlackHoled uint64 `json:"black_holed"` // dropped while the black hole was on
	Errors     uint64 `json:"errors"`      // writes that failed
}

// Stats counts both directions.
type Stats struct {
	Up   DirStats `json:"up"`   // client -> upstream
	Down DirStats `json:"down"` // upstream -> client
}

type dirCounters struct {
	received, forwarded, dropped, duplicated, blackHoled, errors atomic.Uint64
}

func (d *dirCounters) snapshot() DirStats {
	return DirStats{Received: d.received.Load(), Forwarded: d.forwarded.Load(), Dropped: d.dropped.Load(),
		Duplicated: d.duplicated.Load(), BlackHoled: d.blackHoled.Load(), Errors: d.errors.Load()}
}

// direction holds one direction's impairment and random stream.
type direction struct {
	mu  sync.Mutex
	im  Impairment
	rng *rand.Rand
	c   dirCounters
}

// decide returns the delays of the copies to send (none: dropped).
func (d *direction) decide() (copies [2]time.Duration, n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.im.Loss > 0 && d.rng.Float64() < d.im.Loss {
		return copies, 0
	}
	n = 1
	if d.im.Duplicate > 0 && d.rng.Float64() < d.im.Duplicate {
		n = 2
	}
	for i := range n {
		delay := d.im.Delay
		if d.im.Jitter > 0 {
			delay += time.Duration(d.rng.Int64N(int64(d.im.Jitter)))
		}
		copies[i] = delay
	}
	return copies, n
}

// Relay is a running impairing UDP relay. Its methods are safe for
// concurrent use.
type Relay struct {
	cfg      Config
	log      *slog.Logger
	listen   *net.UDPConn
	upstream *net.UDPAddr
	up, down direction

	blackHole atomic.Bool

	mu       sync.Mutex
	sessions map[string]*session
	closed   bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // reader goroutines and pending delayed writes
}

// session is one client's own socket towards the upstream.
type session struct {
	client *net.UDPAddr
	conn   *net.UDPConn
}

// New starts a relay; it runs until ctx is cancelled or Close is called.
func New(ctx context.Context, cfg Config) (*Relay, error) {
	if cfg.Upstream == "" {
		return nil, errors.New("netimpair: no upstream address (host:port)")
	}
	up, err := net.ResolveUDPAddr("udp", cfg.Upstream)
	if err != nil {
		return nil, fmt.Errorf("netimpair: upstream %q: %w", cfg.Upstream, err)
	}
	if err := errors.Join(cfg.Up.validate("up"), cfg.Down.validate("down")); err != nil {
		return nil, err
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
		if up.IP.To4() == nil && up.IP != nil {
			cfg.Listen = "[::1]:0"
		}
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 1024
	}
	la, err := net.ResolveUDPAddr("udp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("netimpair: listen address %q: %w", cfg.Listen, err)
	}
	lc, err := net.ListenUDP("udp", la)
	if err != nil {
		return nil, fmt.Errorf("netimpair: listen on %s: %w", cfg.Listen, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Relay{cfg: cfg, log: log, listen: lc, upstream: up, sessions: map[string]*session{}}
	r.up.im, r.down.im = cfg.Up, cfg.Down
	r.up.rng = rand.New(rand.NewPCG(cfg.Seed, 0x7570))
	r.down.rng = rand.New(rand.NewPCG(cfg.Seed, 0x646f776e))
	r.ctx, r.cancel = context.WithCancel(ctx)
	r.wg.Add(1)
	go r.readClients()
	go func() {
		<-r.ctx.Done()
		r.shutdown()
	}()
	return r, nil
}

// Addr is the address clients send to.
func (r *Relay) Addr() *net.UDPAddr { return r.listen.LocalAddr().(*net.UDPAddr) }

// Upstream is the address datagrams are forwarded to.
func (r *Relay) Upstream() *net.UDPAddr { return r.upstream }

// SetBlackHole drops every datagram in both directions while on (counted
// as BlackHoled), as if the upstream had died; off, forwarding resumes.
// Datagrams already delayed in flight are still delivered.
func (r *Relay) SetBlackHole(on bool) { r.blackHole.Store(on) }

// BlackHole reports whether the black hole is on.
func (r *Relay) BlackHole() bool { return r.blackHole.Load() }

// SetImpairment changes both directions' impairments for the datagrams
// that follow.
func (r *Relay) SetImpairment(up, down Impairment) error {
	if err := errors.Join(up.validate("up"), down.validate("down")); err != nil {
		return err
	}
	r.up.mu.Lock()
	r.up.im = up
	r.up.mu.Unlock()
	r.down.mu.Lock()
	r.down.im = down
	r.down.mu.Unlock()
	return nil
}

// Stats returns the counters so far.
func (r *Relay) Stats() Stats {
	return Stats{Up: r.up.c.snapshot(), Down: r.down.c.snapshot()}
}

// Clients returns the number of client addresses seen.
func (r *Relay) Clients() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sessions)
}

// Close stops the relay, closes its sockets and waits for its goroutines;
// delayed datagrams not yet sent are discarded.
func (r *Relay) Close() error {
	r.cancel()
	r.shutdown()
	r.wg.Wait()
	return nil
}

func (r *Relay) shutdown() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	sessions := r.sessions
	r.mu.Unlock()
	_ = r.listen.Close()
	for _, s := range sessions {
		_ = s.conn.Close()
	}
}

const maxDatagram = 65535

func (r *Relay) readClients() {
	defer r.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := r.listen.ReadFromUDP(buf)
		if err != nil {
			if r.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			r.log.Debug("netimpair: read from clients", "error", err)
			continue
		}
		r.up.c.received.Add(1)
		s := r.session(from)
		if s == nil {
			r.up.c.dropped.Add(1)
			continue
		}
		r.forward(&r.up, buf[:n], func(p []byte) error {
			_, err := s.conn.WriteToUDP(p, r.upstream)
			return err
		})
	}
}

// session returns the client's session, creating it (and its reader) on
// the first datagram; nil when closed or too many clients.
func (r *Relay) session(client *net.UDPAddr) *session {
	key := client.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.sessions[key]; ok {
		return s
	}
	if r.closed || len(r.sessions) >= r.cfg.MaxClients {
		return nil
	}
	la := &net.UDPAddr{IP: r.Addr().IP}
	conn, err := net.ListenUDP("udp", la)
	if err != nil {
		r.log.Debug("netimpair: socket for client", "client", key, "error", err)
		return nil
	}
	s := &session{client: client, conn: conn}
	r.sessions[key] = s
	r.wg.Add(1)
	go r.readUpstream(s)
	return s
}

// readUpstream forwards what arrives on a client's socket back to it.
func (r *Relay) readUpstream(s *session) {
	defer r.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, _, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			if r.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			r.log.Debug("netimpair: read from upstream", "client", s.client.String(), "error", err)
			continue
		}
		r.down.c.received.Add(1)
		r.forward(&r.down, buf[:n], func(p []byte) error {
			_, err := r.listen.WriteToUDP(p, s.client)
			return err
		})
	}
}

// forward applies the direction's impairment to one datagram.
func (r *Relay) forward(d *direction, p []byte, write func([]byte) error) {
	if r.blackHole.Load() {
		d.c.blackHoled.Add(1)
		return
	}
	delays, n := d.decide()
	if n == 0 {
		d.c.dropped.Add(1)
		return
	}
	if n == 2 {
		d.c.duplicated.Add(1)
	}
	for i := range n {
		send := func(p []byte) {
			if err := write(p); err != nil {
				d.c.errors.Add(1)
				r.log.Debug("netimpair: write", "error", err)
				return
			}
			d.c.forwarded.Add(1)
		}
		if delays[i] <= 0 {
			send(p)
			continue
		}
		cp := append([]byte(nil), p...)
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return
		}
		r.wg.Add(1)
		r.mu.Unlock()
		t := time.NewTimer(delays[i])
		go func() {
			defer r.wg.Done()
			defer t.Stop()
			select {
			case <-t.C:
				send(cp)
			case <-r.ctx.Done():
			}
		}()
	}
}
