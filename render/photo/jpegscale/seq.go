package jpegscale

import (
	"runtime"
	"sync"
)

// rowJob holds one MCU row of dequantised coefficients (natural order) of a
// sequential scan, waiting for the inverse DCT.
type rowJob struct {
	row  int     // MCU row (block row for a one-component scan)
	coef []int32 // 64 per block
	rc   []uint8 // per block: highest non-zero row<<4 | column
}

// scanSequential decodes a baseline or extended sequential scan. Huffman
// decoding runs on this goroutine; with GOMAXPROCS > 1 the inverse DCT of
// finished MCU rows runs on GOMAXPROCS others, fed through a bounded set
// of row buffers, so all cores work. The output is the same either way.
func (d *decoder) scanSequential(scomp []int, mx, my int) error {
	if done, err := d.scanRestartsParallel(scomp, mx, my); done {
		return err
	}
	single := len(scomp) == 1
	// Layout of one row buffer: for each scan component, its blocks of the
	// MCU row, v block rows of bw blocks each (one row when single).
	offs := make([]int, len(scomp))
	blocks := 0
	for i, ci := range scomp {
		c := &d.comps[ci]
		offs[i] = blocks
		if single {
			blocks += c.bw
		} else {
			blocks += c.bw * c.v
		}
	}
	newJob := func() *rowJob { return &rowJob{coef: make([]int32, blocks*64), rc: make([]uint8, blocks)} }
	idctRow := func(j *rowJob) {
		for i, ci := range scomp {
			c := &d.comps[ci]
			n := c.n
			rows := c.v
			if single {
				rows = 1
			}
			for v := range rows {
				by := j.row*rows + v
				if by >= c.bh {
					continue
				}
				for bx := range c.bw {
					bi := offs[i] + v*c.bw + bx
					coef := (*[64]int32)(j.coef[bi*64:][:64])
					rc := j.rc[bi]
					idct(coef, int(rc>>4), int(rc&15), n, c.pix[by*n*c.stride+bx*n:], c.stride)
					if rc == 0 {
						coef[0] = 0
					} else {
						*coef = [64]int32{}
					}
				}
			}
		}
	}
	procs := runtime.GOMAXPROCS(0)
	parallel := d.n > 1 && my > 1 && procs > 1
	var (
		work, free chan *rowJob
		wg         sync.WaitGroup
	)
	if parallel {
		// At 1/1 and 1/2 the IDCT costs more than the Huffman decoding, so
		// every core runs an IDCT worker and the decoding goroutine shares
		// a core with one; at 1/4 one worker keeps up. Rows are disjoint,
		// so the order they finish in does not matter.
		workers := 1
		if d.n >= 4 {
			workers = min(procs, my-1)
		}
		buffers := 2*workers + 1
		work, free = make(chan *rowJob, buffers), make(chan *rowJob, buffers)
		for range buffers {
			free <- newJob()
		}
		for range workers {
			wg.Go(func() {
				for j := range work {
					if d.stopped() {
						clear(j.coef) // the decode is abandoned: keep the buffer clean
					} else {
						idctRow(j)
					}
					free <- j
				}
			})
		}
	}
	var one *rowJob
	if !parallel {
		one = newJob()
	}
	err := d.decodeRows(scomp, mx, my, offs, func() *rowJob {
		if parallel {
			return <-free
		}
		return one
	}, func(j *rowJob) {
		if parallel {
			work <- j
		} else {
			idctRow(j)
		}
	})
	if parallel {
		close(work)
		wg.Wait()
	}
	return err
}

// decodeRows runs the Huffman decoding of a sequential scan, MCU row by MCU
// row, taking an empty row buffer from get and handing the filled one to put.
func (d *decoder) decodeRows(scomp []int, mx, my int, offs []int, get func() *rowJob, put func(*rowJob)) error {
	single := len(scomp) == 1
	var qs [4]*[64]int32
	var keep [4]*[64]int8 // which coefficients the output reads (slot ≥ 0)
	for i, ci := range scomp {
		qs[i] = &d.quant[d.comps[ci].tq]
		keep[i] = &slotTables[d.comps[ci].n]
	}
	nextRST := 0
	for y := range my {
		if d.stopped() {
			return d.ctx.Err()
		}
		j := get()
		j.row = y
		for x := range mx {
			m := y*mx + x
			if d.ri > 0 && m > 0 && m%d.ri == 0 {
				if err := d.restart(nextRST); err != nil {
					put(j)
					return err
				}
				nextRST = (nextRST + 1) & 7
				for _, ci := range scomp {
					d.comps[ci].dcPred = 0
				}
			}
			for i, ci := range scomp {
				c := &d.comps[ci]
				if single {
					bi := offs[i] + x
					rc, err := d.block(&d.bits, &c.dcPred, c, qs[i], (*[64]int32)(j.coef[bi*64:][:64]), keep[i])
					if err != nil {
						put(j)
						return err
					}
					j.rc[bi] = rc
					continue
				}
				for v := range c.v {
					for h := range c.h {
						bi := offs[i] + v*c.bw + x*c.h + h
						rc, err := d.block(&d.bits, &c.dcPred, c, qs[i], (*[64]int32)(j.coef[bi*64:][:64]), keep[i])
						if err != nil {
							put(j)
							return err
						}
						j.rc[bi] = rc
					}
				}
			}
			if d.bits.overrun() {
				put(j)
				d.pos = d.bits.pos
				return d.errf("entropy-coded data ends early: file truncated at MCU %d of %d", m, mx*my)
			}
		}
		put(j)
	}
	return nil
}

// block decodes one sequential block into coef (all zero on entry):
// dequantised, natural order, only the coefficients the output reads
// (keep[k] ≥ 0). It returns the highest non-zero row<<4 | column.
func (d *decoder) block(b *bitReader, pred *int32, c *component, q *[64]int32, coef *[64]int32, keep *[64]int8) (uint8, error) {
	if b.n < 32 {
		b.fill()
	}
	t, ok := b.huff(d.dc[c.td])
	if !ok {
		return 0, b.errf("bad Huffman code for a DC coefficient near byte %d", b.pos)
	}
	if t > 15 {
		return 0, b.errf("DC coefficient magnitude class %d is out of range near byte %d", t, b.pos)
	}
	*pred += extend(b.acc, uint(t))
	b.acc <<= t
	b.n -= int(t)
	coef[0] = *pred * q[0]
	var maxRow, maxCol uint8
	ac := d.ac[c.ta]
	acc, n := b.acc, b.n
	for k := 1; k < 64; k++ {
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
			if k > 63 {
				return 0, b.errf("AC coefficient run goes past the end of the block near byte %d", b.pos)
			}
			if keep[k] >= 0 {
				z := zigzag[k]
				coef[z] = (e >> 16) * q[k]
				maxRow, maxCol = max(maxRow, z>>3), max(maxCol, z&7)
			}
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
				return 0, b.errf("bad Huffman code for an AC coefficient near byte %d", b.pos)
			}
			acc, n = b.acc, b.n
			rs = int(v)
		}
		r, s := rs>>4, uint(rs&15)
		if s == 0 {
			if r != 15 {
				break
			}
			k += 15
			continue
		}
		k += r
		if k > 63 {
			return 0, b.errf("AC coefficient run goes past the end of the block near byte %d", b.pos)
		}
		v := extend(acc, s)
		acc <<= s
		n -= int(s)
		if keep[k] >= 0 {
			z := zigzag[k]
			coef[z] = v * q[k]
			maxRow, maxCol = max(maxRow, z>>3), max(maxCol, z&7)
		}
	}
	b.acc, b.n = acc, n
	return maxRow<<4 | maxCol, nil
}
