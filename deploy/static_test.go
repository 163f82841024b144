package deploy

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// webpDynamicModule is what github.com/gen2brain/webp loads a system
// libwebp with, unless it is built with the nodynamic tag.
const webpDynamicModule = "github.com/ebitengine/purego"

// staticProblems lists why the binary at path is not a static executable
// that keeps WebP in process: an ELF interpreter or shared libraries, a
// build without CGO_ENABLED=0 or the nodynamic tag, or code that would
// dlopen libwebp.
func staticProblems(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var problems []string
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			b := make([]byte, p.Filesz)
			p.ReadAt(b, 0)
			problems = append(problems, fmt.Sprintf("it has an ELF interpreter (%s): it is dynamically linked", strings.TrimRight(string(b), "\x00")))
		case elf.PT_DYNAMIC:
			problems = append(problems, "it has a dynamic section")
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
		problems = append(problems, fmt.Sprintf("it needs shared libraries %v", libs))
	}
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: no Go build information: %w", path, err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" {
		problems = append(problems, fmt.Sprintf("it was built with CGO_ENABLED=%q; want 0", settings["CGO_ENABLED"]))
	}
	if !slices.Contains(strings.Split(settings["-tags"], ","), "nodynamic") {
		problems = append(problems, fmt.Sprintf("it was built with tags %q, without nodynamic", settings["-tags"]))
	}
	for _, d := range bi.Deps {
		if d.Path == webpDynamicModule {
			problems = append(problems, fmt.Sprintf("it links %s, with which github.com/gen2brain/webp loads a system libwebp", d.Path))
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(data, []byte("libwebp.so")) {
		problems = append(problems, "it names libwebp.so, a library it would dlopen")
	}
	return problems, nil
}

// TestStaticBuild builds sharecard as the Dockerfile does and checks the
// binary is static (ldd: "not a dynamic executable") and encodes WebP in
// process, so it runs on distroless/static or scratch.
func TestStaticBuild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("the static build is checked on Linux (ELF); this is %s", runtime.GOOS)
	}
	bin := sharecardBinary(t)
	problems, err := staticProblems(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("the release build is not static: %s", p)
	}
	t.Run("ldd", func(t *testing.T) {
		ldd := needTool(t, "ldd", "confirm the binary is static")
		out, _ := exec.Command(ldd, bin).CombinedOutput() // exits 1 on a static binary
		if s := string(out); !strings.Contains(s, "not a dynamic executable") && !strings.Contains(s, "statically linked") {
			t.Errorf("ldd %s says\n%s\nwant \"not a dynamic executable\"", bin, s)
		}
	})
	t.Run("runs", func(t *testing.T) {
		out, err := exec.Command(bin, "version").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "sharecard ") {
			t.Errorf("%s version: %v\n%s", bin, err, out)
		}
	})
	// WebP comes from the libwebp compiled to WebAssembly inside the
	// binary: render the sample as WebP with it.
	t.Run("webp", func(t *testing.T) {
		dir := t.TempDir()
		out, err := exec.Command(bin, "render", "--format", "webp", "--preset", "og", "--out", dir, "../samples/k1-air-base/article.yaml").CombinedOutput()
		if err != nil {
			t.Fatalf("sharecard render --format webp: %v\n%s", err, out)
		}
		img, err := os.ReadFile(filepath.Join(dir, "k1-air-base-iraq-handover", "og.webp"))
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if len(img) < 12 || string(img[:4]) != "RIFF" || string(img[8:12]) != "WEBP" {
			t.Errorf("og.webp (%d bytes) is not a WebP file", len(img))
		}
	})
}

// TestStaticBuildNeedsNodynamic is the control of TestStaticBuild: without
// the nodynamic tag the binary is dynamic, so the tag (and this check) are
// still needed. When the WebP module stops loading libwebp, this fails:
// the tag can then leave the Dockerfile and this test can go.
func TestStaticBuildNeedsNodynamic(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("the static build is checked on Linux (ELF); this is %s", runtime.GOOS)
	}
	if testing.Short() {
		t.Skip("builds sharecard a second time; skipped with -short")
	}
	bin := buildBinary(t, "github.com/sharecard/sharecard", "-trimpath", "-ldflags", "-s -w")
	problems, err := staticProblems(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ELF interpreter", "without nodynamic", webpDynamicModule, "libwebp.so"}
	for _, w := range want {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, w) }) {
			t.Errorf("a build without -tags nodynamic: no problem mentions %q; got %q", w, problems)
		}
	}
}
