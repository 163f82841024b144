package cli

import (
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/syncbuf"
)

func TestStudio_Command(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"studio", "extra"}, 2, "studio takes no arguments"},
		{[]string{"studio", "--article", "no-such-sample"}, 1, `no sample "no-such-sample": give an article file, or one of k1-air-base, `},
		{[]string{"studio", "--layouts", "no-such-dir", "--addr", "127.0.0.1:0"}, 1, `no layouts folder "no-such-dir" to watch`},
		{[]string{"studio", "--preset", "nope"}, 1, "nope"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

func TestStudio_Serves(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncbuf.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"studio", "--addr", "127.0.0.1:0", "--preset", "thumb-square", "--article", "long-headline"}, &out, &errb)
	}()
	// No deadline of its own: a loaded machine may take any time to start
	// the studio (go test's -timeout bounds the wait).
	printed := regexp.MustCompile(`http://127\.0\.0\.1:\d+/studio/`)
	url := ""
	for url == "" {
		select {
		case code := <-done:
			t.Fatalf("the studio exited %d before printing its URL; stdout %q, stderr %q", code, out.String(), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
		url = printed.FindString(out.String())
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "sharecard studio") {
		t.Errorf("GET %s: %s", url, res.Status)
	}
	cancel()
	// A studio that does not stop after Ctrl-C hangs here until go test's
	// -timeout, whose report shows where.
	if code := <-done; code != 0 {
		t.Errorf("exit %d after Ctrl-C; stderr %q", code, errb.String())
	}
}

func TestStudioSamples(t *testing.T) {
	other := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(other, []byte("headline: My own article\nlang: en\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec, current string
		local         bool
		extra         bool // the spec's file is listed beside the samples
		err           string
	}{
		{spec: "k1-air-base", current: "k1-air-base", local: true},
		{spec: "long-headline", current: "long-headline"},
		{spec: filepath.Join("samples", "k1-air-base-ar", "article.yaml"), current: "k1-air-base-ar", local: true},
		{spec: other, current: other, local: true, extra: true},
		{spec: "no-such-sample", local: true, err: `sample "no-such-sample"`},
	}
	for _, tt := range tests {
		var warn strings.Builder
		all, current, err := studioSamples(tt.spec, tt.local, &warn)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("studioSamples(%q) error = %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("studioSamples(%q): %v", tt.spec, err)
			continue
		}
		want := []string{"k1-air-base", "k1-air-base-ar", "long-headline"}
		if tt.extra {
			want = append(want, tt.spec)
		}
		got := slices.Sorted(maps.Keys(all))
		slices.Sort(want)
		if current != tt.current || !slices.Equal(got, want) || warn.Len() > 0 {
			t.Errorf("studioSamples(%q) = %v, current %q, warnings %q; want %v, current %q", tt.spec, got, current, warn.String(), want, tt.current)
		}
		if all[current] == nil || all[current].Article.Headline == "" {
			t.Errorf("studioSamples(%q): the current sample has no article", tt.spec)
		}
	}
}
