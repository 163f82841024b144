package jpegscale

import (
	"runtime"
	"sync"
)

// segmentStarts finds where each restart segment of a scan's entropy-coded
// data begins, from pos: after each RSTm marker in order. It returns nil
// when the markers are not all there, in order; the serial decoder then
// reports the problem.
func (d *decoder) segmentStarts(pos, segments int) []int {
	starts := make([]int, 0, segments)
	starts = append(starts, pos)
	p := pos
	for i := 1; i < segments; i++ {
		// Inside entropy-coded data 0xFF is followed by 0x00 (stuffing);
		// the first other 0xFF xx (xx not a fill 0xFF) is a marker.
		for p+1 < len(d.data) && !(d.data[p] == 0xFF && d.data[p+1] != 0 && d.data[p+1] != 0xFF) {
			p++
		}
		if p+1 >= len(d.data) || d.data[p+1] != byte(0xD0+(i-1)&7) {
			return nil
		}
		p += 2
		starts = append(starts, p)
	}
	return starts
}

// scanRestartsParallel decodes a sequential scan whose restart intervals
// split it into independent segments, several segments at once: each
// goroutine takes a contiguous run of segments, with its own bit reader
// and DC predictors, and writes its blocks' scaled IDCT straight into the
// planes (blocks never overlap, so neither do the writes). It reports
// false, having done nothing, when the file does not allow it.
func (d *decoder) scanRestartsParallel(scomp []int, mx, my int) (bool, error) {
	workers := runtime.GOMAXPROCS(0)
	total := mx * my
	if d.ri == 0 || workers < 2 || total < 2*d.ri {
		return false, nil
	}
	segments := (total + d.ri - 1) / d.ri
	starts := d.segmentStarts(d.pos, segments)
	if starts == nil {
		return false, nil
	}
	workers = min(workers, segments)
	errs := make([]error, workers)
	ends := make([]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		s0, s1 := segments*w/workers, segments*(w+1)/workers
		wg.Go(func() { ends[w], errs[w] = d.decodeSegments(scomp, mx, total, starts, s0, s1) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return true, err // the first in file order
		}
	}
	d.bits.reset(d.data, ends[workers-1])
	return true, nil
}

// decodeSegments decodes restart segments s0 to s1-1 and returns the
// position after the last one's data.
func (d *decoder) decodeSegments(scomp []int, mx, total int, starts []int, s0, s1 int) (int, error) {
	single := len(scomp) == 1
	var (
		br    bitReader
		pred  [4]int32
		coef  [64]int32
		qs    [4]*[64]int32
		keep  [4]*[64]int8
		comps [4]*component
	)
	for i, ci := range scomp {
		comps[i] = &d.comps[ci]
		qs[i] = &d.quant[comps[i].tq]
		keep[i] = &slotTables[comps[i].n]
	}
	// put decodes one block and writes its IDCT at block (bx, by) of c.
	put := func(i, bx, by int) error {
		c := comps[i]
		rc, err := d.block(&br, &pred[i], c, qs[i], &coef, keep[i])
		if err != nil {
			return err
		}
		n := c.n
		if bx < c.bw && by < c.bh {
			idct(&coef, int(rc>>4), int(rc&15), n, c.pix[by*n*c.stride+bx*n:], c.stride)
		}
		coef = [64]int32{}
		return nil
	}
	if d.stopped() {
		return 0, d.ctx.Err()
	}
	for s := s0; s < s1; s++ {
		br.reset(d.data, starts[s])
		pred = [4]int32{}
		for m := s * d.ri; m < min(total, (s+1)*d.ri); m++ {
			x, y := m%mx, m/mx
			if x == 0 && d.stopped() { // once per MCU row
				return 0, d.ctx.Err()
			}
			for i := range scomp {
				c := comps[i]
				if single {
					if err := put(i, x, y); err != nil {
						return 0, err
					}
					continue
				}
				for v := range c.v {
					for h := range c.h {
						if err := put(i, x*c.h+h, y*c.v+v); err != nil {
							return 0, err
						}
					}
				}
			}
			if br.overrun() {
				return 0, br.errf("entropy-coded data ends early: file truncated at MCU %d of %d", m, total)
			}
		}
	}
	return br.pos, nil
}
