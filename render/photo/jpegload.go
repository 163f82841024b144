package photo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/sharecard/sharecard/render/photo/jpegscale"
)

// jpegDenominator is the largest of 8, 4 and 2 that a JPEG of w×h stored
// pixels can be decoded at (1/d of each side, rounded up, as
// [jpegscale.Decode] makes it) and still be as large as w×h shrunk by
// scale; 1 when none is.
func jpegDenominator(w, h int, scale float64) int {
	if scale >= 1 {
		return 1
	}
	tw, th := shrunkSize(w, h, scale)
	for _, d := range []int{8, 4, 2} {
		if (w+d-1)/d >= tw && (h+d-1)/d >= th {
			return d
		}
	}
	return 1
}

// shrunkSize is w×h shrunk by scale, rounded, at least 1×1.
func shrunkSize(w, h int, scale float64) (int, int) {
	return max(1, int(float64(w)*scale+0.5)), max(1, int(float64(h)*scale+0.5))
}

// keepDecoded is the smallest ratio of the wanted size to the decoded
// size (per side) for which the decoded pixels are kept as the working
// photo as they are, rather than shrunk once more: the pyramid resamples
// each card from a level at most twice its size anyway. A JPEG decodes at
// a scale within twice the size wanted, so above this ratio its pixels
// are only converted; below it (a photo decoded at full size for a set
// whose largest card needs two thirds of it) shrinking them, in the same
// pass as the conversion, saves more memory and per-card resampling than
// it costs.
const keepDecoded = 0.8

// decodeJPEG decodes a JPEG at the smallest scale (1/8, 1/4, 1/2 or 1/1,
// straight from its DCT coefficients) still covering the photo shrunk by
// scale, with our own decoder; JPEG variants it does not read (arithmetic
// coding, 12-bit, lossless) go through Go's image/jpeg at full size. It
// returns the decoded image and the denominator it was decoded at; when
// ctx is done it stops, within a few MCU rows, with ctx.Err().
func decodeJPEG(ctx context.Context, data []byte, hdr *Header, scale float64) (image.Image, int, error) {
	d := jpegDenominator(hdr.Width, hdr.Height, scale)
	img, err := jpegscale.DecodeContext(ctx, bytes.NewReader(data), d, jpegscale.Limits{
		MaxPixels:     max(hdr.Pixels(), 1),
		MaxScans:      MaxJPEGScans,
		MaxInputBytes: int64(len(data)),
	})
	if errors.Is(err, jpegscale.ErrUnsupported) {
		img, err = decodeImage(ctx, "jpeg", bytes.NewReader(data))
		d = 1
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, 0, cerr
		}
		return nil, 0, fmt.Errorf("%w: %v (re-export or re-download the photo)", ErrCorruptPhoto, err)
	}
	return img, d, nil
}
