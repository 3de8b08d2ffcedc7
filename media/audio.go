package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/callsim/callsim/internal/inputfile"
)

// Samples per 20 ms frame at 8 kHz.
const (
	FrameSamples = 160
	FrameMs      = 20
	ClockRate    = 8000
)

// Audio is what a stream plays: 16-bit linear frames of 160 samples,
// played in a loop, encoded to G.711 once per law on first use.
type Audio struct {
	Name   string
	pcm    []int16 // a whole number of frames
	ulaw   []byte
	alaw   []byte
	silent bool
}

// Silence is an Audio of silence.
func Silence() *Audio { return newAudio("silence", make([]int16, FrameSamples), true) }

// Tone is a 425 Hz tone (the European ring and dial tone frequency) at
// -10 dBm0, one second long and played in a loop.
func Tone() *Audio {
	pcm := make([]int16, ClockRate)
	amp := 0.316 * 32767 * 0.7 // about -10 dBm0
	for i := range pcm {
		pcm[i] = int16(amp * math.Sin(2*math.Pi*425*float64(i)/ClockRate))
	}
	return newAudio("tone", pcm, false)
}

func newAudio(name string, pcm []int16, silent bool) *Audio {
	if rem := len(pcm) % FrameSamples; rem != 0 {
		pcm = append(pcm, make([]int16, FrameSamples-rem)...)
	}
	a := &Audio{Name: name, pcm: pcm, silent: silent, ulaw: make([]byte, len(pcm)), alaw: make([]byte, len(pcm))}
	for i, s := range pcm {
		a.ulaw[i] = LinearToUlaw(s)
		a.alaw[i] = LinearToAlaw(s)
	}
	return a
}

// Frames is the number of 20 ms frames before the audio repeats.
func (a *Audio) Frames() int { return len(a.pcm) / FrameSamples }

// Frame returns the G.711 payload of frame i (modulo the length) for the
// payload type (0 PCMU, 8 PCMA). The slice must not be modified.
func (a *Audio) Frame(i int, pt uint8) []byte {
	n := i % a.Frames()
	src := a.ulaw
	if pt == PTPCMA {
		src = a.alaw
	}
	return src[n*FrameSamples : (n+1)*FrameSamples]
}

// ParseAudio reads the --audio value: "silence", "tone", or the path of a
// WAV file (8 kHz, mono, 16-bit PCM).
func ParseAudio(s string) (*Audio, error) {
	switch strings.ToLower(s) {
	case "", "silence":
		return Silence(), nil
	case "tone":
		return Tone(), nil
	}
	data, err := inputfile.Read(context.Background(), s, inputfile.Audio, nil)
	if err != nil {
		return nil, fmt.Errorf("audio %q: want silence, tone or a WAV file: %w", s, err)
	}
	a, err := ReadWAV(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("audio file %s: %w", s, err)
	}
	a.Name = s
	return a, nil
}

// ReadWAV reads a RIFF WAV file of 8 kHz mono 16-bit PCM samples.
func ReadWAV(r io.Reader) (*Audio, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("not a WAV file (short header): %w", err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, errors.New("not a WAV file (no RIFF/WAVE header)")
	}
	const hint = "convert it with: sox IN.wav -r 8000 -c 1 -b 16 -e signed-integer OUT.wav"
	gotFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if !gotFmt {
				return nil, errors.New("WAV file has no fmt chunk")
			}
			return nil, errors.New("WAV file has no data chunk")
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		if size > 1<<30 {
			return nil, fmt.Errorf("WAV chunk %q too large (%d bytes)", id, size)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, errors.New("WAV fmt chunk too short")
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, fmt.Errorf("WAV fmt chunk: %w", err)
			}
			format := binary.LittleEndian.Uint16(b[0:2])
			channels := binary.LittleEndian.Uint16(b[2:4])
			rate := binary.LittleEndian.Uint32(b[4:8])
			bits := binary.LittleEndian.Uint16(b[14:16])
			if format == 0xfffe && size >= 40 { // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
				format = binary.LittleEndian.Uint16(b[24:26])
			}
			if format != 1 || channels != 1 || rate != ClockRate || bits != 16 {
				return nil, fmt.Errorf("WAV is format %d, %d channel(s), %d Hz, %d bits; want PCM (1), mono, 8000 Hz, 16 bits (%s)",
					format, channels, rate, bits, hint)
			}
			gotFmt = true
		case "data":
			if !gotFmt {
				return nil, errors.New("WAV data chunk before the fmt chunk")
			}
			b := make([]byte, size)
			n, err := io.ReadFull(r, b)
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("WAV data: %w", err)
			}
			b = b[:n-n%2]
			if len(b) < 2*FrameSamples {
				return nil, fmt.Errorf("WAV holds %d samples, want at least one 20 ms frame (%d)", len(b)/2, FrameSamples)
			}
			pcm := make([]int16, len(b)/2)
			for i := range pcm {
				pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
			}
			return newAudio("wav", pcm, false), nil
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size+size%2)); err != nil {
				return nil, fmt.Errorf("WAV chunk %q: %w", id, err)
			}
		}
	}
}

// WriteWAV writes 8 kHz mono 16-bit PCM samples as a WAV file (used by
// tests and to make sample prompts).
func WriteWAV(w io.Writer, pcm []int16) error {
	b := make([]byte, 44+2*len(pcm))
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(pcm)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], ClockRate)
	binary.LittleEndian.PutUint32(b[28:], 2*ClockRate)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(pcm)))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	_, err := w.Write(b)
	return err
}
