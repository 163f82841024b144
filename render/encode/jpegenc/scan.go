package jpegenc

import "math/bits"

// put appends the low n bits of v to the entropy-coded data; v has no
// bits above them and n is at most 32.
func (e *encoder) put(v uint64, n uint) {
	e.acc = e.acc<<n | v
	e.nacc += n
	if e.nacc >= 32 {
		e.nacc -= 32
		w := uint32(e.acc >> e.nacc)
		// A byte 0xff in w is a zero byte in ^w.
		if x := ^w; (x-0x01010101)&^x&0x80808080 == 0 {
			e.out = append(e.out, byte(w>>24), byte(w>>16), byte(w>>8), byte(w))
			return
		}
		for s := 24; s >= 0; s -= 8 {
			c := byte(w >> s)
			e.out = append(e.out, c)
			if c == 0xff {
				e.out = append(e.out, 0)
			}
		}
	}
}

// flush pads the last byte with ones and writes out what is left, ending
// a scan's data.
func (e *encoder) flush() {
	if pad := (8 - e.nacc%8) % 8; pad > 0 {
		e.acc = e.acc<<pad | (1<<pad - 1)
		e.nacc += pad
	}
	for e.nacc >= 8 {
		e.nacc -= 8
		c := byte(e.acc >> e.nacc)
		e.out = append(e.out, c)
		if c == 0xff {
			e.out = append(e.out, 0)
		}
	}
	e.acc, e.nacc = 0, 0
}

// magnitude returns the size category of v and its extra bits.
func magnitude(v int32) (uint, uint64) {
	if v < 0 {
		n := uint(bits.Len32(uint32(-v)))
		return n, uint64(v-1) & (1<<n - 1)
	}
	n := uint(bits.Len32(uint32(v)))
	return n, uint64(v)
}

// blockRef is one block of a scan: its component, offset and whether it
// only pads the last MCUs beyond the component's own size. Decoders
// discard such dummy blocks, so they are coded as cheaply as possible
// (no change of DC, no AC).
type blockRef struct {
	off   int
	c     uint8
	dummy bool
}

// interleavedOrder lists the blocks of a scan over all components in MCU
// order. A single-component image's scans are non-interleaved.
func (e *encoder) interleavedOrder() []blockRef {
	pl := e.p.planes
	if len(pl) == 1 {
		return e.componentOrder(0)
	}
	mx, my := pl[0].bw/pl[0].h, pl[0].bh/pl[0].v
	order := make([]blockRef, 0, mx*my*(pl[0].h*pl[0].v+len(pl)-1))
	for y := range my {
		for x := range mx {
			for c := range pl {
				p := &pl[c]
				for by := range p.v {
					for bx := range p.h {
						bxx, byy := x*p.h+bx, y*p.v+by
						order = append(order, blockRef{(byy*p.bw + bxx) * 64, uint8(c), bxx >= p.cw || byy >= p.ch})
					}
				}
			}
		}
	}
	return order
}

// componentOrder lists the blocks of a non-interleaved scan of component
// c, which covers only the blocks the component's own size needs.
func (e *encoder) componentOrder(c int) []blockRef {
	p := &e.p.planes[c]
	order := make([]blockRef, 0, p.cw*p.ch)
	for y := range p.ch {
		for x := range p.cw {
			order = append(order, blockRef{(y*p.bw + x) * 64, uint8(c), false})
		}
	}
	return order
}

// tableSet holds symbol counts, then codes, for up to four tables: luma
// DC, luma AC, chroma DC, chroma AC.
type tableSet struct {
	freq [4][256]int64
	code [4]*huffCode
}

// build makes optimised tables for the given indexes of t from its
// counts, returning them for a DHT segment with the given ids.
func (t *tableSet) build(idx ...int) []dhtTable {
	var out []dhtTable
	for _, i := range idx {
		spec := optimalSpec(&t.freq[i])
		t.code[i] = spec.codes()
		out = append(out, dhtTable{class: byte(i % 2), id: byte(i / 2), spec: spec})
	}
	return out
}

// A symbol is one Huffman-coded symbol and its extra bits, packed as
// table<<29 | symbol<<21 | extra length<<16 | extra bits. The first pass
// over a scan makes them and counts them; once the tables are built, the
// second pass only looks their codes up.
func symbol(t int, s byte, n uint, x uint64) uint32 {
	return uint32(t)<<29 | uint32(s)<<21 | uint32(n)<<16 | uint32(x)
}

// write codes syms with the tables of t.
func (e *encoder) write(syms []uint32, t *tableSet) {
	for _, v := range syms {
		h := t.code[v>>29]
		s := byte(v >> 21)
		n := uint(v>>16) & 31
		e.put(uint64(h.code[s])<<n|uint64(v&0xffff), uint(h.size[s])+n)
	}
}

// sequential appends to syms, and counts in t, the symbols of the DC and,
// with ac set, AC coefficients of the blocks in order, as in a baseline
// scan or a progressive DC scan.
func (e *encoder) sequential(ac bool, order []blockRef, t *tableSet, syms []uint32) []uint32 {
	var pred [3]int32
	for _, r := range order {
		ti := 0
		if r.c > 0 {
			ti = 2
		}
		dcF, acF := &t.freq[ti], &t.freq[ti+1]
		if r.dummy {
			dcF[0]++
			syms = append(syms, symbol(ti, 0, 0, 0))
			if ac {
				acF[0]++
				syms = append(syms, symbol(ti+1, 0, 0, 0))
			}
			continue
		}
		blk := e.blocks[r.c][r.off : r.off+64 : r.off+64]
		dc := int32(blk[0])
		n, x := magnitude(dc - pred[r.c])
		pred[r.c] = dc
		dcF[n]++
		syms = append(syms, symbol(ti, byte(n), n, x))
		if !ac {
			continue
		}
		// Visit the non-zero coefficients only, by a bit mask.
		mask := nonZero(blk, 1, 63)
		last := 0
		for mask != 0 {
			k := bits.TrailingZeros64(mask)
			mask &= mask - 1
			run := k - last - 1
			last = k
			for run > 15 {
				acF[0xf0]++
				syms = append(syms, symbol(ti+1, 0xf0, 0, 0))
				run -= 16
			}
			n, x := magnitude(int32(blk[k]))
			s := byte(run<<4) | byte(n)
			acF[s]++
			syms = append(syms, symbol(ti+1, s, n, x))
		}
		if last < 63 {
			acF[0]++
			syms = append(syms, symbol(ti+1, 0, 0, 0))
		}
	}
	return syms
}

// baselineScan writes optimised tables and the single interleaved scan
// of a baseline JPEG.
func (e *encoder) baselineScan() {
	var t tableSet
	syms := e.sequential(true, e.interleavedOrder(), &t, e.syms[:0])
	e.syms = syms
	if len(e.p.planes) == 1 {
		e.dht(t.build(0, 1)...)
		e.sos([]int{0}, []byte{0}, []byte{0}, 0, 63)
	} else {
		e.dht(t.build(0, 1, 2, 3)...)
		e.sos([]int{0, 1, 2}, []byte{0, 1, 1}, []byte{0, 1, 1}, 0, 63)
	}
	e.write(syms, &t)
	e.flush()
}

// The AC bands of a progressive JPEG's scans, for luma and for each
// chroma component. More bands let each scan's table fit its part of the
// spectrum: on photo and type cards at quality 75 and 88, these four luma
// bands and two chroma bands came out 2.4% smaller than luma 1-5, 6-63 and
// chroma 1-63, and more splits saved under 0.1% more.
var (
	lumaBands   = [][2]int{{1, 5}, {6, 14}, {15, 27}, {28, 63}}
	chromaBands = [][2]int{{1, 5}, {6, 63}}
)

// progressiveScans writes a progressive JPEG's scans, each with its own
// optimised tables: the DC coefficients of all components in one scan,
// then the AC bands of luma, then those of each chroma component.
func (e *encoder) progressiveScans() {
	ncomp := len(e.p.planes)
	var t tableSet
	syms := e.sequential(false, e.interleavedOrder(), &t, e.syms[:0])
	if ncomp == 1 {
		e.dht(t.build(0)...)
		e.sos([]int{0}, []byte{0}, []byte{0}, 0, 0)
	} else {
		e.dht(t.build(0, 2)...)
		e.sos([]int{0, 1, 2}, []byte{0, 1, 1}, []byte{0, 0, 0}, 0, 0)
	}
	e.write(syms, &t)
	e.flush()

	type band struct{ c, ss, se int }
	var scans []band
	for _, b := range lumaBands {
		scans = append(scans, band{0, b[0], b[1]})
	}
	if ncomp > 1 {
		for _, b := range chromaBands {
			scans = append(scans, band{1, b[0], b[1]}, band{2, b[0], b[1]})
		}
	}
	for _, s := range scans {
		t.freq[1] = [256]int64{}
		syms = e.acFirst(e.componentOrder(s.c), s.ss, s.se, &t.freq[1], syms[:0])
		e.dht(t.build(1)...)
		e.sos([]int{s.c}, []byte{0}, []byte{0}, byte(s.ss), byte(s.se))
		e.write(syms, &t)
		e.flush()
	}
	e.syms = syms
}

// maxEOBRun is the longest run of empty bands one EOBn symbol can code.
const maxEOBRun = 0x7fff

// acFirst appends to syms, and counts in f, the symbols (for table 1) of
// coefficients ss..se of the blocks in order, as a progressive scan's
// first (full-precision) pass over that band, with end-of-band runs.
func (e *encoder) acFirst(order []blockRef, ss, se int, f *[256]int64, syms []uint32) []uint32 {
	eobrun := 0
	flushRun := func() {
		n := uint(bits.Len(uint(eobrun))) - 1
		s := byte(n << 4)
		f[s]++
		syms = append(syms, symbol(1, s, n, uint64(eobrun)&(1<<n-1)))
		eobrun = 0
	}
	for _, r := range order {
		blk := e.blocks[r.c][r.off : r.off+64 : r.off+64]
		mask := nonZero(blk, ss, se)
		last := ss - 1
		for mask != 0 {
			k := bits.TrailingZeros64(mask)
			mask &= mask - 1
			run := k - last - 1
			last = k
			if eobrun > 0 {
				flushRun()
			}
			for run > 15 {
				f[0xf0]++
				syms = append(syms, symbol(1, 0xf0, 0, 0))
				run -= 16
			}
			n, x := magnitude(int32(blk[k]))
			s := byte(run<<4) | byte(n)
			f[s]++
			syms = append(syms, symbol(1, s, n, x))
		}
		if last < se {
			eobrun++
			if eobrun == maxEOBRun {
				flushRun()
			}
		}
	}
	if eobrun > 0 {
		flushRun()
	}
	return syms
}

// nonZero returns a mask with bit k set where blk[k] is not zero, for k in
// lo..hi.
func nonZero(blk []int16, lo, hi int) uint64 {
	var m uint64
	for k := lo; k <= hi; k++ {
		v := blk[k]
		// v|-v has the sign bit set exactly when v is not zero (|v| is
		// far below 32768).
		m |= uint64(uint16(v|-v)>>15) << k
	}
	return m
}
