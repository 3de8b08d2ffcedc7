package reconcile

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

type chunk struct {
	id   string
	body []byte
}

// riff builds a RIFF/WAVE file from chunks (padded to even sizes).
func riff(chunks ...chunk) []byte {
	var b bytes.Buffer
	for _, c := range chunks {
		b.WriteString(c.id)
		binary.Write(&b, binary.LittleEndian, uint32(len(c.body)))
		b.Write(c.body)
		if len(c.body)%2 == 1 {
			b.WriteByte(0)
		}
	}
	var out bytes.Buffer
	out.WriteString("RIFF")
	binary.Write(&out, binary.LittleEndian, uint32(4+b.Len()))
	out.WriteString("WAVE")
	out.Write(b.Bytes())
	return out.Bytes()
}

func fmtChunk(format, channels, rate, bits int) chunk {
	align := channels * ((bits + 7) / 8)
	var b bytes.Buffer
	for _, v := range []any{uint16(format), uint16(channels), uint32(rate), uint32(rate * align), uint16(align), uint16(bits)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	return chunk{"fmt ", b.Bytes()}
}

// wavFile is a WAV file of seconds of silence.
func wavFile(format, channels, rate, bits int, seconds float64) []byte {
	f := fmtChunk(format, channels, rate, bits)
	n := int(math.Round(seconds*float64(rate))) * channels * ((bits + 7) / 8)
	return riff(f, chunk{"data", make([]byte, n)})
}

func readWAVBytes(b []byte) (WAVInfo, error) { return ReadWAV(bytes.NewReader(b), int64(len(b))) }

// TestReadWAV: durations from the header of PCM (mono, stereo, 24-bit),
// G.711 µ-law and A-law, IEEE float, WAVE_FORMAT_EXTENSIBLE, a compressed
// format by its fact chunk; chunks of odd size before the audio are
// skipped with their padding; a data chunk longer than the file is a
// truncated recording, timed by the bytes it holds.
func TestReadWAV(t *testing.T) {
	ext := fmtChunk(wavExtensible, 1, 8000, 16)
	ext.body = append(ext.body, make([]byte, 24)...)
	binary.LittleEndian.PutUint16(ext.body[16:18], 22)
	binary.LittleEndian.PutUint16(ext.body[24:26], wavPCM)
	// GSM 6.10 (49): 65 bytes per 320 samples, 1625 bytes a second at 8 kHz.
	gsm := fmtChunk(49, 1, 8000, 0)
	binary.LittleEndian.PutUint32(gsm.body[8:12], 1625)
	binary.LittleEndian.PutUint16(gsm.body[12:14], 65)
	fact := make([]byte, 4)
	binary.LittleEndian.PutUint32(fact, 8000*12)
	truncated := wavFile(wavMuLaw, 1, 8000, 8, 10)
	binary.LittleEndian.PutUint32(truncated[40:44], 8000*30) // the header says 30 s
	for _, tt := range []struct {
		name      string
		data      []byte
		seconds   float64
		truncated bool
	}{
		{"pcm mono", wavFile(wavPCM, 1, 8000, 16, 61), 61, false},
		{"pcm stereo 44.1k", wavFile(wavPCM, 2, 44100, 16, 2.5), 2.5, false},
		{"pcm 24-bit", wavFile(wavPCM, 1, 48000, 24, 1), 1, false},
		{"mu-law", wavFile(wavMuLaw, 1, 8000, 8, 95), 95, false},
		{"a-law", wavFile(wavALaw, 1, 8000, 8, 0.5), 0.5, false},
		{"float", wavFile(wavFloat, 1, 16000, 32, 3), 3, false},
		{"extensible", riff(ext, chunk{"data", make([]byte, 16000*4)}), 4, false},
		{"gsm by fact", riff(gsm, chunk{"fact", fact}, chunk{"data", make([]byte, 1625*12)}), 12, false},
		{"odd chunk before data", riff(chunk{"LIST", []byte("INFOISFT\x03\x00\x00\x00ab\x00")}, fmtChunk(wavPCM, 1, 8000, 16),
			chunk{"junk", []byte{1, 2, 3}}, chunk{"data", make([]byte, 16000)}), 1, false},
		{"truncated", truncated, 10, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			info, err := readWAVBytes(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(info.Seconds-tt.seconds) > 1e-9 || info.Truncated != tt.truncated {
				t.Errorf("%+v, want %v s (truncated %v)", info, tt.seconds, tt.truncated)
			}
		})
	}
}

// TestReadWAVRefused: anything that is not a WAV file, or a WAV file
// whose header cannot be timed, is refused with the reason.
func TestReadWAVRefused(t *testing.T) {
	badFmt := fmtChunk(wavPCM, 1, 0, 16)
	badAlign := fmtChunk(wavPCM, 2, 8000, 16)
	binary.LittleEndian.PutUint16(badAlign.body[12:14], 3)
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"mp3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00 some mp3 frames"), `not a WAV file: starts with "ID3`},
		{"text", []byte("call_id,file\na1,a1.wav\n"), "not a WAV file"},
		{"short", []byte("RIFF"), "shorter than a RIFF header"},
		{"rf64", append([]byte("RF64\xff\xff\xff\xffWAVE"), make([]byte, 40)...), "RF64"},
		{"no data", riff(fmtChunk(wavPCM, 1, 8000, 16)), "no data chunk"},
		{"data first", riff(chunk{"data", make([]byte, 8)}, fmtChunk(wavPCM, 1, 8000, 16)), "before the fmt chunk"},
		{"rate 0", riff(badFmt, chunk{"data", make([]byte, 8)}), "sample rate 0"},
		{"block align", riff(badAlign, chunk{"data", make([]byte, 8)}), "block align 3"},
		{"fmt too short", riff(chunk{"fmt ", make([]byte, 10)}, chunk{"data", nil}), "fmt chunk of 10 bytes"},
		{"chunk beyond the end", riff(chunk{"LIST", make([]byte, 4)})[:20], "no data chunk"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := readWAVBytes(tt.data); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
		})
	}
}

// FuzzReadWAV: any input is a WAV header or an error, never a panic, and a
// duration is finite and not negative.
func FuzzReadWAV(f *testing.F) {
	f.Add(wavFile(wavPCM, 1, 8000, 16, 0.01))
	f.Add(wavFile(wavMuLaw, 2, 8000, 8, 0.02))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt "))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := readWAVBytes(data)
		if err != nil {
			return
		}
		if info.Seconds < 0 || math.IsNaN(info.Seconds) || math.IsInf(info.Seconds, 0) || info.DataBytes < 0 {
			t.Fatalf("%+v", info)
		}
	})
}
