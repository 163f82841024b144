// Package hostilejpeg builds small JPEG files that make a decoder do a lot
// of work: huge progressive frames whose scans hold almost no data, and
// scan scripts that send the same band again and again. Tests and the
// hostile-input benchmarks use them; nothing in sharecard serves them.
//
// The files are well-formed as far as Go's image/jpeg is concerned: every
// coefficient is zero (a flat grey photo), and each AC scan covers its
// whole component with end-of-band runs of up to 32767 blocks, so a scan
// of a 100-megapixel component takes under 200 bytes.
package hostilejpeg

import (
	"bytes"
	"encoding/binary"
)

// Scan is one scan of a progressive JPEG, in T.81's terms.
type Scan struct {
	// Comp is the index of the one component the scan codes (scans are
	// never interleaved here).
	Comp int
	// Ss and Se bound the band of coefficients, in zigzag order: 0, 0 for
	// the DC coefficient, within 1-63 for AC ones.
	Ss, Se int
	// Ah and Al are the successive approximation bits: Ah 0 for a first
	// scan, Al the lowest bit it sends.
	Ah, Al int
}

// Spec describes a progressive JPEG.
type Spec struct {
	Width, Height int
	Components    int // 1 (grey) or 3 (colour, 4:4:4)
	Scans         []Scan
}

// Bomb is the file of issue 9: a progressive width×height colour JPEG
// with only AC scans (no DC scan), which encodes to a few hundred bytes
// that Go's decoder turns into 4 bytes per coefficient plus the planes:
// 1.5 GB at 10000×10000.
func Bomb(width, height int) Spec {
	s := Spec{Width: width, Height: height, Components: 3}
	for c := range 3 {
		s.Scans = append(s.Scans, Scan{Comp: c, Ss: 1, Se: 63})
	}
	return s
}

// Standard returns the scans of a plain progressive script for n
// components: each DC coefficient, then each component's AC coefficients
// in two bands, then their last bit.
func Standard(n int) []Scan {
	var s []Scan
	for c := range n {
		s = append(s, Scan{Comp: c, Al: 1})
	}
	for c := range n {
		s = append(s, Scan{Comp: c, Ss: 1, Se: 5, Al: 1}, Scan{Comp: c, Ss: 6, Se: 63, Al: 1})
	}
	for c := range n {
		s = append(s, Scan{Comp: c, Ah: 1}, Scan{Comp: c, Ss: 1, Se: 63, Ah: 1})
	}
	return s
}

// Progressive encodes s. The scans are written as given, valid or not: a
// decoder's checks are what the files test.
func Progressive(s Spec) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xd8})
	// One quantisation table of ones.
	segment(&b, 0xdb, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))
	// SOF2: precision, height, width, components (id, 1×1, table 0).
	sof := []byte{8, byte(s.Height >> 8), byte(s.Height), byte(s.Width >> 8), byte(s.Width), byte(s.Components)}
	for c := range s.Components {
		sof = append(sof, byte(c+1), 0x11, 0)
	}
	segment(&b, 0xc2, sof)
	// DC table 0: one code, "0", for a difference of 0.
	dc := append([]byte{0x00, 1}, make([]byte, 15)...)
	segment(&b, 0xc4, append(dc, 0))
	// AC table 0: the end-of-band runs EOB0-EOB14, 4 bits each.
	ac := append([]byte{0x10, 0, 0, 0, 15}, make([]byte, 12)...)
	for r := range 15 {
		ac = append(ac, byte(r<<4))
	}
	segment(&b, 0xc4, ac)
	blocks := ((s.Width + 7) / 8) * ((s.Height + 7) / 8)
	for _, sc := range s.Scans {
		segment(&b, 0xda, []byte{1, byte(sc.Comp + 1), 0x00, byte(sc.Ss), byte(sc.Se), byte(sc.Ah<<4 | sc.Al)})
		var w bitWriter
		switch {
		case sc.Ss == 0 && sc.Ah == 0: // a zero difference per block
			w.zeros(blocks)
		case sc.Ss == 0: // a zero correction bit per block
			w.zeros(blocks)
		default: // end-of-band runs over every block
			for left := blocks; left > 0; {
				n := min(left, 1<<15-1)
				r := 0
				for 1<<(r+1) <= n {
					r++
				}
				w.bits(uint32(r), 4) // the code of EOBr is r
				w.bits(uint32(n-1<<r), r)
				left -= n
			}
		}
		b.Write(w.flush())
	}
	b.Write([]byte{0xff, 0xd9})
	return b.Bytes()
}

// segment writes a marker segment.
func segment(b *bytes.Buffer, marker byte, body []byte) {
	b.Write([]byte{0xff, marker})
	_ = binary.Write(b, binary.BigEndian, uint16(len(body)+2))
	b.Write(body)
}

// bitWriter packs entropy-coded bits, most significant first, stuffing a
// zero byte after each 0xFF.
type bitWriter struct {
	out  []byte
	acc  uint32
	nacc int
}

func (w *bitWriter) bits(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>i)&1
		w.nacc++
		if w.nacc == 8 {
			w.put(byte(w.acc))
			w.acc, w.nacc = 0, 0
		}
	}
}

// zeros writes n zero bits.
func (w *bitWriter) zeros(n int) {
	for ; n > 0 && w.nacc != 0; n-- {
		w.bits(0, 1)
	}
	w.out = append(w.out, make([]byte, n/8)...)
	w.bits(0, n%8)
}

func (w *bitWriter) put(c byte) {
	w.out = append(w.out, c)
	if c == 0xff {
		w.out = append(w.out, 0)
	}
}

// flush pads the last byte with one bits and returns the data.
func (w *bitWriter) flush() []byte {
	if w.nacc > 0 {
		w.bits(1<<(8-w.nacc)-1, 8-w.nacc)
	}
	return w.out
}
