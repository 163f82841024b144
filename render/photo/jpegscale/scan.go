package jpegscale

import "fmt"

// zigzag maps the zigzag index of a coefficient to its natural (row-major) index.
var zigzag = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
}

// scan decodes one sequential scan over the components scomp (indices into
// d.comps), writing each block's scaled inverse DCT into its plane.
func (d *decoder) scan(scomp []int, ss, se, ah, al int) error {
	if d.progressive {
		return d.addScan(scomp, ss, se, ah, al)
	}
	d.bits.reset(d.data, d.pos)
	for _, ci := range scomp {
		d.comps[ci].dcPred = 0
	}
	mx, my := d.scanSize(scomp)
	if err := d.scanSequential(scomp, mx, my); err != nil {
		return err
	}
	d.pos = d.bits.pos
	d.decodedAny = true
	return nil
}

// scanSize is the MCUs across and down of a scan over scomp.
func (d *decoder) scanSize(scomp []int) (mx, my int) {
	if len(scomp) > 1 {
		return d.mcusX, d.mcusY
	}
	// A non-interleaved scan covers only the component's own blocks.
	c := &d.comps[scomp[0]]
	cw := (d.width*c.h + d.hmax - 1) / d.hmax
	ch := (d.height*c.v + d.vmax - 1) / d.vmax
	return (cw + 7) / 8, (ch + 7) / 8
}

// extend returns the top s bits of acc sign-extended as T.81 F.2.2.1
// specifies (0 for s = 0).
func extend(acc uint64, s uint) int32 {
	v := int32(acc >> (64 - s))
	if s > 0 && v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

// huff decodes one Huffman symbol; b must hold at least 16 bits.
func (b *bitReader) huff(t *huffTable) (byte, bool) {
	if e := t.fast[b.acc>>(64-lookBits)]; e != 0 {
		l := uint(e >> 8)
		b.acc <<= l
		b.n -= int(l)
		return byte(e), true
	}
	return b.decodeSlow(t)
}

func (d *decoder) restart(want int) error {
	p, err := restartAt(d.data, d.bits.pos, want)
	if err != nil {
		return err
	}
	d.pos = p
	d.bits.reset(d.data, p)
	return nil
}

// restartAt finds the marker at or after p, which must be RSTwant, and
// returns the position after it.
func restartAt(data []byte, p, want int) (int, error) {
	for p+1 < len(data) && !(data[p] == 0xFF && data[p+1] != 0 && data[p+1] != 0xFF) {
		p++
	}
	if p+1 >= len(data) {
		return p, &FormatError{p, fmt.Sprintf("file truncated: expected restart marker RST%d", want)}
	}
	if data[p+1] != byte(0xD0+want) {
		return p, &FormatError{p, fmt.Sprintf("expected restart marker RST%d, found marker 0x%02X", want, data[p+1])}
	}
	return p + 2, nil
}
