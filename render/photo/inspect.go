package photo

import (
	"fmt"
	"image"
	"math"

	"github.com/sharecard/sharecard/render/photo/jpegscale"
)

// Header is what [Inspect] learns about a photo without decoding a pixel:
// its size and coding, and from them the memory its decoding takes.
type Header struct {
	// Format is the encoding detected from the content: "jpeg", "png",
	// "gif" or "webp".
	Format string
	// Width and Height are the size as stored, before the EXIF
	// orientation is applied.
	Width, Height int
	// Orientation is the EXIF orientation (1-8) of a JPEG, 0 if none or
	// for other formats (whose orientation is only read when decoding).
	Orientation int
	// Components is the number of colour components of a JPEG: 1 for
	// grey, 3 for colour, 4 for CMYK; 0 for other formats.
	Components int
	// Progressive reports a progressive JPEG, whose decoding keeps every
	// coefficient of the photo in memory at 4 bytes each.
	Progressive bool
	// Scans is the number of scans of a JPEG, checked against
	// [MaxJPEGScans].
	Scans int

	size    int64    // bytes of the encoded photo
	decoded int64    // bytes the format's decoder allocates
	ycbcr   bool     // the decoder returns *image.YCbCr, which the scalers read directly
	nrgba   bool     // the decoder returns *image.NRGBA, kept without a copy
	iccs    [][]byte // a JPEG's ICC profile chunks, from its marker walk
	// A JPEG our own decoder reads (see decodeJPEG): its 8×8 blocks, of
	// all components together, MCU-padded.
	scalable    bool
	blocks      int64
	interleaved bool // decoded to RGBA or CMYK, not planes
}

// Memory the decode path allocates besides what the model counts per
// pixel: decoder tables and buffers, resampling weights, the face
// detector's working images (at most 1000 px a side). Measured with
// TestDecodeBytesCalibrated.
const (
	fixedBytes  = 1 << 20
	finderBytes = 8 << 20
)

// Inspect reads the header of a whole encoded photo (as [Decode] would
// get it) and, for a JPEG, walks all its markers: it refuses a scan script
// no encoder writes (see [ErrScanScript]), a truncated file and the JPEG
// variants Go's decoder cannot read, all before any pixel is decoded. It
// allocates a small fixed amount whatever size the header claims. Errors
// wrap ErrEmptyPhoto, ErrUnsupportedFormat or ErrCorruptPhoto; the pixel
// limit is not checked here (see [Limits]).
func Inspect(data []byte) (*Header, error) {
	format, err := SniffFormat(data)
	if err != nil {
		return nil, err
	}
	h := &Header{Format: format, size: int64(len(data))}
	if format == "jpeg" {
		j, err := scanJPEG(data)
		if err != nil {
			return nil, err
		}
		h.fromJPEG(j)
		return h, nil
	}
	cfg, err := DecodeConfig(format, data)
	if err != nil {
		return nil, fmt.Errorf("%w: reading the %s header: %v", ErrCorruptPhoto, format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: header says %dx%d pixels", ErrCorruptPhoto, cfg.Width, cfg.Height)
	}
	h.Width, h.Height = cfg.Width, cfg.Height
	px := h.Pixels()
	switch format {
	case "png":
		// 8-bit samples decode to at most 4 bytes a pixel (grey with a
		// transparent colour becomes NRGBA), 16-bit ones to 8; Adam7
		// interlacing decodes each pass apart, then merges them.
		bpp, interlaced := int64(4), false
		if len(data) >= 29 {
			bpp = int64(data[24]) / 2
			interlaced = data[28] != 0
			h.nrgba = data[24] == 8 && (data[25] == 4 || data[25] == 6) && !interlaced
		}
		h.decoded = max(4, bpp) * px
		if interlaced {
			h.decoded *= 2
		}
	case "gif":
		h.decoded = px // paletted first frame, at most the logical screen
	case "webp":
		switch string(data[12:min(16, len(data))]) {
		case "VP8 ":
			h.decoded, h.ycbcr = px*3/2, true // YCbCr 4:2:0
		default: // lossless ARGB words, then NRGBA; or lossy with alpha
			h.decoded, h.nrgba = 8*px, true
		}
	}
	return h, nil
}

// fromJPEG fills h from a JPEG's marker walk, with the bytes Go's decoder
// allocates: the sample planes at MCU-padded size (plus the K plane of
// CMYK), for a progressive JPEG every coefficient of every component as
// an int32 (4 bytes a sample), and the RGBA or CMYK copy it returns for
// RGB and four-component files.
func (h *Header) fromJPEG(j *jpegHeader) {
	h.Width, h.Height = j.width, j.height
	h.Orientation, h.Progressive, h.Scans, h.Components = j.orientation, j.progressive, j.scans, len(j.comps)
	h.iccs = j.iccs
	c0 := j.comps[0]
	mxx := int64((j.width + 8*c0.h - 1) / (8 * c0.h))
	myy := int64((j.height + 8*c0.v - 1) / (8 * c0.v))
	var blocks int64 // 8×8 blocks of all components
	for _, c := range j.comps {
		blocks += mxx * myy * int64(c.h*c.v)
	}
	out := int64(0)
	if len(j.comps) == 1 {
		out = 64 * mxx * myy // Gray
	} else {
		w, ht := 8*int64(c0.h)*mxx, 8*int64(c0.v)*myy
		cw, ch := w*int64(j.comps[1].h)/int64(c0.h), ht*int64(j.comps[1].v)/int64(c0.v)
		out = w*ht + 2*cw*ch // YCbCr
		if len(j.comps) == 4 {
			c3 := j.comps[3]
			out += 64 * int64(c3.h*c3.v) * mxx * myy // the K plane
		}
		switch {
		case len(j.comps) == 4:
			out += 4 * h.Pixels() // CMYK
		case jpegIsRGB(j):
			out += 4 * h.Pixels() // RGBA
		default:
			h.ycbcr = true
		}
	}
	if j.progressive {
		out += 4 * 64 * blocks
	}
	h.decoded = out
	h.blocks = blocks
	// Our decoder reads what image/jpeg does, but for four components
	// without an Adobe marker (see decodeJPEG).
	h.scalable = len(j.comps) != 4 || j.adobe
	h.interleaved = len(j.comps) == 4 || jpegIsRGB(j)
}

// scaledJPEGBytes is what our own JPEG decoder allocates to decode this
// photo at 1/d of each side: the copy of the file it reads, the sample
// planes at that scale (a few MCU rows of buffers besides, for a baseline
// file), for a progressive JPEG the coefficients the scaled inverse DCT
// reads (see [jpegscale.ProgressiveBlockBytes]), and the RGBA or CMYK
// image it makes of an RGB or four-component file.
func (h *Header) scaledJPEGBytes(d int) int64 {
	out := h.size + h.blocks*int64(64/(d*d))
	if h.Progressive {
		out += h.blocks * int64(jpegscale.ProgressiveBlockBytes(d))
	} else {
		// About a dozen MCU rows (16 pixel rows each) in flight between
		// the Huffman decoder and the inverse DCT workers.
		out += h.blocks * 64 * 192 / int64(max(h.Height, 1))
	}
	if h.interleaved {
		w, ht := int64((h.Width+d-1)/d), int64((h.Height+d-1)/d)
		out += 4 * w * ht
	}
	return out
}

// jpegIsRGB reports whether Go's decoder reads three components as RGB.
func jpegIsRGB(j *jpegHeader) bool {
	if j.jfif {
		return false
	}
	if j.adobe && j.transform == 0 {
		return true
	}
	return j.comps[0].id == 'R' && j.comps[1].id == 'G' && j.comps[2].id == 'B'
}

// Pixels is Width × Height.
func (h *Header) Pixels() int64 { return int64(h.Width) * int64(h.Height) }

// String describes the photo for messages, such as "10000×10000
// progressive JPEG".
func (h *Header) String() string {
	kind := map[string]string{"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP"}[h.Format]
	if h.Progressive {
		kind = "progressive " + kind
	}
	return fmt.Sprintf("%d×%d %s", h.Width, h.Height, kind)
}

// DecodeBytes is the memory, in bytes, that [Decode] allocates for this
// photo: the copy of the encoded bytes it reads, the decoder's own (see
// [Header.Progressive]), the 8-bit NRGBA copy and the turned copy for an
// EXIF orientation. It is a sum of allocations, so it bounds the peak
// from above; measured allocations are within a few percent of it for
// large photos (BenchmarkDecodeBytes).
func (h *Header) DecodeBytes() int64 {
	return 2*h.size + h.cost(1, false, false) // io.ReadAll grows its buffer by doubling
}

// PrepareBytes is the memory [Prepare] allocates for this photo with opt,
// up to its return: [Header.DecodeBytes] with the photo shrunk as
// opt.ScaleFor asks, plus its pyramid and, with a Finder, the face search.
// The pyramid stays afterwards; its size follows the working size, not the
// photo's.
func (h *Header) PrepareBytes(opt PrepareOptions) int64 {
	scale := 1.0
	if opt.ScaleFor != nil {
		w, ht := h.Width, h.Height
		if h.Orientation >= 5 && h.Orientation <= 8 {
			w, ht = ht, w
		}
		scale = min(1, opt.ScaleFor(w, ht))
	}
	return h.cost(scale, true, opt.Finder != nil)
}

// cost follows decodeScaled and Prepare allocation by allocation.
func (h *Header) cost(scale float64, pyramid, faces bool) int64 {
	w, ht := int64(h.Width), int64(h.Height)
	sw, sh := w, ht
	if scale < 1 {
		sw = max(1, int64(float64(w)*scale+0.5))
		sh = max(1, int64(float64(ht)*scale+0.5))
	}
	total := int64(fixedBytes)
	if h.scalable {
		// Decoded at 1/d, within twice the size wanted, and kept at that
		// size or shrunk once more (see keepDecoded).
		d := jpegDenominator(h.Width, h.Height, scale)
		total += h.scaledJPEGBytes(d)
		dw, dh := (w+int64(d)-1)/int64(d), (ht+int64(d)-1)/int64(d)
		switch {
		case !shrinkAgain(image.Pt(int(sw), int(sh)), image.Pt(int(dw), int(dh))):
			sw, sh = dw, dh
			total += 4 * sw * sh // toNRGBA
		case !h.interleaved && h.Components == 3:
			total += 4 * sw * sh // shrinkYCbCr
		default:
			total += 4*dw*dh + 4*sw*dh + 4*sw*sh // toNRGBA, then imaging.Resize across and down
		}
	} else {
		total += h.decoded
		shrink := shrinkAgain(image.Pt(int(sw), int(sh)), image.Pt(int(w), int(ht)))
		if !shrink {
			sw, sh = w, ht
		}
		switch {
		case !shrink:
			if !h.nrgba {
				total += 4 * w * ht // toNRGBA
			}
		case h.ycbcr && inOnePass(image.Pt(int(sw), int(sh)), image.Pt(int(w), int(ht))):
			total += 4 * sw * sh // shrinkYCbCr
		case h.ycbcr:
			total += 4*sw*ht + 4*sw*sh // imaging.Resize: across, then down
		default:
			if !h.nrgba {
				total += 4 * w * ht
			}
			total += 4*sw*ht + 4*sw*sh
		}
	}
	if h.Orientation >= 2 && h.Orientation <= 8 {
		total += 4 * sw * sh
	}
	if pyramid {
		// Each level is a quarter of the one above: a third of the
		// working photo over all levels.
		total += 4 * sw * sh / 3
	}
	if faces {
		total += finderBytes
	}
	return min(total, math.MaxInt64/2)
}
