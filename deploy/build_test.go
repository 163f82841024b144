package deploy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// requireTools makes a missing external tool a failure rather than a skip,
// as CI wants (SHARECARD_REQUIRE_TOOLS=1).
func requireTools() bool { return os.Getenv("SHARECARD_REQUIRE_TOOLS") == "1" }

// needTool returns the path of an external tool, or skips the test (fails
// it under SHARECARD_REQUIRE_TOOLS=1) when it is not installed.
func needTool(t *testing.T, name, why string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if requireTools() {
			t.Fatalf("%s is not installed (needed to %s) and SHARECARD_REQUIRE_TOOLS=1", name, why)
		}
		t.Skipf("%s is not installed; it is needed to %s (set SHARECARD_REQUIRE_TOOLS=1 to make this a failure)", name, why)
	}
	return p
}

// staticFlags are the go build flags of the release binary, as in the
// Dockerfile's build stage (TestDockerfile checks they match). The build
// runs with CGO_ENABLED=0.
var staticFlags = []string{"-trimpath", "-tags", "nodynamic", "-ldflags", "-s -w"}

// builds caches the binaries built by this test process, by flags.
var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string
	errs map[string]error
}

// buildBinary builds the package pkg (an import path) with CGO_ENABLED=0
// and the given flags, once per test process, and returns its path.
func buildBinary(t *testing.T, pkg string, flags ...string) string {
	t.Helper()
	goBin := needTool(t, "go", "build the binary")
	builds.Lock()
	defer builds.Unlock()
	key := pkg + " " + strings.Join(flags, "\x00")
	if p, ok := builds.bins[key]; ok {
		return p
	}
	if err, ok := builds.errs[key]; ok {
		t.Fatal(err)
	}
	if builds.bins == nil {
		builds.bins, builds.errs = map[string]string{}, map[string]error{}
	}
	out := filepath.Join(builds.dir, fmt.Sprintf("bin%d", len(builds.bins)+len(builds.errs)), filepath.Base(pkg))
	// No VCS stamp: the checks do not need it, and git may refuse to
	// describe a checkout owned by another user.
	args := append([]string{"build", "-buildvcs=false", "-o", out}, flags...)
	cmd := exec.Command(goBin, append(args, pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		err = fmt.Errorf("go %s: %v\n%s", strings.Join(append(args, pkg), " "), err, stderr.String())
		builds.errs[key] = err
		t.Fatal(err)
	}
	builds.bins[key] = out
	return out
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sharecard-deploy-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	builds.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharecardBinary is the release build of sharecard.
func sharecardBinary(t *testing.T) string {
	return buildBinary(t, "github.com/sharecard/sharecard", staticFlags...)
}
