package cli

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRender_ContactSheet(t *testing.T) {
	tests := []struct {
		name      string
		flags     []string
		wantSheet bool
	}{
		{"with flag", []string{"--contact-sheet", "--preset", "og,instagram-story,thumb-square"}, true},
		{"without flag", []string{"--preset", "thumb-square"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"render", "--out", dir}, tc.flags...)
			args = append(args, "samples/k1-air-base/article.yaml")
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			sheet := filepath.Join(dir, "k1-air-base-iraq-handover", "contact-sheet.png")
			if got := strings.Contains(stdout, sheet); got != tc.wantSheet {
				t.Errorf("stdout mentions %s: %v, want %v\nstdout: %s", sheet, got, tc.wantSheet, stdout)
			}
			f, err := os.Open(sheet)
			if !tc.wantSheet {
				if err == nil {
					f.Close()
					t.Errorf("%s written without --contact-sheet", sheet)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("contact-sheet.png: %v", err)
			}
			// Three thumbnails in one row of the default 2400 px page.
			if b := img.Bounds(); b.Dx() != 2400 || b.Dy() < 300 || b.Dy() > 700 {
				t.Errorf("contact sheet is %v, want 2400 wide and one row high", b.Size())
			}
			// Its top-left thumbnail is the og image (which starts with the
			// photo), not the grey page.
			if c := img.At(48+100, img.Bounds().Dy()/2); isPageGrey(c) {
				t.Errorf("no thumbnail at the start of the row (pixel %v)", c)
			}
			entries, _ := os.ReadDir(filepath.Dir(sheet))
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("temporary file left: %s", e.Name())
				}
			}
		})
	}
}

// isPageGrey reports whether c is the contact sheet's background colour.
func isPageGrey(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 == 0xEE && g>>8 == 0xEE && b>>8 == 0xEC
}
