package photo

import (
	"bytes"
	"context"
	"errors"
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

// shrinkAgain reports whether pixels decoded at size got are shrunk once
// more to want (see keepDecoded); decodeScaled does it, and
// Header.PrepareBytes counts it.
func shrinkAgain(want, got image.Point) bool {
	return float64(want.X) < keepDecoded*float64(got.X) || float64(want.Y) < keepDecoded*float64(got.Y)
}

// inOnePass reports whether a decoded YCbCr image of size got is shrunk
// to want by shrinkYCbCr, the colour conversion in the same pass (to at
// least half its size), rather than by imaging.
func inOnePass(want, got image.Point) bool {
	return 2*want.X >= got.X && 2*want.Y >= got.Y
}

// decodeJPEG decodes a JPEG at the smallest scale (1/8, 1/4, 1/2 or 1/1,
// straight from its DCT coefficients) still covering the photo shrunk by
// scale, with our own decoder. The one variant Inspect lets through that
// it does not read, four components without an Adobe marker, goes
// through Go's image/jpeg at full size. When ctx is done it stops, within
// a few MCU rows, with ctx.Err().
func decodeJPEG(ctx context.Context, data []byte, hdr *Header, scale float64) (image.Image, error) {
	img, err := jpegscale.DecodeContext(ctx, bytes.NewReader(data), jpegDenominator(hdr.Width, hdr.Height, scale), jpegscale.Limits{
		MaxPixels:     max(hdr.Pixels(), 1),
		MaxScans:      MaxJPEGScans,
		MaxInputBytes: int64(len(data)),
	})
	if errors.Is(err, jpegscale.ErrUnsupported) {
		return decodeImage(ctx, "jpeg", bytes.NewReader(data))
	}
	return img, err
}
