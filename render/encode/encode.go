package encode

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/sharecard/sharecard/render/encode/jpegenc"
	"github.com/sharecard/sharecard/render/preset"

	libwebp "github.com/gen2brain/webp"
)

// Encoded is an encoded image.
type Encoded struct {
	// Data holds the encoded bytes.
	Data []byte
	// Format is the encoding of Data.
	Format preset.Format
	// Quality is the JPEG or WebP quality used (1-100), or 0 for PNG.
	Quality int
	// FitsLimit is false when a byte limit was set and even the floor
	// quality (or, for PNG, the only encoding) came out larger; Data then
	// holds that too-large encoding and the caller should warn.
	FitsLimit bool
}

// Options control Encode. The zero value means the defaults.
type Options struct {
	// MaxBytes is the largest acceptable size of the encoded image, in
	// bytes; 0 means no limit.
	MaxBytes int
	// Quality is the JPEG or WebP quality to try first, 1-100; 0 means
	// DefaultQuality.
	Quality int
	// MinQuality is the lowest quality Encode may fall back to in order to
	// meet MaxBytes; 0 means DefaultMinQuality. It is lowered to Quality if
	// it is above it.
	MinQuality int
	// Progressive writes JPEG output as a progressive JPEG: a few percent
	// smaller, and it shows a coarse whole picture early while loading.
	// Other formats ignore it.
	Progressive bool
	// Chroma444 keeps JPEG colour at full resolution (4:4:4) instead of
	// halving it both ways (4:2:0): about 7% larger, but red or blue type
	// keeps crisp edges. Other formats ignore it.
	Chroma444 bool
}

// Default encoding qualities, used where a field of EncodeOptions is zero.
const (
	DefaultQuality    = 88
	DefaultMinQuality = 60
)

func (o Options) withDefaults() (Options, error) {
	if o.Quality == 0 {
		o.Quality = DefaultQuality
	}
	if o.MinQuality == 0 {
		o.MinQuality = DefaultMinQuality
	}
	if o.Quality < 1 || o.Quality > 100 || o.MinQuality < 1 || o.MinQuality > 100 {
		return o, fmt.Errorf("encoding quality %d (floor %d) is out of range: use 1 to 100", o.Quality, o.MinQuality)
	}
	if o.MaxBytes < 0 {
		return o, fmt.Errorf("byte limit %d is negative: use 0 for no limit", o.MaxBytes)
	}
	o.MinQuality = min(o.MinQuality, o.Quality)
	return o, nil
}

// Encode encodes img as f. With opt.MaxBytes set, JPEG and WebP are encoded
// at opt.Quality and, if that is too large, at the highest quality in
// [opt.MinQuality, opt.Quality) that fits, found by binary search (at most
// about 6 encodes). JPEG is written by package jpegenc with optimised
// Huffman tables (opt.Progressive and opt.Chroma444 choose its mode); it
// has no alpha channel: translucent pixels come out as if composited over
// black, so flatten the image first. Opaque images
// are written as PNG without an alpha channel.
func Encode(img image.Image, f preset.Format, opt Options) (Encoded, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Encoded{}, err
	}
	if img == nil || img.Bounds().Empty() {
		return Encoded{}, fmt.Errorf("cannot encode an empty image as %s", f)
	}
	switch f {
	case preset.FormatPNG:
		data, err := encodePNG(img)
		if err != nil {
			return Encoded{}, err
		}
		return Encoded{Data: data, Format: f, FitsLimit: fits(data, opt.MaxBytes)}, nil
	case preset.FormatJPEG:
		chroma := jpegenc.Chroma420
		if opt.Chroma444 {
			chroma = jpegenc.Chroma444
		}
		// Most cards fit at the first quality: that encode quantises each
		// block as it is transformed and keeps no DCT output. Only when a
		// byte limit asks for a search are the colour conversion and DCT
		// kept (they do not depend on quality), so that each further try
		// only quantises and codes.
		var buf bytes.Buffer
		if err := jpegenc.Encode(&buf, img, &jpegenc.Options{Quality: opt.Quality, Chroma: chroma, Progressive: opt.Progressive}); err != nil {
			return Encoded{}, fmt.Errorf("encoding %s at quality %d: %w", f, opt.Quality, err)
		}
		first := buf.Bytes()
		if fits(first, opt.MaxBytes) {
			return Encoded{Data: first, Format: f, Quality: opt.Quality, FitsLimit: true}, nil
		}
		p, err := jpegenc.Prepare(img, chroma)
		if err != nil {
			return Encoded{}, err
		}
		return encodeLossy(f, opt, func(q int) ([]byte, error) {
			if q == opt.Quality {
				return first, nil
			}
			var buf bytes.Buffer
			err := p.Encode(&buf, q, opt.Progressive)
			return buf.Bytes(), err
		})
	case preset.FormatWebP:
		return encodeLossy(f, opt, func(q int) ([]byte, error) {
			var buf bytes.Buffer
			err := libwebp.Encode(&buf, img, libwebp.Options{Quality: q, Method: webpMethod})
			return buf.Bytes(), err
		})
	}
	return Encoded{}, fmt.Errorf("unknown output format %q (use jpeg, png or webp)", string(f))
}

// webpMethod is libwebp's speed/size trade-off (0 fast to 6 small). On a
// 1200x630 photo card, method 2 gives the same size as the default 4 (within
// 0.1%) in about a third of the time; the encoder runs as WebAssembly, so
// this matters when the quality search encodes several times.
const webpMethod = 2

// fits reports whether data is within maxBytes (0 = no limit).
func fits(data []byte, maxBytes int) bool {
	return maxBytes <= 0 || len(data) <= maxBytes
}

// encodePNG writes img with BestSpeed compression. On a 1200x630 photo card
// the default level is only about 4% smaller (1.42 MB against 1.47 MB) and
// takes about 1.7 times as long (about 155 ms against 90 ms; see
// BenchmarkEncodePNGLevel): PNG output is for exact pixels, not small files.
func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encoding png: %w", err)
	}
	return buf.Bytes(), nil
}

// encodeLossy encodes at opt.Quality, then searches for the highest quality
// that fits opt.MaxBytes. Every quality q it returns with FitsLimit fits,
// and q+1 (if q < opt.Quality) does not.
func encodeLossy(f preset.Format, opt Options, enc func(q int) ([]byte, error)) (Encoded, error) {
	tried := map[int][]byte{}
	encode := func(q int) ([]byte, error) {
		if data, ok := tried[q]; ok {
			return data, nil
		}
		data, err := enc(q)
		if err != nil {
			return nil, fmt.Errorf("encoding %s at quality %d: %w", f, q, err)
		}
		tried[q] = data
		return data, nil
	}
	data, err := encode(opt.Quality)
	if err != nil {
		return Encoded{}, err
	}
	if fits(data, opt.MaxBytes) {
		return Encoded{Data: data, Format: f, Quality: opt.Quality, FitsLimit: true}, nil
	}
	best, bestQ := []byte(nil), 0
	// Invariant: hi+1 does not fit; lo-1 fits or is below the floor.
	for lo, hi := opt.MinQuality, opt.Quality-1; lo <= hi; {
		mid := (lo + hi) / 2
		data, err := encode(mid)
		if err != nil {
			return Encoded{}, err
		}
		if fits(data, opt.MaxBytes) {
			best, bestQ, lo = data, mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best != nil {
		return Encoded{Data: best, Format: f, Quality: bestQ, FitsLimit: true}, nil
	}
	if data, err = encode(opt.MinQuality); err != nil {
		return Encoded{}, err
	}
	return Encoded{Data: data, Format: f, Quality: opt.MinQuality}, nil
}
