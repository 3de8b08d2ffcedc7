package reconcile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// WAVInfo is what a WAV file's header says about its audio.
type WAVInfo struct {
	// Format is the fmt chunk's format tag (1 PCM, 3 IEEE float, 6 A-law,
	// 7 µ-law; WAVE_FORMAT_EXTENSIBLE is resolved to its sub-format).
	Format        int   `json:"format"`
	Channels      int   `json:"channels"`
	SampleRate    int   `json:"sample_rate"`
	BitsPerSample int   `json:"bits_per_sample"`
	ByteRate      int   `json:"byte_rate"`
	BlockAlign    int   `json:"block_align"`
	DataBytes     int64 `json:"data_bytes"`
	// Seconds is the audio's duration: frames (data bytes / block align)
	// over the sample rate for PCM and G.711; for other formats the fact
	// chunk's sample count over the rate, else data bytes over the byte
	// rate.
	Seconds float64 `json:"seconds"`
	// Truncated: the data chunk says more bytes than the file holds (a
	// recording cut off while written); Seconds counts those it holds.
	Truncated bool `json:"truncated,omitempty"`
}

// WAV format tags.
const (
	wavPCM        = 1
	wavFloat      = 3
	wavALaw       = 6
	wavMuLaw      = 7
	wavExtensible = 0xFFFE
)

// Bounds of the header scan: a WAV file's chunks before its audio are few
// and small.
const (
	maxWAVChunks   = 256
	maxFmtChunk    = 1 << 10
	maxWAVFileSize = 1 << 40
)

// ReadWAV reads the header of a WAV file of size bytes: the RIFF chunks up
// to the data chunk, reading only their headers and the fmt and fact
// chunks (a few dozen bytes), seeking over the others and the audio. A
// file that is not RIFF/WAVE, has no fmt or data chunk, or an impossible
// format is refused with the reason.
func ReadWAV(r io.ReadSeeker, size int64) (WAVInfo, error) {
	var info WAVInfo
	if size < 12 {
		return info, fmt.Errorf("not a WAV file: %d bytes, shorter than a RIFF header", size)
	}
	if size > maxWAVFileSize {
		return info, fmt.Errorf("%d bytes: larger than a WAV file can be", size)
	}
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return info, fmt.Errorf("reading the RIFF header: %w", err)
	}
	switch {
	case string(hdr[0:4]) == "RF64" || string(hdr[0:4]) == "BW64":
		return info, fmt.Errorf("an RF64 (64-bit) WAV file: not supported; convert it to a plain WAV")
	case string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE":
		return info, fmt.Errorf("not a WAV file: starts with %q, want \"RIFF....WAVE\"", printable(hdr[:]))
	}
	pos := int64(12)
	haveFmt := false
	var factSamples int64 = -1
	for chunks := 0; ; chunks++ {
		if chunks == maxWAVChunks {
			return info, fmt.Errorf("no data chunk in the first %d chunks", maxWAVChunks)
		}
		if pos+8 > size {
			return info, errors.New("no data chunk: the file ends before the audio")
		}
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return info, fmt.Errorf("reading a chunk header at byte %d: %w", pos, err)
		}
		id, n := string(ch[0:4]), int64(binary.LittleEndian.Uint32(ch[4:8]))
		pos += 8
		switch id {
		case "fmt ":
			if n < 16 || n > maxFmtChunk {
				return info, fmt.Errorf("fmt chunk of %d bytes: want 16 to %d", n, maxFmtChunk)
			}
			if pos+n > size {
				return info, errors.New("the file ends inside the fmt chunk")
			}
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				return info, fmt.Errorf("reading the fmt chunk: %w", err)
			}
			info.Format = int(binary.LittleEndian.Uint16(b[0:2]))
			info.Channels = int(binary.LittleEndian.Uint16(b[2:4]))
			info.SampleRate = int(binary.LittleEndian.Uint32(b[4:8]))
			info.ByteRate = int(binary.LittleEndian.Uint32(b[8:12]))
			info.BlockAlign = int(binary.LittleEndian.Uint16(b[12:14]))
			info.BitsPerSample = int(binary.LittleEndian.Uint16(b[14:16]))
			if info.Format == wavExtensible {
				if n < 40 {
					return info, fmt.Errorf("WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes: want at least 40", n)
				}
				info.Format = int(binary.LittleEndian.Uint16(b[24:26])) // the sub-format GUID's first two bytes
			}
			if err := checkFmt(info); err != nil {
				return info, err
			}
			haveFmt = true
			pos += n
		case "fact":
			if n >= 4 && n <= maxFmtChunk && pos+n <= size {
				b := make([]byte, n)
				if _, err := io.ReadFull(r, b); err != nil {
					return info, fmt.Errorf("reading the fact chunk: %w", err)
				}
				factSamples = int64(binary.LittleEndian.Uint32(b[0:4]))
				pos += n
			} else {
				pos += n
				if _, err := r.Seek(pos, io.SeekStart); err != nil {
					return info, err
				}
			}
		case "data":
			if !haveFmt {
				return info, errors.New("the data chunk comes before the fmt chunk: no format to read it with")
			}
			info.DataBytes = n
			if n == 0xFFFFFFFF || pos+n > size {
				info.DataBytes, info.Truncated = size-pos, n != 0xFFFFFFFF
			}
			info.Seconds = duration(info, factSamples)
			return info, nil
		default:
			pos += n
			if _, err := r.Seek(pos, io.SeekStart); err != nil {
				return info, err
			}
		}
		if n%2 == 1 { // chunks are padded to an even size
			pos++
			if _, err := r.Seek(pos, io.SeekStart); err != nil {
				return info, err
			}
		}
	}
}

func checkFmt(i WAVInfo) error {
	switch {
	case i.Channels < 1 || i.Channels > 64:
		return fmt.Errorf("fmt chunk: %d channels", i.Channels)
	case i.SampleRate < 1 || i.SampleRate > 1_536_000:
		return fmt.Errorf("fmt chunk: sample rate %d Hz", i.SampleRate)
	case i.BlockAlign < 1:
		return fmt.Errorf("fmt chunk: block align %d", i.BlockAlign)
	case i.ByteRate < 1:
		return fmt.Errorf("fmt chunk: byte rate %d", i.ByteRate)
	}
	if linear(i.Format) && i.BlockAlign != i.Channels*((i.BitsPerSample+7)/8) {
		return fmt.Errorf("fmt chunk: block align %d for %d channels of %d bits", i.BlockAlign, i.Channels, i.BitsPerSample)
	}
	return nil
}

// linear formats have whole frames of BlockAlign bytes per sample time.
func linear(f int) bool { return f == wavPCM || f == wavFloat || f == wavALaw || f == wavMuLaw }

func duration(i WAVInfo, factSamples int64) float64 {
	switch {
	case linear(i.Format):
		return float64(i.DataBytes/int64(i.BlockAlign)) / float64(i.SampleRate)
	case factSamples >= 0 && !i.Truncated:
		return float64(factSamples) / float64(i.SampleRate)
	}
	return float64(i.DataBytes) / float64(i.ByteRate)
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
