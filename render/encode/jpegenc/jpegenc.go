package jpegenc

import (
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"runtime"
	"sync"
)

// Chroma is the chroma subsampling of a colour JPEG.
type Chroma int

const (
	// Chroma420 halves the chroma resolution both ways (the default).
	Chroma420 Chroma = iota
	// Chroma444 keeps full-resolution chroma: larger files, but sharp
	// edges on saturated colours such as red type.
	Chroma444
)

// DefaultQuality is the quality used when Options is nil or its Quality
// is 0, as in image/jpeg.
const DefaultQuality = 75

// Options are the encoding parameters. A nil *Options means the defaults.
type Options struct {
	// Quality is 1-100, scaling the ITU T.81 Annex K quantisation tables
	// as the IJG library and image/jpeg do; 0 means DefaultQuality.
	Quality int
	// Chroma is the chroma subsampling; greyscale images ignore it.
	Chroma Chroma
	// Progressive writes a progressive JPEG (SOF2): the DC coefficients
	// of every component first, then bands of AC coefficients.
	Progressive bool
}

// maxDim is the largest width or height a JPEG frame header can hold.
const maxDim = 65535

// Encode writes m to w as a JPEG with optimised Huffman tables. Images of
// type *image.Gray are written with one component; any other image as
// YCbCr, with translucent pixels composited over black.
func Encode(w io.Writer, m image.Image, o *Options) error {
	var opt Options
	if o != nil {
		opt = *o
	}
	if err := check(m, opt.Chroma); err != nil {
		return err
	}
	if opt.Quality == 0 {
		opt.Quality = DefaultQuality
	}
	if opt.Quality < 1 || opt.Quality > 100 {
		return fmt.Errorf("jpegenc: quality %d is out of range: use 1 to 100", opt.Quality)
	}
	// One quality: each block is quantised as it is transformed, with no
	// DCT output kept (see Prepare for several).
	qt := scaledQuant(opt.Quality)
	rec := reciprocals(&qt)
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	b := m.Bounds()
	planes, blocks := transformTo(m, opt.Chroma, &rec, s)
	return encodeBlocks(w, &Prepared{width: b.Dx(), height: b.Dy(), planes: planes}, blocks, &qt, opt.Progressive, s)
}

// Prepared is an image converted to YCbCr and transformed by the DCT,
// ready to be quantised and coded at any quality. Quantisation is the
// only step that depends on quality, so a search for the quality that
// meets a byte budget prepares once and encodes several times. It is safe
// for concurrent use.
type Prepared struct {
	width, height int
	planes        []plane
}

// Prepare converts and transforms m for encoding with the given chroma
// subsampling (ignored for *image.Gray).
func Prepare(m image.Image, chroma Chroma) (*Prepared, error) {
	if err := check(m, chroma); err != nil {
		return nil, err
	}
	b := m.Bounds()
	return &Prepared{width: b.Dx(), height: b.Dy(), planes: transform(m, chroma)}, nil
}

// check refuses what no JPEG can hold.
func check(m image.Image, chroma Chroma) error {
	if m == nil {
		return errors.New("jpegenc: nil image")
	}
	b := m.Bounds()
	if b.Empty() {
		return errors.New("jpegenc: empty image")
	}
	if b.Dx() > maxDim || b.Dy() > maxDim {
		return fmt.Errorf("jpegenc: image is %dx%d; JPEG allows at most %d either way", b.Dx(), b.Dy(), maxDim)
	}
	if chroma != Chroma420 && chroma != Chroma444 {
		return fmt.Errorf("jpegenc: unknown chroma subsampling %d", chroma)
	}
	return nil
}

// Encode writes the prepared image at quality q (1-100) as a baseline or
// progressive JPEG.
func (p *Prepared) Encode(w io.Writer, q int, progressive bool) error {
	if q < 1 || q > 100 {
		return fmt.Errorf("jpegenc: quality %d is out of range: use 1 to 100", q)
	}
	qt := scaledQuant(q)
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	return encodeBlocks(w, p, p.quantise(&qt, s), &qt, progressive, s)
}

// encodeBlocks codes the quantised blocks of p (geometry and size) with
// tables qt, using s's buffers.
func encodeBlocks(w io.Writer, p *Prepared, blocks [][]int16, qt *[2][64]uint8, progressive bool, s *scratch) error {
	e := &encoder{p: p, blocks: blocks, out: s.out[:0], syms: s.syms[:0]}
	e.headers(qt, progressive)
	if progressive {
		e.progressiveScans()
	} else {
		e.baselineScan()
	}
	e.out = append(e.out, 0xff, 0xd9)
	s.out, s.syms = e.out, e.syms
	_, err := w.Write(e.out)
	return err
}

// scratch holds the buffers one Encode needs, kept between calls: a
// budget search encodes the same image several times.
type scratch struct {
	coef []int16
	syms []uint32
	out  []byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// blocks returns room in s for the quantised blocks of planes, 64
// coefficients a block, one slice a plane.
func (s *scratch) blocks(planes []plane) [][]int16 {
	total := 0
	for _, p := range planes {
		total += p.bw * p.bh * 64
	}
	if cap(s.coef) < total {
		s.coef = make([]int16, total)
	}
	all := s.coef[:total]
	out := make([][]int16, len(planes))
	for c, p := range planes {
		n := p.bw * p.bh * 64
		out[c], all = all[:n:n], all[n:]
	}
	return out
}

// quantBlock divides the DCT output s of one block (natural order) by
// the quantiser reciprocals r, into d in zig-zag order.
func quantBlock(s []float32, d []int16, r *[64]float32) {
	for k, n := range zigzag {
		// Round half away from zero: add ±0.5 with v's sign. For 8-bit
		// samples |DC| <= 1024 and |AC| < 842 at quantiser 1, within the
		// sizes JPEG codes.
		v := s[n] * r[n]
		h := math.Float32frombits(math.Float32bits(v)&(1<<31) | 0x3f000000)
		d[k] = int16(v + h)
	}
}

// quantise divides every plane's DCT output by the tables qt, giving
// coefficients in zig-zag order, 64 per block.
func (p *Prepared) quantise(qt *[2][64]uint8, s *scratch) [][]int16 {
	rec := reciprocals(qt)
	out := s.blocks(p.planes)
	type job struct{ c, b0, b1 int }
	var jobs []job
	for c := range p.planes {
		n := p.planes[c].bw * p.planes[c].bh
		jobs = append(jobs, job{c, 0, n / 2}, job{c, n / 2, n})
	}
	run := func(j job) {
		r := &rec[min(j.c, 1)]
		src, dst := p.planes[j.c].coef, out[j.c]
		for b := j.b0; b < j.b1; b++ {
			quantBlock(src[b*64:b*64+64:b*64+64], dst[b*64:b*64+64:b*64+64], r)
		}
	}
	if p.width*p.height < parallelPixels || runtime.GOMAXPROCS(0) < 2 {
		for _, j := range jobs {
			run(j)
		}
		return out
	}
	// Two halves of each plane on two goroutines; each block is written
	// by one of them, so the result does not depend on scheduling.
	var wg sync.WaitGroup
	for half := range 2 {
		wg.Go(func() {
			for i := half; i < len(jobs); i += 2 {
				run(jobs[i])
			}
		})
	}
	wg.Wait()
	return out
}

// encoder assembles one JPEG file in memory.
type encoder struct {
	p      *Prepared
	blocks [][]int16
	out    []byte
	syms   []uint32 // scratch for a scan's symbols

	// Bit writer state: the low nacc bits of acc are not written yet.
	acc  uint64
	nacc uint
}

func (e *encoder) marker(m byte, payload ...byte) {
	n := len(payload) + 2
	e.out = append(e.out, 0xff, m, byte(n>>8), byte(n))
	e.out = append(e.out, payload...)
}

// headers writes SOI, the quantisation tables and the frame header.
func (e *encoder) headers(qt *[2][64]uint8, progressive bool) {
	e.out = append(e.out, 0xff, 0xd8)
	var dqt []byte
	for i := range min(len(e.p.planes), 2) {
		dqt = append(dqt, byte(i))
		for _, n := range zigzag {
			dqt = append(dqt, qt[i][n])
		}
	}
	e.marker(0xdb, dqt...)
	sof := []byte{8, byte(e.p.height >> 8), byte(e.p.height), byte(e.p.width >> 8), byte(e.p.width), byte(len(e.p.planes))}
	for c, pl := range e.p.planes {
		sof = append(sof, byte(c+1), byte(pl.h<<4|pl.v), byte(min(c, 1)))
	}
	m := byte(0xc0)
	if progressive {
		m = 0xc2
	}
	e.marker(m, sof...)
}

// dht writes one DHT segment with the given tables; class 0 is DC, 1 AC.
func (e *encoder) dht(tables ...dhtTable) {
	var b []byte
	for _, t := range tables {
		b = append(b, t.class<<4|t.id)
		b = append(b, t.spec.counts[:]...)
		b = append(b, t.spec.vals...)
	}
	e.marker(0xc4, b...)
}

type dhtTable struct {
	class, id byte
	spec      huffSpec
}

// sos writes a scan header for components comps (0-based) with the given
// table ids, spectral selection ss..se and no successive approximation.
func (e *encoder) sos(comps []int, dcID, acID []byte, ss, se byte) {
	b := []byte{byte(len(comps))}
	for i, c := range comps {
		b = append(b, byte(c+1), dcID[i]<<4|acID[i])
	}
	b = append(b, ss, se, 0)
	e.marker(0xda, b...)
}
