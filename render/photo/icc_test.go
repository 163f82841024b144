package photo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"
)

// sRGB primaries adapted to D50, as columns r, g, b of an RGB-to-XYZ matrix.
var srgbD50 = [3][3]float64{
	{0.4360747, 0.3850649, 0.1430804},
	{0.2225045, 0.7168786, 0.0606169},
	{0.0139322, 0.0971045, 0.7141733},
}

func s15(v float64) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(int32(math.Round(v*65536))))
}

// curvGamma returns a curveType tag with one gamma value.
func curvGamma(g float64) []byte {
	b := append([]byte("curv\x00\x00\x00\x00"), 0, 0, 0, 1)
	return binary.BigEndian.AppendUint16(b, uint16(math.Round(g*256)))
}

// paraSRGB returns a parametricCurveType tag (type 3) with the sRGB curve.
func paraSRGB() []byte {
	b := append([]byte("para\x00\x00\x00\x00"), 0, 3, 0, 0)
	for _, v := range []float64{2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045} {
		b = append(b, s15(v)...)
	}
	return b
}

// buildICC writes a small matrix/TRC profile for the colour space space.
func buildICC(space, desc string, m [3][3]float64, trc []byte) []byte {
	tags := []struct {
		sig  string
		body []byte
	}{{"desc", append(binary.BigEndian.AppendUint32([]byte("desc\x00\x00\x00\x00"), uint32(len(desc)+1)), desc+"\x00"...)}}
	for c, name := range []string{"r", "g", "b"} {
		xyz := []byte("XYZ \x00\x00\x00\x00")
		for row := range 3 {
			xyz = append(xyz, s15(m[row][c])...)
		}
		tags = append(tags, struct {
			sig  string
			body []byte
		}{name + "XYZ", xyz}, struct {
			sig  string
			body []byte
		}{name + "TRC", trc})
	}
	head := make([]byte, 128)
	copy(head[16:], space)
	copy(head[20:], "XYZ ")
	copy(head[36:], "acsp")
	table := binary.BigEndian.AppendUint32(nil, uint32(len(tags)))
	var body []byte
	off := 128 + 4 + 12*len(tags)
	for _, tg := range tags {
		table = append(table, tg.sig...)
		table = binary.BigEndian.AppendUint32(table, uint32(off+len(body)))
		table = binary.BigEndian.AppendUint32(table, uint32(len(tg.body)))
		body = append(body, tg.body...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	out := append(append(head, table...), body...)
	binary.BigEndian.PutUint32(out, uint32(len(out)))
	return out
}

// greyNRGBA returns a flat opaque image of grey level v.
func greyNRGBA(w, h int, v uint8) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = v, v, v, 255
	}
	return img
}

func TestApplyICCProfile(t *testing.T) {
	linearTable := append([]byte("curv\x00\x00\x00\x00"), 0, 0, 0, 2, 0, 0, 0xff, 0xff)
	tests := []struct {
		name    string
		profile []byte
		note    string // substring of the note; "" means no note
		want    uint8  // resulting grey for input grey 128
	}{
		{"sRGB profile is skipped", buildICC("RGB ", "sRGB test", srgbD50, paraSRGB()), "", 128},
		{"linear gamma", buildICC("RGB ", "Linear", srgbD50, curvGamma(1)), `converted from the embedded ICC profile "Linear" to sRGB`, 188},
		{"linear table", buildICC("RGB ", "Table", srgbD50, linearTable), `profile "Table" to sRGB`, 188},
		{"gamma 1.8", buildICC("RGB ", "Mac", srgbD50, curvGamma(1.8)), `profile "Mac"`, 145},
		{"CMYK", buildICC("CMYK", "Coated", srgbD50, curvGamma(1)), `"Coated" (CMYK) is not supported`, 128},
		{"missing TRC", buildICC("RGB ", "LUT", srgbD50, []byte("mAB \x00\x00\x00\x00")), `"LUT" (LUT-based RGB) is not supported`, 128},
		{"garbage", []byte("not a profile at all"), "embedded ICC profile ignored (not an ICC profile)", 128},
		{"huge primaries", buildICC("RGB ", "Wild", [3][3]float64{{9000, 0, 0}, {0, 1, 0}, {0, 0, 1}}, curvGamma(1)), "implausible primaries", 128},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := greyNRGBA(4, 4, 128)
			note := applyICCProfile(img, tc.profile)
			if (tc.note == "") != (note == "") || !strings.Contains(note, tc.note) {
				t.Errorf("note = %q, want %q", note, tc.note)
			}
			c := img.NRGBAAt(1, 1)
			if d := int(c.R) - int(tc.want); d < -1 || d > 1 || c.R != c.G || c.G != c.B || c.A != 255 {
				t.Errorf("grey 128 became %v, want %d±1", c, tc.want)
			}
		})
	}
}

func TestParseICCHostile(t *testing.T) {
	good := buildICC("RGB ", "ok", srgbD50, curvGamma(2.2))
	// Cut the profile at every length and point tags past the end: parsing
	// must fail or give up cleanly, never read out of bounds.
	for n := 0; n < len(good); n++ {
		img := greyNRGBA(1, 1, 200)
		applyICCProfile(img, good[:n])
	}
	bad := bytes.Clone(good)
	binary.BigEndian.PutUint32(bad[128:], 0xffffffff) // tag count
	if p, err := parseICC(bad); err == nil {
		t.Errorf("huge tag count parsed: %+v", p)
	}
	bad = bytes.Clone(good)
	binary.BigEndian.PutUint32(bad[132+12+4:], 0xfffffff0) // rXYZ offset
	if p, err := parseICC(bad); err != nil || p.matrixTRC {
		t.Errorf("tag past the end: matrixTRC = %v, err = %v; want false, nil", p != nil && p.matrixTRC, err)
	}
}

// withJPEGICC inserts APP2 ICC_PROFILE segments right after the SOI marker.
func withJPEGICC(jpg []byte, chunks [][]byte, order []int) []byte {
	out := append([]byte(nil), jpg[:2]...)
	for _, i := range order {
		seg := append([]byte("ICC_PROFILE\x00"), byte(i+1), byte(len(chunks)))
		seg = append(seg, chunks[i]...)
		out = append(out, 0xff, 0xe2)
		out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
		out = append(out, seg...)
	}
	return append(out, jpg[2:]...)
}

// withPNGICC inserts an iCCP chunk right after IHDR.
func withPNGICC(pngData, profile []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(profile)
	zw.Close()
	body := append([]byte("test\x00\x00"), z.Bytes()...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	chunk = append(append(chunk, "iCCP"...), body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	const afterIHDR = 8 + 8 + 13 + 4
	return append(append(append([]byte(nil), pngData[:afterIHDR]...), chunk...), pngData[afterIHDR:]...)
}

func TestDecodePhotoEmbeddedProfiles(t *testing.T) {
	profile := buildICC("RGB ", "Linear", srgbD50, curvGamma(1))
	var jb, pb bytes.Buffer
	if err := jpeg.Encode(&jb, greyNRGBA(16, 16, 128), &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pb, greyNRGBA(16, 16, 128)); err != nil {
		t.Fatal(err)
	}
	half := len(profile) / 2
	chunks := [][]byte{profile[:half], profile[half:]}
	tests := []struct {
		name string
		data []byte
		want uint8
		note string
	}{
		{"JPEG, two chunks out of order", withJPEGICC(jb.Bytes(), chunks, []int{1, 0}), 188, `profile "Linear" to sRGB`},
		{"JPEG, one chunk missing", withJPEGICC(jb.Bytes(), chunks, []int{1}), 128, "incomplete (1 of 2 chunks)"},
		{"PNG iCCP", withPNGICC(pb.Bytes(), profile), 188, `profile "Linear" to sRGB`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decode(bytes.NewReader(tc.data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if c := p.Image.NRGBAAt(8, 8); int(c.G)-int(tc.want) < -2 || int(c.G)-int(tc.want) > 2 {
				t.Errorf("grey 128 became %v, want %d±2", c, tc.want)
			}
			if !hasNote(p, tc.note) {
				t.Errorf("notes %q lack %q", p.Notes, tc.note)
			}
		})
	}
}

func TestAdobeRGBConversion(t *testing.T) {
	want := decodeFile(t, "../testdata/photos/paintbrushes-busy.jpg").Image
	data, err := os.ReadFile("../testdata/tricky/adobe-rgb-icc.jpg")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	unconverted := toNRGBA(raw, &Photo{})
	converted := &image.NRGBA{Pix: bytes.Clone(unconverted.Pix), Stride: unconverted.Stride, Rect: unconverted.Rect}
	if note := applyICCProfile(converted, jpegICC(t, data)); !strings.Contains(note, `"Compatible with Adobe RGB (1998)" to sRGB`) {
		t.Errorf("note = %q, want a conversion from Adobe RGB", note)
	}
	before, after := meanAbsDiff(t, unconverted, want), meanAbsDiff(t, converted, want)
	// Measured: 8.4 without conversion, 1.9 with it.
	if after > before/2 || after > 3 {
		t.Errorf("mean abs difference to the sRGB original: %.2f converted, %.2f unconverted; want converted < %.2f and < 3",
			after, before, before/2)
	}
}

func FuzzApplyICCProfile(f *testing.F) {
	f.Add(buildICC("RGB ", "sRGB", srgbD50, paraSRGB()))
	f.Add(buildICC("RGB ", "Mac", srgbD50, curvGamma(1.8)))
	f.Add(buildICC("RGB ", "Table", srgbD50, append([]byte("curv\x00\x00\x00\x00"), 0, 0, 0, 3, 0, 0, 0x80, 0, 0xff, 0xff)))
	f.Fuzz(func(t *testing.T, profile []byte) {
		img := greyNRGBA(2, 2, 100)
		img.Pix[0] = 255
		applyICCProfile(img, profile)
		if img.Pix[3] != 255 {
			t.Fatalf("alpha changed to %d", img.Pix[3])
		}
	})
}

func BenchmarkICCConvert12MP(b *testing.B) {
	data, err := os.ReadFile("../testdata/tricky/adobe-rgb-icc.jpg")
	if err != nil {
		b.Fatal(err)
	}
	p, err := parseICC(jpegICC(b, data))
	if err != nil || !p.matrixTRC {
		b.Fatalf("profile: %v", err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 4000, 3000))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	m := mul3(xyzD50ToLinearSRGB, p.toXYZ)
	b.ReportAllocs()
	for b.Loop() {
		convertToSRGB(img, m, p.trc)
	}
}

// jpegICC returns the ICC profile embedded in a JPEG.
func jpegICC(t testing.TB, data []byte) []byte {
	t.Helper()
	h, err := Inspect(data)
	if err != nil {
		t.Fatal(err)
	}
	return readPhotoMeta(h, data).icc
}

// TestJPEGMetadataBeforeScans: a JPEG's ICC profile and EXIF orientation
// are read from the segments before its first scan, up to stray bytes
// between segments, by the marker walk of Inspect.
func TestJPEGMetadataBeforeScans(t *testing.T) {
	icc, err := os.ReadFile("../testdata/tricky/adobe-rgb-icc.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if jpegICC(t, icc) == nil {
		t.Fatal("no ICC profile read")
	}
	exif, err := os.ReadFile("../testdata/tricky/exif-orientation-6.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if h, err := Inspect(exif); err != nil || h.Orientation != 6 {
		t.Fatalf("orientation %v, %v; want 6", h, err)
	}
	// A stray byte after a first (comment) segment ends the metadata;
	// Go's decoder reads on.
	for name, data := range map[string][]byte{"icc": icc, "exif": exif} {
		stray := append([]byte{0xff, 0xd8, 0xff, 0xfe, 0, 3, 'c', 0x00}, data[2:]...)
		h, err := Inspect(stray)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m := readPhotoMeta(h, stray); m.icc != nil || m.orientation != 0 || h.Orientation != 0 {
			t.Errorf("%s: metadata read past a stray byte: icc %d bytes, orientation %d", name, len(m.icc), m.orientation)
		}
	}
}
