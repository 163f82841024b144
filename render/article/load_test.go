package article_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/article"
)

// TestLoadReader: an article from a reader (standard input) reads its
// photo relative to the given folder, and a reader that runs past the cap
// is refused, naming what was read.
func TestLoadReader(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.jpg"), []byte("not really a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, in, err string
		photo         bool
	}{
		{"with a photo", "headline: Hello\nphoto: p.jpg\n", "", true},
		{"no photo", "headline: Hello\n", "", false},
		{"missing photo", "headline: Hello\nphoto: q.jpg\n", "q.jpg", false},
		{"too long", "headline: " + strings.Repeat("x", 300) + "\n", "over 200 bytes", false},
		{"bad key", "headlin: Hello\n", "standard input:1:1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, ph, err := article.LoadReader(strings.NewReader(tc.in), "standard input", dir, 200, 1<<20)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Headline != "Hello" || (ph != nil) != tc.photo {
				t.Errorf("headline %q, photo %d bytes; want Hello and photo %v", a.Headline, len(ph), tc.photo)
			}
		})
	}
}
