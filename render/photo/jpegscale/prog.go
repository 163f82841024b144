package jpegscale

import (
	"math/bits"
	"runtime"
	"sync"
)

// A progressive file's scans are recorded as the markers are read and
// decoded at the end, several at once where they touch different data:
// two scans conflict when they share a component and are both DC scans
// (Ss = 0) or both AC scans (the DC and the AC coefficients of a block
// are stored apart, and only AC scans use the non-zero map). Each scan
// waits for the earlier ones it conflicts with, so every coefficient sees
// its scans in file order and the output does not depend on GOMAXPROCS.

// scanJob is one recorded progressive scan.
type scanJob struct {
	scomp          []int
	ss, se, ah, al int
	start          int // first byte of its entropy-coded data
	ri             int // restart interval in force
	dc, ac         [4]*huffTable
}

// scanState is the decoding state of one scan.
type scanState struct {
	d      *decoder
	bits   bitReader
	eobrun int
	ri     int
	pred   [4]int32      // DC predictors, by component index
	dc, ac [4]*huffTable // by component index
}

// addScan records a progressive scan and moves d.pos past its data.
func (d *decoder) addScan(scomp []int, ss, se, ah, al int) error {
	j := &scanJob{scomp: scomp, ss: ss, se: se, ah: ah, al: al, start: d.pos, ri: d.ri}
	for _, ci := range scomp {
		c := &d.comps[ci]
		j.dc[ci], j.ac[ci] = d.dc[c.td], d.ac[c.ta]
	}
	d.jobs = append(d.jobs, j)
	// The data ends at the first marker that is not RSTn: inside it 0xFF
	// is always followed by 0x00.
	p := d.pos
	for p+1 < len(d.data) {
		if d.data[p] == 0xFF {
			if m := d.data[p+1]; m != 0 && m != 0xFF && (m < 0xD0 || m > 0xD7) {
				break
			}
		}
		p++
	}
	d.pos = p
	d.decodedAny = true
	return nil
}

// runScans decodes the recorded scans on up to GOMAXPROCS goroutines and
// returns the first error in file order.
func (d *decoder) runScans() error {
	jobs := d.jobs
	d.jobs = nil
	done := make([]chan struct{}, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, j := range jobs {
		done[i] = make(chan struct{})
		var deps []chan struct{}
		for k := range i {
			if jobs[k].conflicts(j) {
				deps = append(deps, done[k])
			}
		}
		wg.Go(func() {
			defer close(done[i])
			for _, c := range deps {
				<-c
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			st := &scanState{d: d, ri: j.ri, dc: j.dc, ac: j.ac}
			st.bits.reset(d.data, j.start)
			errs[i] = st.run(j.scomp, j.ss, j.se, j.ah, j.al)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (j *scanJob) conflicts(o *scanJob) bool {
	if (j.ss == 0) != (o.ss == 0) {
		return false
	}
	for _, a := range j.scomp {
		for _, b := range o.scomp {
			if a == b {
				return true
			}
		}
	}
	return false
}

func (st *scanState) restart(want int) error {
	p, err := restartAt(st.bits.data, st.bits.pos, want)
	if err != nil {
		return err
	}
	st.bits.reset(st.bits.data, p)
	return nil
}

// run decodes one progressive scan into the components' coefficients.
func (st *scanState) run(scomp []int, ss, se, ah, al int) error {
	d := st.d
	mx, my := d.scanSize(scomp)
	total := mx * my
	nextRST := 0
	left := st.ri // MCUs before the next restart marker
	single := len(scomp) == 1
	c0 := &d.comps[scomp[0]]
	cs := slotCount[c0.n]
	band := ^uint64(0) >> uint(63-se) &^ (1<<uint(ss) - 1)
	for y := range my {
		if d.stopped() {
			return d.ctx.Err()
		}
		for x := range mx {
			if st.ri > 0 {
				if left == 0 {
					if err := st.restart(nextRST); err != nil {
						return err
					}
					nextRST = (nextRST + 1) & 7
					st.eobrun = 0
					st.pred = [4]int32{}
					left = st.ri
				}
				left--
			}
			switch {
			case single && ss > 0:
				// AC scans (one component, one block per MCU) carry most
				// of the data; blocks inside an end-of-band run that have
				// nothing to refine are skipped here.
				if x >= c0.bw || y >= c0.bh {
					return st.bits.errf("block (%d,%d) outside component plane", x, y)
				}
				bi := y*c0.bw + x
				var err error
				switch {
				case st.eobrun > 0 && (ah == 0 || c0.nz[bi]&band == 0):
					st.eobrun--
				case ah == 0:
					err = st.acFirst(st.ac[scomp[0]], c0.coefs[bi*cs:][:cs], &slotTables[c0.n], &c0.nz[bi], ss, se, al)
				default:
					err = st.acRefine(st.ac[scomp[0]], c0.coefs[bi*cs:][:cs], &slotTables[c0.n], &c0.nz[bi], ss, se, al)
				}
				if err != nil {
					return err
				}
			case single:
				if err := st.anyBlock(scomp[0], x, y, ss, se, ah, al); err != nil {
					return err
				}
			default:
				for _, ci := range scomp {
					c := &d.comps[ci]
					for v := range c.v {
						for h := range c.h {
							if err := st.anyBlock(ci, x*c.h+h, y*c.v+v, ss, se, ah, al); err != nil {
								return err
							}
						}
					}
				}
			}
			if st.bits.overrun() {
				return st.bits.errf("entropy-coded data ends early: file truncated at MCU %d of %d", y*mx+x, total)
			}
		}
	}
	return nil
}

func (st *scanState) anyBlock(ci, bx, by, ss, se, ah, al int) error {
	c := &st.d.comps[ci]
	if bx >= c.bw || by >= c.bh {
		return st.bits.errf("block (%d,%d) outside component plane", bx, by) // cannot happen for valid frames
	}
	bi := by*c.bw + bx
	cs := slotCount[c.n]
	blk := c.coefs[bi*cs:][:cs]
	nz := &c.nz[bi]
	switch {
	case ss == 0 && ah == 0:
		return st.dcFirst(st.dc[ci], &st.pred[ci], blk, al)
	case ss == 0:
		b := &st.bits
		if b.n <= 0 {
			b.fill()
		}
		if b.acc>>63 != 0 {
			blk[0] |= 1 << al
		}
		b.acc <<= 1
		b.n--
		return nil
	case ah == 0:
		return st.acFirst(st.ac[ci], blk, &slotTables[c.n], nz, ss, se, al)
	}
	return st.acRefine(st.ac[ci], blk, &slotTables[c.n], nz, ss, se, al)
}

func (st *scanState) dcFirst(dc *huffTable, pred *int32, blk []int16, al int) error {
	b := &st.bits
	if b.n < 32 {
		b.fill()
	}
	t, ok := b.huff(dc)
	if !ok || t > 15 {
		return st.bits.errf("bad DC code in progressive scan near byte %d", b.pos)
	}
	s := uint(t)
	*pred += extend(b.acc, s)
	b.acc <<= s
	b.n -= int(s)
	blk[0] = int16(*pred << al)
	return nil
}

// acFirst decodes a block's first pass over a spectral band (T.81 G.1.2.2).
// blk holds the coefficients the output needs, at slot[k] for zigzag
// index k (-1: not kept); nz has a bit for every non-zero one, kept or not.
func (st *scanState) acFirst(ac *huffTable, blk []int16, slot *[64]int8, nz *uint64, ss, se, al int) error {
	if st.eobrun > 0 {
		st.eobrun--
		return nil
	}
	b := &st.bits
	acc, n := b.acc, b.n
	mask := *nz
	for k := ss; k <= se; k++ {
		if n < 32 {
			b.acc, b.n = acc, n
			b.fill()
			acc, n = b.acc, b.n
		}
		i := acc >> (64 - lookBits)
		if e := ac.acFast[i]; e != 0 {
			l := uint(e & 0xFF)
			acc <<= l
			n -= int(l)
			k += int(e>>8) & 0xFF
			if k > se {
				return st.bits.errf("AC run goes past the end of the spectral band near byte %d", b.pos)
			}
			if s := slot[k&63]; s >= 0 {
				blk[s] = int16((e >> 16) << al)
			}
			mask |= 1 << uint(k)
			continue
		}
		var rs int
		if e := ac.fast[i]; e != 0 {
			l := uint(e >> 8)
			acc <<= l
			n -= int(l)
			rs = int(e & 0xFF)
		} else {
			b.acc, b.n = acc, n
			v, ok := b.decodeSlow(ac)
			if !ok {
				return st.bits.errf("bad AC code in progressive scan near byte %d", b.pos)
			}
			acc, n = b.acc, b.n
			rs = int(v)
		}
		r, s := rs>>4, uint(rs&15)
		if s == 0 {
			if r < 15 {
				st.eobrun = 1<<r - 1
				if r > 0 {
					st.eobrun += int(acc >> (64 - uint(r)))
					acc <<= uint(r)
					n -= r
				}
				break
			}
			k += 15
			continue
		}
		k += r
		if k > se {
			return st.bits.errf("AC run goes past the end of the spectral band near byte %d", b.pos)
		}
		if sl := slot[k&63]; sl >= 0 {
			blk[sl] = int16(extend(acc, s) << al)
		}
		acc <<= s
		n -= int(s)
		mask |= 1 << uint(k)
	}
	b.acc, b.n = acc, n
	*nz = mask
	return nil
}

// acRefine adds one bit of precision to a band's coefficients (T.81 G.1.2.3):
// already non-zero ones get a correction bit, and newly non-zero ones ±1<<al
// are placed after skipping r still-zero positions. The non-zero bits in nz
// find both without reading the coefficients.
func (st *scanState) acRefine(ac *huffTable, blk []int16, slot *[64]int8, nz *uint64, ss, se, al int) error {
	b := &st.bits
	p1, m1 := int16(1)<<al, int16(-1)<<al
	acc, n := b.acc, b.n
	mask := *nz
	band := ^uint64(0) >> uint(63-se) &^ (1<<uint(ss) - 1)
	// correct refines the already non-zero coefficients whose bits are in m.
	correct := func(m uint64) {
		for ; m != 0; m &= m - 1 {
			if n <= 0 {
				b.acc, b.n = acc, n
				b.fill()
				acc, n = b.acc, b.n
			}
			if acc>>63 != 0 {
				if z := slot[bits.TrailingZeros64(m)]; z >= 0 {
					if cz := blk[z]; cz&p1 == 0 {
						if cz >= 0 {
							blk[z] = cz + p1
						} else {
							blk[z] = cz + m1
						}
					}
				}
			}
			acc <<= 1
			n--
		}
	}
	k := ss
	if st.eobrun == 0 {
		for k <= se {
			if n < 32 {
				b.acc, b.n = acc, n
				b.fill()
				acc, n = b.acc, b.n
			}
			var rs int
			if e := ac.fast[acc>>(64-lookBits)]; e != 0 {
				l := uint(e >> 8)
				acc <<= l
				n -= int(l)
				rs = int(e & 0xFF)
			} else {
				b.acc, b.n = acc, n
				v, ok := b.decodeSlow(ac)
				if !ok {
					return st.bits.errf("bad AC code in refinement scan near byte %d", b.pos)
				}
				acc, n = b.acc, b.n
				rs = int(v)
			}
			r, s := rs>>4, rs&15
			var val int16
			switch {
			case s == 1:
				val = m1
				if acc>>63 != 0 {
					val = p1
				}
				acc <<= 1
				n--
			case s != 0:
				return st.bits.errf("refinement scan coefficient of size %d (must be 1) near byte %d", s, b.pos)
			case r != 15:
				st.eobrun = 1 << r
				if r > 0 {
					st.eobrun += int(acc >> (64 - uint(r)))
					acc <<= uint(r)
					n -= r
				}
			}
			if st.eobrun > 0 {
				break
			}
			// The new coefficient goes at the (r+1)-th still-zero position
			// from k; the non-zero ones passed on the way get corrections.
			from := band &^ (1<<uint(k) - 1)
			zeros := from &^ mask
			for ; r > 0 && zeros != 0; r-- {
				zeros &= zeros - 1
			}
			pos := se + 1
			if zeros != 0 {
				pos = bits.TrailingZeros64(zeros)
			}
			correct(from & mask & (1<<uint(pos) - 1))
			if val != 0 {
				if pos > se {
					return st.bits.errf("refinement run goes past the end of the band near byte %d", b.pos)
				}
				if sl := slot[pos&63]; sl >= 0 {
					blk[sl] = val
				}
				mask |= 1 << uint(pos)
			}
			k = pos + 1
		}
	}
	if st.eobrun > 0 {
		if k <= se {
			correct(band &^ (1<<uint(k) - 1) & mask)
		}
		st.eobrun--
	}
	b.acc, b.n = acc, n
	*nz = mask
	return nil
}
