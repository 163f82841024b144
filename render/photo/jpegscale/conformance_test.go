package jpegscale

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// reencodes makes, with libjpeg-turbo's djpeg and cjpeg, a baseline, a
// progressive and a restart-marker re-encode of the JPEG file f (grey
// files stay grey), by name; nil without the tools (the test then skips
// them, or fails under SHARECARD_REQUIRE_TOOLS=1).
func reencodes(t *testing.T, f string, grey bool) map[string][]byte {
	t.Helper()
	djpeg, err1 := exec.LookPath("djpeg")
	cjpeg, err2 := exec.LookPath("cjpeg")
	if err1 != nil || err2 != nil {
		if os.Getenv("SHARECARD_REQUIRE_TOOLS") == "1" {
			t.Fatal("djpeg or cjpeg not found (apt-get install libjpeg-turbo-progs)")
		}
		return nil
	}
	args := []string{"-pnm"}
	if grey {
		args = append(args, "-grayscale")
	}
	pnm, err := exec.Command(djpeg, append(args, f)...).Output()
	if err != nil {
		t.Fatalf("djpeg %s: %v", f, err)
	}
	out := map[string][]byte{}
	for name, opts := range map[string][]string{
		"baseline":    {"-quality", "90"},
		"progressive": {"-quality", "90", "-progressive"},
		"restart":     {"-quality", "90", "-restart", "1"},
		"444":         {"-quality", "90", "-sample", "1x1"},
	} {
		cmd := exec.Command(cjpeg, opts...)
		cmd.Stdin = bytes.NewReader(pnm)
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("cjpeg %v %s: %v", opts, f, err)
		}
		out[name] = b
	}
	return out
}

// TestConformanceEveryRepoJPEG decodes every real JPEG of the repository
// (render/testdata/photos and render/testdata/tricky: baseline and
// progressive, grey, EXIF-rotated, with an ICC profile, CMYK/YCCK) and
// baseline, progressive, restart-marker and 4:4:4 re-encodes of each, at
// every scale: at 1/1 against image/jpeg (±2), at 1/2, 1/4 and 1/8
// against djpeg -scale (the luma, and RGB for 4:4:4) within the
// tolerances of checkScaled. The 16 MP photo is left to the other tests
// under -short.
func TestConformanceEveryRepoJPEG(t *testing.T) {
	broken := map[string]bool{ // the tricky files that are not JPEGs or are cut
		"html-error-page-named.jpg": true, "truncated-half-baseline.jpg": true,
		"truncated-half-progressive.jpg": true, "zero-bytes.jpg": true,
	}
	var files []string
	for _, dir := range []string{photosDir, "../../testdata/tricky"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
		files = append(files, fs...)
	}
	if len(files) < 15 {
		t.Fatalf("only %d JPEGs found", len(files))
	}
	djpeg, _ := exec.LookPath("djpeg")
	tested := 0
	for _, f := range files {
		base := filepath.Base(f)
		if broken[base] || strings.Contains(base, "dandelions") {
			continue
		}
		orig := readFile(t, f)
		img, err := Decode(bytes.NewReader(orig), 8, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		_, grey := img.(*image.Gray)
		_, cmyk := img.(*image.CMYK)
		cases := map[string][]byte{"as sent": orig}
		if !cmyk { // cjpeg takes RGB or grey, not CMYK
			for name, b := range reencodes(t, f, grey) {
				cases[name] = b
			}
		}
		for variant, b := range cases {
			t.Run(base+"/"+variant, func(t *testing.T) {
				checkFullScale(t, base, b)
				if djpeg == "" || cmyk {
					return // CMYK at reduced scales: TestScaledColorModels
				}
				tmp := filepath.Join(t.TempDir(), "in.jpg")
				if err := os.WriteFile(tmp, b, 0o600); err != nil {
					t.Fatal(err)
				}
				for _, n := range []int{2, 4, 8} {
					img, err := Decode(bytes.NewReader(b), n, Limits{})
					if err != nil {
						t.Fatalf("1/%d: %v", n, err)
					}
					out, err := exec.Command(djpeg, "-grayscale", "-dct", "int", "-scale", fmt.Sprintf("1/%d", n), "-pnm", tmp).Output()
					if err != nil {
						t.Fatal(err)
					}
					checkScaled(t, img, out, false)
					if y, ok := img.(*image.YCbCr); ok && y.SubsampleRatio == image.YCbCrSubsampleRatio444 {
						out, err := exec.Command(djpeg, "-dct", "int", "-scale", fmt.Sprintf("1/%d", n), "-pnm", tmp).Output()
						if err != nil {
							t.Fatal(err)
						}
						checkScaled(t, img, out, true)
					}
				}
			})
			tested++
		}
	}
	t.Logf("%d files × variants checked at every scale", tested)
}
