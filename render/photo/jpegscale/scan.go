package jpegscale

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
	d.bits.reset(d.data, d.pos)
	d.eobrun = 0
	for _, ci := range scomp {
		d.comps[ci].dcPred = 0
	}
	mx, my := d.mcusX, d.mcusY
	if len(scomp) == 1 {
		// A non-interleaved scan covers only the component's own blocks.
		c := &d.comps[scomp[0]]
		cw := (d.width*c.h + d.hmax - 1) / d.hmax
		ch := (d.height*c.v + d.vmax - 1) / d.vmax
		mx, my = (cw+7)/8, (ch+7)/8
	}
	total := mx * my
	nextRST := 0
	var coef [64]int32
	for m := range total {
		if d.ri > 0 && m > 0 && m%d.ri == 0 {
			if err := d.restart(nextRST); err != nil {
				return err
			}
			nextRST = (nextRST + 1) & 7
			d.eobrun = 0
			for _, ci := range scomp {
				d.comps[ci].dcPred = 0
			}
		}
		x, y := m%mx, m/mx
		for _, ci := range scomp {
			c := &d.comps[ci]
			if len(scomp) == 1 {
				if err := d.anyBlock(c, &coef, x, y, ss, se, ah, al); err != nil {
					return err
				}
				continue
			}
			for v := range c.v {
				for h := range c.h {
					if err := d.anyBlock(c, &coef, x*c.h+h, y*c.v+v, ss, se, ah, al); err != nil {
						return err
					}
				}
			}
		}
		if d.bits.overrun() {
			d.pos = d.bits.pos
			return d.errf("entropy-coded data ends early: file truncated at MCU %d of %d", m, total)
		}
	}
	d.pos = d.bits.pos
	d.decodedAny = true
	return nil
}

func (d *decoder) anyBlock(c *component, coef *[64]int32, bx, by, ss, se, ah, al int) error {
	if !d.progressive {
		return d.block(c, coef, bx, by, d.n)
	}
	if bx >= c.bw || by >= c.bh {
		return d.errf("block (%d,%d) outside component plane", bx, by) // cannot happen for valid frames
	}
	bi := by*c.bw + bx
	blk := (*[64]int16)(c.coefs[bi*64:][:64])
	last := &c.last[bi]
	switch {
	case ss == 0 && ah == 0:
		return d.dcFirst(c, blk, al)
	case ss == 0:
		if d.bits.getBits(1) != 0 {
			blk[0] |= 1 << al
		}
		return nil
	case ah == 0:
		return d.acFirst(c, blk, last, ss, se, al)
	}
	return d.acRefine(c, blk, last, ss, se, al)
}

func (d *decoder) dcFirst(c *component, blk *[64]int16, al int) error {
	b := &d.bits
	t, ok := b.decodeHuff(&d.dc[c.td])
	if !ok || t > 15 {
		return d.errf("bad DC code in progressive scan near byte %d", b.pos)
	}
	c.dcPred += b.receiveExtend(int(t))
	blk[0] = int16(c.dcPred << al)
	return nil
}

func (d *decoder) acFirst(c *component, blk *[64]int16, last *uint8, ss, se, al int) error {
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	b := &d.bits
	ac := &d.ac[c.ta]
	for k := ss; k <= se; k++ {
		if b.n < 16 {
			b.fill()
		}
		if e := ac.acFast[b.acc>>(64-lookBits)]; e != 0 {
			b.acc <<= uint(e & 0xFF)
			b.n -= int(e & 0xFF)
			k += int(e>>8) & 0xFF
			if k > se {
				return d.errf("AC run goes past the end of the spectral band near byte %d", b.pos)
			}
			blk[zigzag[k]] = int16((e >> 16) << al)
			*last = max(*last, uint8(k))
			continue
		}
		rs, ok := b.decodeHuff(ac)
		if !ok {
			return d.errf("bad AC code in progressive scan near byte %d", b.pos)
		}
		r, s := int(rs>>4), int(rs&15)
		if s == 0 {
			if r < 15 {
				d.eobrun = 1<<r - 1
				if r > 0 {
					d.eobrun += int(b.getBits(r))
				}
				return nil
			}
			k += 15
			continue
		}
		k += r
		if k > se {
			return d.errf("AC run goes past the end of the spectral band near byte %d", b.pos)
		}
		blk[zigzag[k]] = int16(b.receiveExtend(s) << al)
		*last = max(*last, uint8(k))
	}
	return nil
}

// acRefine adds one bit of precision to a band's coefficients (T.81 G.1.2.3):
// already non-zero ones get a correction bit, and newly non-zero ones ±1<<al
// are placed after skipping r still-zero positions.
func (d *decoder) acRefine(c *component, blk *[64]int16, last *uint8, ss, se, al int) error {
	b := &d.bits
	p1, m1 := int16(1)<<al, int16(-1)<<al
	refine := func(z uint8) {
		if b.getBits(1) != 0 && blk[z]&p1 == 0 {
			if blk[z] >= 0 {
				blk[z] += p1
			} else {
				blk[z] += m1
			}
		}
	}
	k := ss
	if d.eobrun == 0 {
		ac := &d.ac[c.ta]
		for ; k <= se; k++ {
			rs, ok := b.decodeHuff(ac)
			if !ok {
				return d.errf("bad AC code in refinement scan near byte %d", b.pos)
			}
			r, s := int(rs>>4), int(rs&15)
			var val int16
			switch {
			case s == 1:
				val = m1
				if b.getBits(1) != 0 {
					val = p1
				}
			case s != 0:
				return d.errf("refinement scan coefficient of size %d (must be 1) near byte %d", s, b.pos)
			case r != 15:
				d.eobrun = 1 << r
				if r > 0 {
					d.eobrun += int(b.getBits(r))
				}
			}
			if d.eobrun > 0 {
				break
			}
			for ; k <= se; k++ {
				z := zigzag[k]
				if blk[z] != 0 {
					refine(z)
					continue
				}
				if r == 0 {
					break
				}
				r--
			}
			if val != 0 {
				if k > se {
					return d.errf("refinement run goes past the end of the band near byte %d", b.pos)
				}
				blk[zigzag[k]] = val
				*last = max(*last, uint8(k))
			}
		}
	}
	if d.eobrun > 0 {
		// Only positions up to the block's last non-zero one need a bit;
		// this also spares reading blocks that are zero in the band.
		for hi := min(se, int(*last)); k <= hi; k++ {
			if z := zigzag[k]; blk[z] != 0 {
				refine(z)
			}
		}
		d.eobrun--
	}
	return nil
}

func (d *decoder) restart(want int) error {
	p := d.bits.pos
	for p+1 < len(d.data) && !(d.data[p] == 0xFF && d.data[p+1] != 0 && d.data[p+1] != 0xFF) {
		p++
	}
	d.pos = p
	if p+1 >= len(d.data) {
		return d.errf("file truncated: expected restart marker RST%d", want)
	}
	if d.data[p+1] != byte(0xD0+want) {
		return d.errf("expected restart marker RST%d, found marker 0x%02X", want, d.data[p+1])
	}
	d.pos = p + 2
	d.bits.reset(d.data, d.pos)
	return nil
}

// block decodes one block's coefficients and writes its n×n output at block (bx, by).
func (d *decoder) block(c *component, coef *[64]int32, bx, by, n int) error {
	*coef = [64]int32{}
	b := &d.bits
	q := &d.quant[c.tq]
	t, ok := b.decodeHuff(&d.dc[c.td])
	if !ok {
		return d.errf("bad Huffman code for a DC coefficient near byte %d", b.pos)
	}
	if t > 15 {
		return d.errf("DC coefficient magnitude class %d is out of range near byte %d", t, b.pos)
	}
	c.dcPred += b.receiveExtend(int(t))
	coef[0] = c.dcPred * q[0]
	maxRow, maxCol := 0, 0
	ac := &d.ac[c.ta]
	for k := 1; k < 64; k++ {
		if b.n < 16 {
			b.fill()
		}
		if e := ac.acFast[b.acc>>(64-lookBits)]; e != 0 {
			b.acc <<= uint(e & 0xFF)
			b.n -= int(e & 0xFF)
			k += int(e>>8) & 0xFF
			if k > 63 {
				return d.errf("AC coefficient run goes past the end of the block near byte %d", b.pos)
			}
			z := int(zigzag[k])
			if n > 1 {
				coef[z] = (e >> 16) * q[k]
				maxRow, maxCol = max(maxRow, z>>3), max(maxCol, z&7)
			}
			continue
		}
		rs, ok := b.decodeHuff(ac)
		if !ok {
			return d.errf("bad Huffman code for an AC coefficient near byte %d", b.pos)
		}
		r, s := int(rs>>4), int(rs&15)
		if s == 0 {
			if r != 15 {
				break
			}
			k += 15
			continue
		}
		k += r
		if k > 63 {
			return d.errf("AC coefficient run goes past the end of the block near byte %d", b.pos)
		}
		v := b.receiveExtend(s)
		z := int(zigzag[k])
		row, col := z>>3, z&7
		if n > 1 { // at 1/8 only the DC coefficient matters
			coef[z] = v * q[k]
			maxRow, maxCol = max(maxRow, row), max(maxCol, col)
		}
	}
	if bx >= c.bw || by >= c.bh {
		return nil // outside the plane (cannot happen for valid frames)
	}
	off := by*n*c.stride + bx*n
	idct(coef, maxRow, maxCol, n, c.pix[off:], c.stride)
	return nil
}
