package cli

import (
	"runtime"
	"strings"
	"testing"
)

// TestVersion: `version`, `--version` and `-version` print one line with
// the module version and the Go version, and exit 0.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-version"} {
		code, out, errs := runCLI(t, arg)
		if code != 0 || errs != "" {
			t.Errorf("%s: exit %d, stderr %q", arg, code, errs)
		}
		if !strings.HasPrefix(out, "sharecard ") || !strings.HasSuffix(out, runtime.Version()+"\n") || strings.Count(out, "\n") != 1 {
			t.Errorf("%s: %q, want one line \"sharecard <version> ... %s\"", arg, out, runtime.Version())
		}
	}
}
