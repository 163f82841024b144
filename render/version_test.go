package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestVersionGoldens keeps render.Version honest: the goldens (exact plans
// and pixel goldens) may only change together with a new Version.
func TestVersionGoldens(t *testing.T) {
	h := sha256.New()
	for _, dir := range []string{"testdata/plans", "testdata/golden"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(p), len(data))
			h.Write(data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got := hex.EncodeToString(h.Sum(nil))
	want, ok := goldenDigests[Version]
	switch {
	case !ok:
		t.Fatalf("render.Version %q has no entry in goldenDigests (version.go): add %q: %q", Version, Version, got)
	case want != got:
		t.Fatalf("the goldens changed but render.Version is still %q: content-addressed URLs would change their bytes. Bump Version in version.go and add its digest %q (keep the old entry)", Version, got)
	}
	seen := map[string]string{}
	for v, d := range goldenDigests {
		if prev, dup := seen[d]; dup {
			t.Errorf("versions %s and %s have the same golden digest: each version renders differently", prev, v)
		}
		seen[d] = v
	}
}
