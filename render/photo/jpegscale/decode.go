package jpegscale

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math/bits"
	"runtime"
	"sync"
)

// ErrUnsupported is wrapped by every error about a valid JPEG feature this
// package does not decode (yet). Callers fall back to image/jpeg on it.
var ErrUnsupported = errors.New("jpegscale: unsupported JPEG feature")

// ErrLimit is wrapped by every error about input that exceeds Limits.
var ErrLimit = errors.New("jpegscale: limit exceeded")

// Limits bounds the work and memory of one Decode. Zero fields take the
// defaults shown.
type Limits struct {
	MaxPixels     int64 // full-size width×height; default 100 000 000
	MaxScans      int   // SOS segments; default 64
	MaxInputBytes int64 // bytes read from r; default 64 MiB
}

const (
	defaultMaxPixels = 100_000_000
	defaultMaxScans  = 64
	defaultMaxInput  = 64 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxPixels <= 0 {
		l.MaxPixels = defaultMaxPixels
	}
	if l.MaxScans <= 0 {
		l.MaxScans = defaultMaxScans
	}
	if l.MaxInputBytes <= 0 {
		l.MaxInputBytes = defaultMaxInput
	}
	return l
}

// FormatError reports malformed input: what was wrong and at which byte.
type FormatError struct {
	Offset int
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("jpegscale: invalid JPEG at byte %d: %s", e.Offset, e.Msg)
}

type component struct {
	id     byte
	h, v   int // sampling factors
	tq     int // quantisation table
	bw, bh int // blocks across/down in the plane (MCU padded)
	pix    []byte
	stride int
	n      int // output block side of this plane: 8/scale, more for some subsampled planes
	dcPred int32
	coefs  []int16  // progressive only: slotCount[n] per block (placed by slotTables[n]), not dequantised
	nz     []uint64 // progressive only: per block, bit k set when AC zigzag coefficient k is non-zero
	td, ta int
}

type decoder struct {
	data  []byte
	pos   int
	scale int
	n     int // output block side: 8/scale
	lim   Limits

	width, height int
	comps         []component
	hmax, vmax    int
	mcusX, mcusY  int
	quant         [4][64]int32 // zigzag order
	quantSet      [4]bool
	dc, ac        [4]*huffTable // a new table for each definition: scans keep theirs
	jobs          []*scanJob    // progressive scans, decoded at the end
	dcSet, acSet  [4]bool
	ri            int
	frameSeen     bool
	scans         int
	adobe         bool
	adobeXform    int
	jfif          bool
	model         colorModel
	decodedAny    bool
	progressive   bool
	bits          bitReader

	ctx  context.Context
	done <-chan struct{} // ctx.Done(): nil when ctx cannot be cancelled
	hook func()          // tests only: called at every cancellation check
}

// Decode reads a JPEG from r and returns it at 1/scale of each side.
// scale must be 1, 2, 4 or 8. The result is an *image.Gray, *image.YCbCr,
// *image.RGBA (RGB files) or *image.CMYK (CMYK and YCCK files).
func Decode(r io.Reader, scale int, lim Limits) (image.Image, error) {
	return DecodeContext(context.Background(), r, scale, lim)
}

// DecodeContext is Decode that stops when ctx is done: it checks ctx
// between scans, between MCU rows (restart segments decode in rows too),
// between block rows of the inverse DCT and every 16 rows of an RGB or
// CMYK output's colour conversion, so it notices within a few
// milliseconds of work, stops every goroutine it started and returns
// ctx.Err() itself (not wrapped). A decode that ctx ends never returns an
// image. Reading r is not interrupted: ctx is checked after r is read.
func DecodeContext(ctx context.Context, r io.Reader, scale int, lim Limits) (image.Image, error) {
	return decodeContext(ctx, r, scale, lim, nil)
}

// decodeContext is DecodeContext with a hook called at every cancellation
// check (from several goroutines at once), for tests.
func decodeContext(ctx context.Context, r io.Reader, scale int, lim Limits, hook func()) (image.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch scale {
	case 1, 2, 4, 8:
	default:
		return nil, fmt.Errorf("jpegscale: scale %d not supported: use 1, 2, 4 or 8", scale)
	}
	lim = lim.withDefaults()
	data, err := readAll(r, lim.MaxInputBytes+1)
	if err != nil {
		return nil, fmt.Errorf("jpegscale: reading input: %w", err)
	}
	if int64(len(data)) > lim.MaxInputBytes {
		return nil, fmt.Errorf("%w: input is larger than %d bytes (raise Limits.MaxInputBytes)", ErrLimit, lim.MaxInputBytes)
	}
	d := &decoder{data: data, scale: scale, n: 8 / scale, lim: lim, ctx: ctx, done: ctx.Done(), hook: hook}
	img, err := d.decode()
	if ctx.Err() != nil {
		// Work cut short (an IDCT worker that stopped early) must not
		// come back as an image, nor an error it caused as the reason.
		return nil, ctx.Err()
	}
	return img, err
}

// stopped is the cancellation check: it reports whether ctx is done.
func (d *decoder) stopped() bool {
	if d.hook != nil {
		d.hook()
	}
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// readAll reads r up to limit bytes. When r tells its length (as
// *bytes.Reader, *bytes.Buffer and *strings.Reader do), the buffer is
// allocated once at that size instead of grown by doubling.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	lr := io.LimitReader(r, limit)
	l, ok := r.(interface{ Len() int })
	if !ok {
		return io.ReadAll(lr)
	}
	buf := make([]byte, 0, min(int64(l.Len()), limit)+1)
	for {
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow: r had more than it said
		}
	}
}

func (d *decoder) errf(format string, args ...any) error {
	return &FormatError{Offset: d.pos, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) u16(at int) int { return int(d.data[at])<<8 | int(d.data[at+1]) }

func (d *decoder) decode() (image.Image, error) {
	if len(d.data) < 2 || d.data[0] != 0xFF || d.data[1] != 0xD8 {
		return nil, d.errf("missing SOI marker: not a JPEG file")
	}
	d.pos = 2
	for {
		if d.stopped() {
			return nil, d.ctx.Err()
		}
		// Find the next marker, skipping fill bytes and (tolerantly) junk.
		for d.pos < len(d.data) && d.data[d.pos] != 0xFF {
			d.pos++
		}
		for d.pos+1 < len(d.data) && d.data[d.pos+1] == 0xFF {
			d.pos++
		}
		if d.pos+1 >= len(d.data) {
			if d.decodedAny {
				return d.finish() // missing EOI: accept what was decoded, like libjpeg
			}
			return nil, d.errf("unexpected end of file before any image data")
		}
		m := d.data[d.pos+1]
		d.pos += 2
		if m == 0x00 || (m >= 0xD0 && m <= 0xD7) || m == 0x01 {
			continue // stray stuffed byte or RST outside a scan
		}
		if m == 0xD9 { // EOI
			if !d.decodedAny {
				return nil, d.errf("EOI before any image data")
			}
			return d.finish()
		}
		if d.pos+2 > len(d.data) {
			return nil, d.errf("truncated marker segment length")
		}
		length := d.u16(d.pos)
		if length < 2 || d.pos+length > len(d.data) {
			return nil, d.errf("marker 0x%02X segment length %d runs past end of file", m, length)
		}
		seg := d.data[d.pos+2 : d.pos+length]
		start := d.pos
		d.pos += length
		var err error
		switch {
		case m == 0xC0 || m == 0xC1 || m == 0xC2:
			d.progressive = m == 0xC2
			err = d.parseSOF(seg, start)
		case m == 0xC3 || (m >= 0xC5 && m <= 0xC7) || (m >= 0xC9 && m <= 0xCB) || (m >= 0xCD && m <= 0xCF):
			err = fmt.Errorf("%w: JPEG process SOF%d (lossless, hierarchical or arithmetic)", ErrUnsupported, m-0xC0)
		case m == 0xC4:
			err = d.parseDHT(seg, start)
		case m == 0xDB:
			err = d.parseDQT(seg, start)
		case m == 0xDD:
			if len(seg) != 2 {
				return nil, &FormatError{start, "DRI segment must be 4 bytes long"}
			}
			d.ri = int(seg[0])<<8 | int(seg[1])
		case m == 0xE0:
			if len(seg) >= 5 && string(seg[:5]) == "JFIF\x00" {
				d.jfif = true
			}
		case m == 0xEE:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe = true
				d.adobeXform = int(seg[11])
			}
		case m == 0xDA:
			err = d.parseSOS(seg, start)
		case m == 0xDC:
			err = fmt.Errorf("%w: DNL marker (height defined after the scan)", ErrUnsupported)
		}
		if err != nil {
			return nil, err
		}
	}
}

func (d *decoder) parseSOF(seg []byte, at int) error {
	if d.frameSeen {
		return &FormatError{at, "more than one SOF marker"}
	}
	d.frameSeen = true
	if len(seg) < 6 {
		return &FormatError{at, "SOF segment too short"}
	}
	if seg[0] != 8 {
		return fmt.Errorf("%w: %d-bit samples (only 8-bit)", ErrUnsupported, seg[0])
	}
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	nc := int(seg[5])
	if d.height == 0 {
		return fmt.Errorf("%w: height 0 (defined by a later DNL marker)", ErrUnsupported)
	}
	if d.width == 0 {
		return &FormatError{at, "image width is 0"}
	}
	if int64(d.width)*int64(d.height) > d.lim.MaxPixels {
		return fmt.Errorf("%w: image is %dx%d, more than %d pixels (raise Limits.MaxPixels)", ErrLimit, d.width, d.height, d.lim.MaxPixels)
	}
	switch nc {
	case 1, 3, 4:
	default:
		return &FormatError{at, fmt.Sprintf("%d components: a JPEG has 1, 3 or 4", nc)}
	}
	if len(seg) != 6+3*nc {
		return &FormatError{at, "SOF segment length does not match its component count"}
	}
	d.comps = make([]component, nc)
	for i := range d.comps {
		c := &d.comps[i]
		c.id = seg[6+3*i]
		c.h, c.v = int(seg[7+3*i]>>4), int(seg[7+3*i]&15)
		c.tq = int(seg[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return &FormatError{at, fmt.Sprintf("component %d has sampling factors %dx%d: each must be 1-4", i, c.h, c.v)}
		}
		if c.tq > 3 {
			return &FormatError{at, fmt.Sprintf("component %d uses quantisation table %d: at most 3", i, c.tq)}
		}
		for j := 0; j < i; j++ {
			if d.comps[j].id == c.id {
				return &FormatError{at, "two components share an id"}
			}
		}
	}
	// The colour model is fixed here, from the markers seen so far (JFIF
	// and Adobe APP14 come before the frame), as image/jpeg decides it.
	switch nc {
	case 1:
		d.model = modelGray
		d.comps[0].h, d.comps[0].v = 1, 1 // a single component's MCU is one block
	case 3:
		d.model = modelYCbCr
		if d.isRGB() {
			d.model = modelRGB
		}
	case 4:
		if !d.adobe {
			return fmt.Errorf("%w: 4-component JPEG without an Adobe APP14 marker (colour model unknown)", ErrUnsupported)
		}
		d.model = modelCMYK
		if d.adobeXform != 0 {
			d.model = modelYCCK
		}
	}
	if d.model == modelYCbCr {
		if d.comps[1].h != 1 || d.comps[1].v != 1 || d.comps[2].h != 1 || d.comps[2].v != 1 {
			return fmt.Errorf("%w: chroma sampling %dx%d/%dx%d (chroma must be 1x1)", ErrUnsupported, d.comps[1].h, d.comps[1].v, d.comps[2].h, d.comps[2].v)
		}
		if subsampleRatio(d.comps[0].h, d.comps[0].v) < 0 {
			return fmt.Errorf("%w: luma sampling %dx%d", ErrUnsupported, d.comps[0].h, d.comps[0].v)
		}
	}
	d.hmax, d.vmax = 1, 1
	for _, c := range d.comps {
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
	}
	if d.model == modelRGB || d.model == modelCMYK || d.model == modelYCCK {
		// Interleaved output repeats the samples of a subsampled plane;
		// that needs whole ratios.
		for i, c := range d.comps {
			if d.hmax%c.h != 0 || d.vmax%c.v != 0 {
				return fmt.Errorf("%w: component %d sampling %dx%d is not a whole fraction of %dx%d", ErrUnsupported, i, c.h, c.v, d.hmax, d.vmax)
			}
		}
	}
	d.mcusX = (d.width + 8*d.hmax - 1) / (8 * d.hmax)
	d.mcusY = (d.height + 8*d.vmax - 1) / (8 * d.vmax)
	for i := range d.comps {
		c := &d.comps[i]
		c.bw, c.bh = d.mcusX*c.h, d.mcusY*c.v
		c.n = d.n
		if d.model != modelYCbCr && d.hmax/c.h == d.vmax/c.v {
			// A subsampled plane of an interleaved output is decoded at
			// a larger DCT size where the scale allows (as libjpeg
			// does), so it needs less or no repetition of samples.
			c.n = min(8, d.n*d.hmax/c.h)
		}
		c.stride = c.bw * c.n
		c.pix = make([]byte, c.stride*c.bh*c.n)
		if d.progressive {
			c.coefs = make([]int16, c.bw*c.bh*slotCount[c.n])
			c.nz = make([]uint64, c.bw*c.bh)
		}
	}
	return nil
}

// subsampleRatio maps the luma sampling (chroma 1x1) to image.YCbCr's ratios.
func subsampleRatio(h, v int) image.YCbCrSubsampleRatio {
	switch {
	case h == 1 && v == 1:
		return image.YCbCrSubsampleRatio444
	case h == 2 && v == 1:
		return image.YCbCrSubsampleRatio422
	case h == 2 && v == 2:
		return image.YCbCrSubsampleRatio420
	case h == 1 && v == 2:
		return image.YCbCrSubsampleRatio440
	case h == 4 && v == 1:
		return image.YCbCrSubsampleRatio411
	case h == 4 && v == 2:
		return image.YCbCrSubsampleRatio410
	}
	return -1
}

func (d *decoder) parseDQT(seg []byte, at int) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, int(seg[0]&15)
		if tq > 3 {
			return &FormatError{at, fmt.Sprintf("DQT table id %d: at most 3", tq)}
		}
		switch pq {
		case 0:
			if len(seg) < 65 {
				return &FormatError{at, "DQT segment too short"}
			}
			for i := range 64 {
				d.quant[tq][i] = int32(seg[1+i])
			}
			seg = seg[65:]
		case 1:
			if len(seg) < 129 {
				return &FormatError{at, "DQT segment too short"}
			}
			for i := range 64 {
				d.quant[tq][i] = int32(seg[1+2*i])<<8 | int32(seg[2+2*i])
			}
			seg = seg[129:]
		default:
			return &FormatError{at, fmt.Sprintf("DQT precision %d: must be 0 or 1", pq)}
		}
		d.quantSet[tq] = true
	}
	return nil
}

func (d *decoder) parseDHT(seg []byte, at int) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return &FormatError{at, "DHT segment too short"}
		}
		tc, th := seg[0]>>4, int(seg[0]&15)
		if tc > 1 || th > 3 {
			return &FormatError{at, fmt.Sprintf("DHT class %d id %d: class is 0 or 1, id at most 3", tc, th)}
		}
		var counts [16]int
		total := 0
		for i := range 16 {
			counts[i] = int(seg[1+i])
			total += counts[i]
		}
		if total == 0 || total > 256 || len(seg) < 17+total {
			return &FormatError{at, fmt.Sprintf("DHT table has %d codes (segment holds %d)", total, len(seg)-17)}
		}
		var t *huffTable
		if tc == 0 {
			t = new(huffTable)
			d.dc[th], d.dcSet[th] = t, true
		} else {
			t = new(huffTable)
			d.ac[th], d.acSet[th] = t, true
		}
		if err := t.build(counts, seg[17:17+total]); err != nil {
			return &FormatError{at, err.Error()}
		}
		seg = seg[17+total:]
	}
	return nil
}

func (d *decoder) parseSOS(seg []byte, at int) error {
	if !d.frameSeen {
		return &FormatError{at, "SOS before SOF"}
	}
	d.scans++
	if d.scans > d.lim.MaxScans {
		return fmt.Errorf("%w: more than %d scans (raise Limits.MaxScans)", ErrLimit, d.lim.MaxScans)
	}
	if len(seg) < 1 {
		return &FormatError{at, "SOS segment too short"}
	}
	ns := int(seg[0])
	if ns < 1 || ns > len(d.comps) || len(seg) != 4+2*ns {
		return &FormatError{at, fmt.Sprintf("SOS with %d components does not fit the frame or segment", ns)}
	}
	ss, se, ah, al := int(seg[1+2*ns]), int(seg[2+2*ns]), int(seg[3+2*ns]>>4), int(seg[3+2*ns]&15)
	scomp := make([]int, ns)
	for i := range ns {
		id := seg[1+2*i]
		ci := -1
		for j := range d.comps {
			if d.comps[j].id == id {
				ci = j
			}
		}
		if ci < 0 {
			return &FormatError{at, fmt.Sprintf("SOS names component id %d that the frame does not have", id)}
		}
		for j := range i {
			if scomp[j] == ci {
				return &FormatError{at, "SOS names a component twice"}
			}
		}
		scomp[i] = ci
		c := &d.comps[ci]
		c.td, c.ta = int(seg[2+2*i]>>4), int(seg[2+2*i]&15)
		needDC := !d.progressive || ss == 0 && ah == 0
		needAC := !d.progressive || ss > 0
		if c.td > 3 || c.ta > 3 || needDC && !d.dcSet[c.td] || needAC && !d.acSet[c.ta] {
			return &FormatError{at, fmt.Sprintf("SOS component %d uses a Huffman table that was not defined", id)}
		}
		if !d.quantSet[c.tq] {
			return &FormatError{at, fmt.Sprintf("component %d uses quantisation table %d that was not defined", id, c.tq)}
		}
	}
	if !d.progressive && (ss != 0 || se != 63 || ah != 0 || al != 0) {
		return &FormatError{at, "sequential scan must have Ss=0, Se=63, Ah=Al=0"}
	}
	if d.progressive {
		switch {
		case ss == 0 && se != 0:
			return &FormatError{at, "progressive DC scan must have Se=0"}
		case ss > 0 && (se < ss || se > 63 || ns != 1):
			return &FormatError{at, fmt.Sprintf("progressive AC scan has Ss=%d Se=%d over %d components: need 1 ≤ Ss ≤ Se ≤ 63, one component", ss, se, ns)}
		case ah > 13 || al > 13:
			return &FormatError{at, fmt.Sprintf("successive approximation Ah=%d Al=%d: at most 13", ah, al)}
		}
	}
	blocks := 0
	for _, ci := range scomp {
		blocks += d.comps[ci].h * d.comps[ci].v
	}
	if ns > 1 && blocks > 10 {
		return &FormatError{at, fmt.Sprintf("MCU of %d blocks: the limit is 10", blocks)}
	}
	return d.scan(scomp, ss, se, ah, al)
}

// finish turns stored progressive coefficients into pixels. Block rows are
// independent, so they are shared out over GOMAXPROCS goroutines.
func (d *decoder) finish() (image.Image, error) {
	if !d.progressive {
		return d.image(), nil
	}
	if err := d.runScans(); err != nil {
		return nil, err
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range d.comps {
		c := &d.comps[i]
		var qn [64]int32 // quantisation table in natural order
		for k := range 64 {
			qn[zigzag[k]] = d.quant[c.tq][k]
		}
		rowsEach := (c.bh + workers - 1) / workers
		for y0 := 0; y0 < c.bh; y0 += rowsEach {
			wg.Go(func() { d.finishRows(c, &qn, y0, min(c.bh, y0+rowsEach)) })
		}
	}
	wg.Wait()
	if d.stopped() {
		return nil, d.ctx.Err()
	}
	return d.image(), nil
}

func (d *decoder) finishRows(c *component, qn *[64]int32, y0, y1 int) {
	var coef [64]int32
	n := c.n
	cs := slotCount[n]
	slot := &slotTables[n]
	for by := y0; by < y1; by++ {
		if d.stopped() {
			return
		}
		for bx := range c.bw {
			bi := by*c.bw + bx
			blk := c.coefs[bi*cs:][:cs]
			coef[0] = int32(blk[0]) * qn[0]
			maxRow, maxCol := 0, 0
			var stored uint64
			for m := c.nz[bi]; m != 0; m &= m - 1 {
				k := bits.TrailingZeros64(m)
				if s := slot[k]; s >= 0 {
					z := zigzag[k]
					coef[z] = int32(blk[s]) * qn[z]
					maxRow, maxCol = max(maxRow, int(z>>3)), max(maxCol, int(z&7))
					stored |= 1 << uint(k)
				}
			}
			idct(&coef, maxRow, maxCol, n, c.pix[by*n*c.stride+bx*n:], c.stride)
			for m := stored; m != 0; m &= m - 1 {
				coef[zigzag[bits.TrailingZeros64(m)]] = 0
			}
		}
	}
}

// colorModel is how the components map to output pixels.
type colorModel int

const (
	modelGray  colorModel = iota // *image.Gray
	modelYCbCr                   // *image.YCbCr
	modelRGB                     // 3 components, untransformed: *image.RGBA
	modelCMYK                    // Adobe CMYK, stored inverted: *image.CMYK
	modelYCCK                    // Adobe YCCK: *image.CMYK
)

// isRGB reports whether a 3-component frame holds RGB rather than YCbCr,
// by the rules image/jpeg follows: JFIF means YCbCr; else an Adobe APP14
// transform of 0 means RGB and 1 YCbCr; else component ids 'R', 'G', 'B'.
func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobe && (d.adobeXform == 0 || d.adobeXform == 1) {
		return d.adobeXform == 0
	}
	return d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B'
}

func (d *decoder) image() image.Image {
	w := (d.width + d.scale - 1) / d.scale
	h := (d.height + d.scale - 1) / d.scale
	switch d.model {
	case modelGray:
		c := &d.comps[0]
		return &image.Gray{Pix: c.pix, Stride: c.stride, Rect: image.Rect(0, 0, w, h)}
	case modelRGB:
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		d.interleave(img.Pix, img.Stride, w, h, func(p []byte, s [4]byte) {
			p[0], p[1], p[2], p[3] = s[0], s[1], s[2], 255
		})
		return img
	case modelCMYK:
		// Adobe (Photoshop) CMYK is stored inverted: 0 is full ink.
		img := image.NewCMYK(image.Rect(0, 0, w, h))
		d.interleave(img.Pix, img.Stride, w, h, func(p []byte, s [4]byte) {
			p[0], p[1], p[2], p[3] = 255-s[0], 255-s[1], 255-s[2], 255-s[3]
		})
		return img
	case modelYCCK:
		// YCC converts to RGB as for YCbCr; that RGB is inverted CMY, and
		// inverting the stored inverted ink gives C, M, Y = R, G, B. The
		// black is stored inverted.
		img := image.NewCMYK(image.Rect(0, 0, w, h))
		d.interleave(img.Pix, img.Stride, w, h, func(p []byte, s [4]byte) {
			p[0], p[1], p[2] = color.YCbCrToRGB(s[0], s[1], s[2])
			p[3] = 255 - s[3]
		})
		return img
	}
	return &image.YCbCr{
		Y: d.comps[0].pix, Cb: d.comps[1].pix, Cr: d.comps[2].pix,
		YStride: d.comps[0].stride, CStride: d.comps[1].stride,
		SubsampleRatio: subsampleRatio(d.comps[0].h, d.comps[0].v),
		Rect:           image.Rect(0, 0, w, h),
	}
}

// interleave builds a w×h 4-byte-per-pixel image from the component
// planes, repeating the samples of subsampled planes (as image/jpeg does),
// converting each pixel's samples with px.
func (d *decoder) interleave(pix []byte, stride, w, h int, px func(p []byte, s [4]byte)) {
	var rx, ry [4]int
	for i, c := range d.comps {
		// c.n/d.n is how much finer than the file's sampling the plane is.
		rx[i], ry[i] = d.hmax/c.h*d.n/c.n, d.vmax/c.v*d.n/c.n
	}
	var s [4]byte
	var rows [4][]byte
	for y := range h {
		if y%16 == 0 && d.stopped() {
			return // DecodeContext returns ctx.Err(), not this image
		}
		for i := range d.comps {
			c := &d.comps[i]
			rows[i] = c.pix[(y/ry[i])*c.stride:]
		}
		out := pix[y*stride:]
		for x := range w {
			for i := range d.comps {
				s[i] = rows[i][x/rx[i]]
			}
			px(out[4*x:4*x+4], s)
		}
	}
}

// ProgressiveBlockBytes is how many bytes a progressive decode at
// 1/scale keeps for each 8×8 block of a greyscale or YCbCr file until its
// last scan: 2 per coefficient the scaled IDCT reads (64 at 1/1, 49 at
// 1/2, 25 at 1/4, 1 at 1/8) and 8 for the block's non-zero map. It is 0
// for a scale Decode does not take. Memory budgets use it.
func ProgressiveBlockBytes(scale int) int {
	switch scale {
	case 1, 2, 4, 8:
		return 2*slotCount[8/scale] + 8
	}
	return 0
}
