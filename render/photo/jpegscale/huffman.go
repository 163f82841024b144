package jpegscale

import (
	"encoding/binary"
	"errors"
	"fmt"
)

const lookBits = 9

// huffTable is a canonical Huffman table with a lookBits-wide fast path.
type huffTable struct {
	fast    [1 << lookBits]uint16 // (length<<8 | value); 0 when the code is longer
	maxCode [17]int32             // largest code of each length, -1 if none
	valPtr  [17]int32             // index in vals of the first code of each length
	minCode [17]int32
	vals    [256]byte
	// acFast decodes an AC code and its extra bits together when both fit
	// in lookBits: value<<16 | run<<8 | total length; 0 when they do not.
	acFast [1 << lookBits]int32
}

func (t *huffTable) build(counts [16]int, vals []byte) error {
	*t = huffTable{}
	copy(t.vals[:], vals)
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := counts[l-1]
		if int(code)+n > 1<<l {
			return errors.New("DHT table is over-subscribed (more codes than fit their lengths)")
		}
		t.valPtr[l] = int32(k)
		t.minCode[l] = code
		if n == 0 {
			t.maxCode[l] = -1
		} else {
			for range n {
				if l <= lookBits {
					shift := lookBits - l
					base := int(code) << shift
					for j := range 1 << shift {
						t.fast[base+j] = uint16(l)<<8 | uint16(vals[k])
					}
				}
				code++
				k++
			}
			t.maxCode[l] = code - 1
		}
		code <<= 1
	}
	for i, e := range t.fast {
		l, rs := int(e>>8), int(e&0xFF)
		r, sz := rs>>4, rs&15
		if e == 0 || sz == 0 || l+sz > lookBits {
			continue
		}
		v := int32(i>>(lookBits-l-sz)) & (1<<sz - 1)
		if v < 1<<(sz-1) {
			v += (-1 << sz) + 1
		}
		t.acFast[i] = v<<16 | int32(r)<<8 | int32(l+sz)
	}
	return nil
}

// bitReader reads entropy-coded bits, removing byte stuffing. At a marker
// it feeds zero bits and counts them as padding; consuming padding means
// the scan was truncated.
type bitReader struct {
	data   []byte
	pos    int
	acc    uint64
	n      int // valid bits in acc (top-aligned)
	pad    int // of n, how many are padding zeros at the bottom
	marker bool
}

func (b *bitReader) reset(data []byte, pos int) {
	*b = bitReader{data: data, pos: pos}
}

func (b *bitReader) fill() {
	// Fast path: when the next 8 bytes hold no 0xFF (no stuffing, no
	// marker), load them at once and keep the whole bytes that fit. The
	// bits of a partly kept byte land in acc below n; a later fill ORs the
	// same byte into the same place, so they do no harm.
	if !b.marker && b.pos+8 <= len(b.data) {
		w := binary.BigEndian.Uint64(b.data[b.pos:])
		if x := ^w; (x-0x0101010101010101)&^x&0x8080808080808080 == 0 {
			k := (64 - b.n) >> 3
			b.acc |= w >> uint(b.n)
			b.n += k << 3
			b.pos += k
			return
		}
	}
	for b.n <= 56 {
		var c byte
		if !b.marker && b.pos < len(b.data) {
			c = b.data[b.pos]
			if c == 0xFF {
				if b.pos+1 < len(b.data) && b.data[b.pos+1] == 0x00 {
					b.pos += 2
				} else {
					b.marker = true
					c = 0
					b.pad += 8
				}
			} else {
				b.pos++
			}
		} else {
			b.marker = true
			b.pad += 8
		}
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

// errf reports malformed entropy-coded data at the reader's position.
func (b *bitReader) errf(format string, args ...any) error {
	return &FormatError{Offset: b.pos, Msg: fmt.Sprintf(format, args...)}
}

// overrun reports whether padding bits were consumed.
func (b *bitReader) overrun() bool { return b.n < b.pad }

// decodeSlow decodes a code longer than lookBits. b must hold at least 16 bits.
func (b *bitReader) decodeSlow(t *huffTable) (byte, bool) {
	for l := lookBits + 1; l <= 16; l++ {
		code := int32(b.acc >> (64 - l))
		if t.maxCode[l] >= 0 && code <= t.maxCode[l] {
			b.acc <<= l
			b.n -= l
			idx := t.valPtr[l] + code - t.minCode[l]
			if idx < 0 || idx > 255 {
				return 0, false
			}
			return t.vals[idx], true
		}
	}
	return 0, false
}
