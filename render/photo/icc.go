package photo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"strings"
	"unicode/utf16"
)

// maxICCBytes bounds an embedded colour profile (real ones are well under 1 MB).
const maxICCBytes = 4 << 20

// maxCurveEntries bounds a sampled tone curve (real ones have up to 4096).
const maxCurveEntries = 1 << 16

// photoMeta is what DecodePhoto takes from a photo's metadata.
type photoMeta struct {
	icc         []byte // embedded ICC profile, nil if none
	orientation int    // EXIF orientation 1-8, 0 if none
	notes       []string
}

// readPhotoMeta extracts the ICC profile and EXIF orientation from data,
// inspected as hdr (whose marker walk found a JPEG's).
// Damaged metadata is skipped, never fatal: the pixels are what matter.
func readPhotoMeta(hdr *Header, data []byte) photoMeta {
	switch hdr.Format {
	case "jpeg":
		return finishJPEGICC(photoMeta{orientation: hdr.Orientation}, hdr.iccs)
	case "png":
		return pngMeta(data)
	case "webp":
		return webpMeta(data)
	}
	return photoMeta{}
}

// finishJPEGICC joins APP2 profile chunks (each: sequence number, count,
// data) in sequence order.
func finishJPEGICC(m photoMeta, chunks [][]byte) photoMeta {
	if len(chunks) == 0 {
		return m
	}
	count := int(chunks[0][1])
	parts := make([][]byte, count)
	for _, c := range chunks {
		seq := int(c[0])
		if int(c[1]) != count || seq < 1 || seq > count || parts[seq-1] != nil {
			m.notes = append(m.notes, "embedded ICC profile has inconsistent chunk numbers; ignored, colours left as they are")
			return m
		}
		parts[seq-1] = c[2:]
	}
	if len(chunks) != count {
		m.notes = append(m.notes, fmt.Sprintf("embedded ICC profile is incomplete (%d of %d chunks); ignored, colours left as they are", len(chunks), count))
		return m
	}
	m.icc = bytes.Join(parts, nil)
	return m
}

// pngMeta walks the PNG chunks for iCCP and eXIf.
func pngMeta(data []byte) photoMeta {
	var m photoMeta
	pngChunks(data, func(typ string, body []byte) bool {
		switch typ {
		case "iCCP":
			icc, err := inflateICCP(body)
			if err != nil {
				m.notes = append(m.notes, fmt.Sprintf("embedded ICC profile ignored (%v); colours left as they are", err))
			}
			m.icc = icc
		case "eXIf":
			m.orientation = exifOrientation(body)
		}
		return true
	})
	return m
}

// inflateICCP decodes an iCCP chunk body: name, NUL, method 0, zlib data.
func inflateICCP(body []byte) ([]byte, error) {
	nul := bytes.IndexByte(body[:min(len(body), 81)], 0)
	if nul < 1 || nul+2 > len(body) || body[nul+1] != 0 {
		return nil, errors.New("bad iCCP chunk header")
	}
	zr, err := zlib.NewReader(bytes.NewReader(body[nul+2:]))
	if err != nil {
		return nil, fmt.Errorf("iCCP chunk: %w", err)
	}
	icc, err := io.ReadAll(io.LimitReader(zr, maxICCBytes+1))
	if err != nil {
		return nil, fmt.Errorf("iCCP chunk: %w", err)
	}
	if len(icc) > maxICCBytes {
		return nil, fmt.Errorf("profile over %d bytes", maxICCBytes)
	}
	return icc, nil
}

// webpMeta walks the RIFF chunks of a WebP file for ICCP and EXIF.
func webpMeta(data []byte) photoMeta {
	var m photoMeta
	webpChunks(data, func(fourCC string, body []byte) bool {
		switch fourCC {
		case "ICCP":
			m.icc = body
		case "EXIF":
			m.orientation = exifOrientation(bytes.TrimPrefix(body, []byte("Exif\x00\x00")))
		}
		return true
	})
	return m
}

// iccProfile is the part of an ICC profile that DecodePhoto can apply.
type iccProfile struct {
	name  string // from the desc tag
	space string // data colour space signature, e.g. "RGB ", "CMYK", "GRAY"
	pcs   string // profile connection space, "XYZ " or "Lab "
	// toXYZ maps linear RGB to XYZ (D50); its columns are rXYZ, gXYZ, bXYZ.
	toXYZ     [3][3]float64
	trc       [3]func(float64) float64
	matrixTRC bool // toXYZ and trc are set
}

// parseICC reads the header and tag table of an ICC profile. Every offset
// is checked against the data, which comes from the photo's author.
func parseICC(b []byte) (*iccProfile, error) {
	if len(b) < 132 || string(b[36:40]) != "acsp" {
		return nil, errors.New("not an ICC profile")
	}
	if size := binary.BigEndian.Uint32(b); size >= 132 && uint64(size) < uint64(len(b)) {
		b = b[:size]
	}
	p := &iccProfile{space: string(b[16:20]), pcs: string(b[20:24])}
	count := binary.BigEndian.Uint32(b[128:])
	if uint64(count) > uint64(len(b)-132)/12 {
		return nil, fmt.Errorf("tag table of %d entries does not fit in %d bytes", count, len(b))
	}
	tags := make(map[string][]byte, min(count, 64))
	for k := range int(count) {
		e := b[132+12*k:]
		off, n := binary.BigEndian.Uint32(e[4:]), binary.BigEndian.Uint32(e[8:])
		if uint64(off)+uint64(n) <= uint64(len(b)) {
			tags[string(e[:4])] = b[off : off+n]
		}
	}
	p.name = iccDescription(tags["desc"])
	if p.space != "RGB " || p.pcs != "XYZ " {
		return p, nil
	}
	for c, sig := range []string{"r", "g", "b"} {
		xyz, ok := iccXYZ(tags[sig+"XYZ"])
		curve := iccCurve(tags[sig+"TRC"])
		if !ok || curve == nil {
			return p, nil
		}
		p.toXYZ[0][c], p.toXYZ[1][c], p.toXYZ[2][c] = xyz[0], xyz[1], xyz[2]
		p.trc[c] = curve
	}
	p.matrixTRC = true
	return p, nil
}

// s15f16 reads an ICC s15Fixed16Number.
func s15f16(b []byte) float64 {
	return float64(int32(binary.BigEndian.Uint32(b))) / 65536
}

// iccXYZ reads an XYZType tag.
func iccXYZ(b []byte) ([3]float64, bool) {
	if len(b) < 20 || string(b[:4]) != "XYZ " {
		return [3]float64{}, false
	}
	return [3]float64{s15f16(b[8:]), s15f16(b[12:]), s15f16(b[16:])}, true
}

// iccCurve reads a curveType or parametricCurveType tag as a function on
// [0, 1], or returns nil if the tag is missing or malformed.
func iccCurve(b []byte) func(float64) float64 {
	if len(b) < 12 {
		return nil
	}
	switch string(b[:4]) {
	case "curv":
		n := binary.BigEndian.Uint32(b[8:])
		if n > maxCurveEntries || uint64(len(b)) < 12+2*uint64(n) {
			return nil
		}
		switch n {
		case 0:
			return func(x float64) float64 { return x }
		case 1:
			g := float64(binary.BigEndian.Uint16(b[12:])) / 256
			return func(x float64) float64 { return math.Pow(x, g) }
		}
		table := make([]float64, n)
		for i := range table {
			table[i] = float64(binary.BigEndian.Uint16(b[12+2*i:])) / 65535
		}
		return func(x float64) float64 { return interpolate(table, x) }
	case "para":
		return iccParametric(b)
	}
	return nil
}

// interpolate evaluates a sampled curve at x in [0, 1].
func interpolate(table []float64, x float64) float64 {
	pos := x * float64(len(table)-1)
	i := min(int(pos), len(table)-2)
	f := pos - float64(i)
	return table[i]*(1-f) + table[i+1]*f
}

// iccParametric reads a parametricCurveType (function types 0-4).
func iccParametric(b []byte) func(float64) float64 {
	nParams := [...]int{1, 3, 4, 5, 7}
	fn := int(binary.BigEndian.Uint16(b[8:]))
	if fn >= len(nParams) || len(b) < 12+4*nParams[fn] {
		return nil
	}
	var p [7]float64
	for i := range nParams[fn] {
		p[i] = s15f16(b[12+4*i:])
	}
	g, a, bb, c, d, e, f := p[0], p[1], p[2], p[3], p[4], p[5], p[6]
	pow := func(v float64) float64 { return math.Pow(max(v, 0), g) }
	switch fn {
	case 0:
		return pow
	case 1, 2: // (aX+b)^g (+c) where aX+b >= 0, else c (c = 0 for type 1)
		return func(x float64) float64 {
			if v := a*x + bb; v >= 0 {
				return pow(v) + c
			}
			return c
		}
	}
	return func(x float64) float64 { // types 3 and 4 (e = f = 0 for type 3)
		if x >= d {
			return pow(a*x+bb) + e
		}
		return c*x + f
	}
}

// iccDescription reads a textDescriptionType (v2) or the first record of a
// multiLocalizedUnicodeType (v4) tag.
func iccDescription(b []byte) string {
	if len(b) >= 12 && string(b[:4]) == "desc" {
		n := binary.BigEndian.Uint32(b[8:])
		if uint64(n) <= uint64(len(b)-12) {
			return strings.TrimRight(string(b[12:12+n]), "\x00 ")
		}
	}
	if len(b) >= 28 && string(b[:4]) == "mluc" && binary.BigEndian.Uint32(b[8:]) > 0 {
		n, off := binary.BigEndian.Uint32(b[20:]), binary.BigEndian.Uint32(b[24:])
		if uint64(off)+uint64(n) <= uint64(len(b)) {
			u := make([]uint16, n/2)
			for i := range u {
				u[i] = binary.BigEndian.Uint16(b[int(off)+2*i:])
			}
			return strings.TrimRight(string(utf16.Decode(u)), "\x00 ")
		}
	}
	return "unnamed"
}

// kind describes a profile that DecodePhoto cannot apply.
func (p *iccProfile) kind() string {
	switch {
	case p.space == "CMYK":
		return "CMYK"
	case p.space == "GRAY":
		return "greyscale"
	case p.space == "RGB ":
		return "LUT-based RGB"
	}
	return fmt.Sprintf("colour space %q", strings.TrimSpace(p.space))
}

// xyzD50ToLinearSRGB is the inverse of the sRGB primaries matrix adapted to
// D50 with the Bradford transform (the PCS white of ICC profiles).
var xyzD50ToLinearSRGB = [3][3]float64{
	{3.1338561, -1.6168667, -0.4906146},
	{-0.9787684, 1.9161415, 0.0334540},
	{0.0719453, -0.2289914, 1.4052427},
}

// applyICCProfile converts img in place from the embedded profile to sRGB and
// returns a note for the user, or "" when nothing worth saying happened.
func applyICCProfile(img *image.NRGBA, data []byte) string {
	p, err := parseICC(data)
	if err != nil {
		return fmt.Sprintf("embedded ICC profile ignored (%v); colours left as they are", err)
	}
	if !p.matrixTRC {
		return fmt.Sprintf("embedded ICC profile %q (%s) is not supported; colours left as they are", p.name, p.kind())
	}
	m := mul3(xyzD50ToLinearSRGB, p.toXYZ)
	if !plausibleMatrix(m) {
		return fmt.Sprintf("embedded ICC profile %q has implausible primaries; ignored, colours left as they are", p.name)
	}
	if isSRGBLike(m, p.trc) {
		return ""
	}
	convertToSRGB(img, m, p.trc)
	return fmt.Sprintf("converted from the embedded ICC profile %q to sRGB", p.name)
}

// plausibleMatrix reports whether every entry of m is small enough for a
// real RGB profile (and for the fixed-point arithmetic of convertToSRGB).
func plausibleMatrix(m [3][3]float64) bool {
	for _, row := range m {
		for _, v := range row {
			if !(math.Abs(v) <= 16) {
				return false
			}
		}
	}
	return true
}

func mul3(a, b [3][3]float64) [3][3]float64 {
	var r [3][3]float64
	for i := range 3 {
		for j := range 3 {
			r[i][j] = a[i][0]*b[0][j] + a[i][1]*b[1][j] + a[i][2]*b[2][j]
		}
	}
	return r
}

// isSRGBLike reports whether converting with m and trc would change no
// sample by half a code value or more: the profile is sRGB in effect.
func isSRGBLike(m [3][3]float64, trc [3]func(float64) float64) bool {
	for i := range 3 {
		for j := range 3 {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(m[i][j]-want) > 0.002 {
				return false
			}
		}
	}
	for _, f := range trc {
		for v := range 256 {
			if math.Abs(255*srgbEncode(f(float64(v)/255))-float64(v)) >= 0.5 {
				return false
			}
		}
	}
	return true
}

func srgbEncode(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

// linearSteps is the number of steps of the quantised linear values.
const linearSteps = 1 << 14

// convertToSRGB maps every pixel through the TRCs, the matrix m (profile RGB
// to linear sRGB) and the sRGB transfer function, using integer look-up
// tables: about 45 ms for a 12 MP photo on one core.
func convertToSRGB(img *image.NRGBA, m [3][3]float64, trc [3]func(float64) float64) {
	var lin [3][256]int64
	for c := range 3 {
		for v := range 256 {
			lin[c][v] = int64(math.Round(clamp01(trc[c](float64(v)/255)) * linearSteps))
		}
	}
	enc := make([]uint8, linearSteps+1)
	for i := range enc {
		enc[i] = uint8(math.Round(255 * srgbEncode(float64(i)/linearSteps)))
	}
	var k [3][3]int64
	for i := range 3 {
		for j := range 3 {
			k[i][j] = int64(math.Round(m[i][j] * linearSteps))
		}
	}
	w := img.Rect.Dx() * 4
	for y := range img.Rect.Dy() {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		for i := 0; i+3 < len(row); i += 4 {
			r, g, b := lin[0][row[i]], lin[1][row[i+1]], lin[2][row[i+2]]
			row[i] = enc[clampLinear(k[0][0]*r+k[0][1]*g+k[0][2]*b)]
			row[i+1] = enc[clampLinear(k[1][0]*r+k[1][1]*g+k[1][2]*b)]
			row[i+2] = enc[clampLinear(k[2][0]*r+k[2][1]*g+k[2][2]*b)]
		}
	}
}

// clampLinear scales a fixed-point product back to [0, linearSteps].
func clampLinear(v int64) int64 {
	return min(max((v+linearSteps/2)>>14, 0), linearSteps)
}

// clamp01 limits v to [0, 1], mapping NaN (from a hostile curve) to 0.
func clamp01(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return min(v, 1)
}
