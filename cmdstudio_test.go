package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"sharecard/internal/syncbuf"
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
		done <- run(ctx, []string{"studio", "--addr", "127.0.0.1:0", "--preset", "thumb-square", "--article", "long-headline"}, &out, &errb)
	}()
	url := ""
	for deadline := time.Now().Add(20 * time.Second); url == ""; {
		if m := regexp.MustCompile(`http://127\.0\.0\.1:\d+/studio/`).FindString(out.String()); m != "" {
			url = m
		} else if time.Now().After(deadline) {
			t.Fatalf("no URL printed; stdout %q, stderr %q", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
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
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after Ctrl-C; stderr %q", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the studio did not stop after Ctrl-C")
	}
}
