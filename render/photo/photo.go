package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/disintegration/imaging"
	xwebp "golang.org/x/image/webp"
)

// Photo is a decoded, upright, 8-bit sRGB photo ready for cropping.
type Photo struct {
	// Image holds the pixels: upright (EXIF orientation applied), sRGB,
	// non-premultiplied, with the alpha channel kept if the photo has one.
	// Its bounds start at (0, 0).
	Image *image.NRGBA
	// Format is the encoding detected from the content: "jpeg", "png",
	// "gif" or "webp".
	Format string
	// HasAlpha reports whether some pixel is not fully opaque.
	HasAlpha bool
	// Notes lists what was done that a user may want to know, such as a
	// colour-profile conversion or an EXIF rotation.
	Notes []string
}

// Errors returned by DecodePhoto, wrapped with details; test with errors.Is.
var (
	// ErrPhotoTooLarge means the photo is over the pixel or byte limit.
	ErrPhotoTooLarge = errors.New("photo too large")
	// ErrUnsupportedFormat means the content is not JPEG, PNG, GIF or WebP.
	ErrUnsupportedFormat = errors.New("unsupported photo format")
	// ErrEmptyPhoto means the photo has no bytes at all.
	ErrEmptyPhoto = errors.New("photo is empty")
	// ErrCorruptPhoto means the photo data is truncated or undecodable.
	ErrCorruptPhoto = errors.New("photo data is truncated or corrupt")
)

// Decode reads one photo from r and returns it upright, in 8-bit sRGB.
// The type is detected from the content, never from a file name. At most
// lim.MaxBytes bytes are accepted, and the pixel count is checked against
// lim.MaxPixels from the header, before any pixel is decoded; so is a
// JPEG's scan script (see [Inspect]). Zero fields of lim mean the
// defaults.
func Decode(r io.Reader, lim Limits) (*Photo, error) {
	return DecodeContext(context.Background(), r, lim)
}

// DecodeContext is [Decode] stopping early when ctx is done, decoding
// included; it then returns ctx.Err().
func DecodeContext(ctx context.Context, r io.Reader, lim Limits) (*Photo, error) {
	lim = lim.withDefaults()
	data, err := readLimited(r, lim.MaxBytes)
	if err != nil {
		return nil, err
	}
	hdr, err := inspectWithin(data, lim)
	if err != nil {
		return nil, err
	}
	p, _, err := decodeScaled(ctx, data, hdr, nil)
	return p, err
}

// inspectWithin inspects data (see [Inspect]) and checks its pixel count
// against lim, which has its defaults set.
func inspectWithin(data []byte, lim Limits) (*Header, error) {
	if int64(len(data)) > lim.MaxBytes {
		return nil, tooManyBytes(int64(len(data)), lim.MaxBytes)
	}
	hdr, err := Inspect(data)
	if err != nil {
		return nil, err
	}
	if err := checkPixels(hdr.Width, hdr.Height, lim.MaxPixels); err != nil {
		return nil, err
	}
	return hdr, nil
}

// decodeScaled decodes data, inspected as hdr, like [Decode]; when
// scaleFor is set it is asked, with the upright size, for a factor ≤ 1 to
// shrink the photo by, and the shrinking happens straight from the
// decoder's output (before the colour conversion and orientation, which
// then touch far fewer pixels). It also returns the photo's upright size
// before shrinking and the time the shrinking took. When ctx is done it
// stops, within the decoding too, and returns ctx.Err().
func decodeScaled(ctx context.Context, data []byte, hdr *Header, scaleFor func(w, h int) float64) (*Photo, decodeStats, error) {
	format := hdr.Format
	meta := readPhotoMeta(hdr, data)
	turned := meta.orientation >= 5 && meta.orientation <= 8 // orientations 5-8 turn the photo by 90°
	var (
		src   image.Image
		err   error
		scale = 1.0
		full  image.Point // the stored size, before any shrinking
	)
	askScale := func() {
		if scaleFor != nil {
			w, h := full.X, full.Y
			if turned {
				w, h = h, w
			}
			scale = min(1, scaleFor(w, h))
		}
	}
	if format == "jpeg" {
		// The header has the size: the decoder shrinks as it decodes.
		full = image.Pt(hdr.Width, hdr.Height)
		askScale()
		src, err = decodeJPEG(ctx, data, hdr, scale)
	} else {
		src, err = decodeImage(ctx, format, bytes.NewReader(data))
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, decodeStats{}, cerr
		}
		return nil, decodeStats{}, fmt.Errorf("%w: %v (re-export or re-download the photo)", ErrCorruptPhoto, err)
	}
	if format != "jpeg" {
		full = src.Bounds().Size()
		askScale()
	}
	upright := full
	if turned {
		upright.X, upright.Y = upright.Y, upright.X
	}
	var st decodeStats
	p := &Photo{Format: format}
	if scale < 1 {
		// What the decoder did not shrink is shrunk here, once, with the
		// colour conversion in the same pass, unless it is close enough
		// to the size wanted (see keepDecoded).
		w, h := shrunkSize(full.X, full.Y, scale)
		b := src.Bounds()
		if want := image.Pt(w, h); shrinkAgain(want, b.Size()) {
			start := time.Now()
			if ycc, ok := src.(*image.YCbCr); ok && inOnePass(want, b.Size()) {
				src = shrinkYCbCr(ycc, w, h)
			} else if ok {
				// imaging reads YCbCr rows directly: no full-size RGBA copy.
				src = imaging.Resize(src, w, h, imaging.Box)
			} else {
				src = imaging.Resize(toNRGBA(src, p), w, h, imaging.Linear)
			}
			st.Resample = time.Since(start)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, decodeStats{}, err
	}
	p.Image = toNRGBA(src, p)
	p.Notes = append(p.Notes, meta.notes...)
	if format == "gif" && gifFrameCount(data) > 1 {
		p.Notes = append(p.Notes, "animated GIF: first frame used")
	}
	if meta.icc != nil {
		if note := applyICCProfile(p.Image, meta.icc); note != "" {
			p.Notes = append(p.Notes, note)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, decodeStats{}, err
	}
	if meta.orientation > 1 && meta.orientation <= 8 {
		p.Image = orient(p.Image, meta.orientation)
		p.Notes = append(p.Notes, fmt.Sprintf("rotated per EXIF orientation %d", meta.orientation))
	}
	p.HasAlpha = mayHaveAlpha(src) && hasTranslucentPixel(p.Image)
	st.Upright = upright
	return p, st, nil
}

// decodeStats reports what decodePhotoScaled did besides decoding.
type decodeStats struct {
	Upright  image.Point   // size before shrinking, EXIF orientation applied
	Resample time.Duration // time spent shrinking
}

// readLimited reads all of r, refusing more than maxBytes bytes.
func readLimited(r io.Reader, maxBytes int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading photo: %w", err)
	}
	if int64(len(data)) <= maxBytes {
		return data, nil
	}
	return nil, tooManyBytes(totalSize(r, int64(len(data))), maxBytes)
}

// tooManyBytes is the error for a photo of total bytes (0 when unknown),
// over maxBytes.
func tooManyBytes(total, maxBytes int64) error {
	size := fmt.Sprintf("more than %d bytes", maxBytes)
	if total > 0 {
		size = fmt.Sprintf("%d bytes", total)
	}
	return fmt.Errorf("%w: %s, over the limit of %d bytes; compress or downscale it first",
		ErrPhotoTooLarge, size, maxBytes)
}

// totalSize returns the full size of r when r can tell it, or 0.
func totalSize(r io.Reader, consumed int64) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return consumed + int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}

// SniffFormat names the image type from its first bytes.
func SniffFormat(data []byte) (string, error) {
	switch {
	case len(data) == 0:
		return "", fmt.Errorf("%w (0 bytes)", ErrEmptyPhoto)
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "jpeg", nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png", nil
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "gif", nil
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "webp", nil
	}
	return "", fmt.Errorf("%w: %s (it starts with %q); use a JPEG, PNG, GIF or WebP photo",
		ErrUnsupportedFormat, describeUnknown(data), printablePrefix(data, 48))
}

// describeUnknown guesses what a non-image file is, for the error message.
func describeUnknown(data []byte) string {
	head := strings.ToLower(string(bytes.TrimLeft(data[:min(len(data), 512)], " \t\r\n\ufeff")))
	switch {
	case strings.HasPrefix(head, "<!doctype html"), strings.HasPrefix(head, "<html"),
		strings.Contains(head, "<head>"), strings.Contains(head, "<body"):
		return "it looks like an HTML page (perhaps a saved error response), not a photo"
	case strings.HasPrefix(head, "<svg"), strings.HasPrefix(head, "<?xml") && strings.Contains(head, "<svg"):
		return "it looks like an SVG drawing, not a photo; export it as PNG"
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		return "it looks like a HEIC/AVIF/MP4 file; export it as JPEG"
	case strings.HasPrefix(head, "%pdf"):
		return "it looks like a PDF document"
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return "it looks like a TIFF (or camera raw) file; export it as JPEG"
	case bytes.HasPrefix(data, []byte("BM")):
		return "it looks like a BMP file; export it as PNG"
	}
	return "the content is not a recognised image type"
}

// printablePrefix returns up to n leading bytes of data with control and
// non-ASCII bytes replaced by '.', and runs of white space collapsed.
func printablePrefix(data []byte, n int) string {
	var sb strings.Builder
	space := false
	for _, c := range data[:min(len(data), n)] {
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			if !space {
				sb.WriteByte(' ')
			}
			space = true
			continue
		case c < 0x20 || c > 0x7e:
			sb.WriteByte('.')
		default:
			sb.WriteByte(c)
		}
		space = false
	}
	return sb.String()
}

// checkPixels refuses photos whose header claims more than maxPixels pixels.
func checkPixels(w, h int, maxPixels int64) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: header says %dx%d pixels", ErrCorruptPhoto, w, h)
	}
	px := int64(w) * int64(h)
	if px <= maxPixels {
		return nil
	}
	return fmt.Errorf("%w: %dx%d pixels (%s megapixels), over the limit of %s megapixels; downscale it first",
		ErrPhotoTooLarge, w, h, megapixels(px), megapixels(maxPixels))
}

// megapixels formats a pixel count in megapixels, without needless decimals.
func megapixels(px int64) string {
	if px%1_000_000 == 0 || px >= 10_000_000 {
		return fmt.Sprintf("%d", (px+500_000)/1_000_000)
	}
	return fmt.Sprintf("%.1f", float64(px)/1e6)
}

// DecodeConfig reads only the header of data.
func DecodeConfig(format string, data []byte) (cfg image.Config, err error) {
	defer recoverDecoder(&err)
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		return jpeg.DecodeConfig(r)
	case "png":
		return png.DecodeConfig(r)
	case "gif":
		return gif.DecodeConfig(r)
	default:
		return xwebp.DecodeConfig(r)
	}
}

// DecodeImage decodes data (the first frame of an animated GIF).
func DecodeImage(format string, data []byte) (img image.Image, err error) {
	return decodeImage(context.Background(), format, bytes.NewReader(data))
}

// readChunk is the most a decoder reads at once. A chunk of 256 bytes
// holds at most about a hundred end-of-band runs of a progressive JPEG,
// which cover a few scans of a 50-megapixel photo: a decode notices a
// done context within a tenth of a second or so. The check costs about
// 0.2 ms per MB read.
const readChunk = 256

// decodeImage decodes r as format, reading through a
// [ctxReader] so that the decoder stops with ctx's error once ctx is done.
func decodeImage(ctx context.Context, format string, r io.Reader) (img image.Image, err error) {
	defer recoverDecoder(&err)
	r = &ctxReader{ctx: ctx, r: r, chunk: readChunk}
	switch format {
	case "jpeg":
		img, err = jpeg.Decode(r)
	case "png":
		img, err = png.Decode(r)
	case "gif":
		img, err = gif.Decode(r)
	default:
		img, err = xwebp.Decode(r)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = fmt.Errorf("the file ends early (%w)", err)
	}
	return img, err
}

// ctxReader hands out r in reads of at most chunk bytes, and ctx's error
// instead once ctx is done. The decoders cannot be cancelled, but they
// read their input in small refills as they go, so a decode stops within
// a chunk's worth of work after ctx is done.
type ctxReader struct {
	ctx   context.Context
	r     io.Reader
	chunk int
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p[:min(len(p), c.chunk)])
}

// recoverDecoder turns a panic inside a third-party decoder into an error.
// It is defence in depth only: no known input makes the decoders panic.
func recoverDecoder(err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("decoder failed: %v", v)
	}
}

// mayHaveAlpha reports whether the decoded type can carry transparency.
func mayHaveAlpha(img image.Image) bool {
	switch img.(type) {
	case *image.YCbCr, *image.Gray, *image.Gray16, *image.CMYK:
		return false
	}
	return true
}

// hasTranslucentPixel reports whether any pixel of img has alpha below 255.
func hasTranslucentPixel(img *image.NRGBA) bool {
	w := img.Rect.Dx() * 4
	for y := 0; y < img.Rect.Dy(); y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 0xff {
				return true
			}
		}
	}
	return false
}

// orient applies an EXIF orientation (2 to 8) so that the image is upright.
func orient(img *image.NRGBA, orientation int) *image.NRGBA {
	switch orientation {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img) // 90° clockwise
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img) // 90° counter-clockwise
	}
	return img
}

// toNRGBA converts a decoded image to 8-bit NRGBA with bounds at (0, 0),
// rounding 16-bit samples and turning CMYK into RGB.
func toNRGBA(img image.Image, p *Photo) *image.NRGBA {
	switch m := img.(type) {
	case *image.NRGBA:
		if m.Rect.Min == (image.Point{}) {
			return m
		}
	case *image.RGBA64:
		return from16(m.Pix, m.Stride, m.Rect, true)
	case *image.NRGBA64:
		return from16(m.Pix, m.Stride, m.Rect, false)
	case *image.Gray16:
		return fromGray16(m)
	case *image.CMYK:
		p.Notes = append(p.Notes, "CMYK photo converted to RGB")
		return fromCMYK(m)
	case *image.YCbCr:
		return ycbcrToNRGBA(m)
	case *image.Gray:
		return grayToNRGBA(m)
	}
	return imaging.Clone(img)
}

// to8 rounds a 16-bit sample to 8 bits.
func to8(v uint32) uint8 {
	return uint8((v*255 + 32767) / 65535)
}

// from16 converts 16-bit RGBA samples (premultiplied or not) to NRGBA.
func from16(pix []uint8, stride int, r image.Rectangle, premul bool) *image.NRGBA {
	dst := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		s := pix[y*stride : y*stride+r.Dx()*8]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+r.Dx()*4]
		for x := 0; x < r.Dx(); x++ {
			var c [4]uint32
			for k := range c {
				c[k] = uint32(s[8*x+2*k])<<8 | uint32(s[8*x+2*k+1])
			}
			if premul && c[3] != 0xffff && c[3] != 0 {
				for k := 0; k < 3; k++ {
					c[k] = min(0xffff, (c[k]*0xffff+c[3]/2)/c[3])
				}
			}
			for k := range c {
				d[4*x+k] = to8(c[k])
			}
		}
	}
	return dst
}

// fromGray16 converts 16-bit grey to NRGBA.
func fromGray16(m *image.Gray16) *image.NRGBA {
	r := m.Rect
	dst := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		s := m.Pix[y*m.Stride : y*m.Stride+r.Dx()*2]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+r.Dx()*4]
		for x := 0; x < r.Dx(); x++ {
			v := to8(uint32(s[2*x])<<8 | uint32(s[2*x+1]))
			d[4*x], d[4*x+1], d[4*x+2], d[4*x+3] = v, v, v, 0xff
		}
	}
	return dst
}

// fromCMYK converts CMYK (as Go's JPEG decoder returns it, 0 = no ink) to
// RGB with the usual device formula.
func fromCMYK(m *image.CMYK) *image.NRGBA {
	r := m.Rect
	dst := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		s := m.Pix[y*m.Stride : y*m.Stride+r.Dx()*4]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+r.Dx()*4]
		for i := 0; i+3 < len(s); i += 4 {
			w := 255 - uint32(s[i+3])
			d[i] = uint8(((255-uint32(s[i]))*w + 127) / 255)
			d[i+1] = uint8(((255-uint32(s[i+1]))*w + 127) / 255)
			d[i+2] = uint8(((255-uint32(s[i+2]))*w + 127) / 255)
			d[i+3] = 0xff
		}
	}
	return dst
}

// exifOrientation reads the Orientation tag (1-8) from IFD0 of a TIFF-format
// EXIF block, or returns 0.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := uint64(bo.Uint32(t[4:]))
	if bo.Uint16(t[2:]) != 42 || off+2 > uint64(len(t)) {
		return 0
	}
	for k := range int(bo.Uint16(t[off:])) {
		e := int(off) + 2 + 12*k
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 0
		}
	}
	return 0
}

// gifFrameCount counts the image descriptors of a GIF, stopping at two.
func gifFrameCount(d []byte) int {
	if len(d) < 13 {
		return 0
	}
	i := 13
	if d[10]&0x80 != 0 {
		i += 3 << (d[10]&7 + 1)
	}
	frames := 0
	for i < len(d) && frames < 2 {
		switch d[i] {
		case 0x21: // extension: label, then sub-blocks
			i = skipGIFSubBlocks(d, i+2)
		case 0x2c: // image descriptor, local palette, LZW code size, data
			frames++
			if i+10 > len(d) {
				return frames
			}
			flags := d[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (flags&7 + 1)
			}
			i = skipGIFSubBlocks(d, i+1)
		default: // trailer or junk
			return frames
		}
	}
	return frames
}

// skipGIFSubBlocks returns the index just after the sub-block chain at i.
func skipGIFSubBlocks(d []byte, i int) int {
	for i < len(d) {
		n := int(d[i])
		i += 1 + n
		if n == 0 {
			return i
		}
	}
	return len(d)
}

// Limits bound the resources one photo may take. The zero value means the
// defaults: 100 megapixels and 50 MB.
type Limits struct {
	// MaxPixels is the largest width×height accepted; larger photos are
	// refused from their header, before any pixel is decoded.
	MaxPixels int64
	// MaxBytes is the largest encoded photo accepted, in bytes.
	MaxBytes int64
}

// Default limits, used where a field of Limits is zero.
const (
	DefaultMaxPixels = 100_000_000
	DefaultMaxBytes  = 50 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	return l
}
