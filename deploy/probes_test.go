package deploy

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestProbesAnswer runs the release binary as the examples do and asks it
// every path their probes use, runs `sharecard healthcheck` (the image's
// HEALTHCHECK) against it, then stops it with SIGTERM: /readyz turns 503 while the
// drain delay runs and the process exits 0.
func TestProbesAnswer(t *testing.T) {
	bin := sharecardBinary(t)
	paths := probePaths(t)
	if len(paths) == 0 {
		t.Fatal("the Kubernetes examples have no HTTP probes")
	}

	dir := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"),
		"SHARECARD_ADDR=127.0.0.1:0", "SHARECARD_DATA=" + filepath.Join(dir, "data"),
		"SHARECARD_LAYOUTS=" + filepath.Join(dir, "no-layouts"),
		"SHARECARD_DRAIN_DELAY=3s", "SHARECARD_DRAIN_TIMEOUT=10s"}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	var logMu sync.Mutex
	var logs strings.Builder
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		found := false
		for sc.Scan() {
			logMu.Lock()
			logs.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if !found {
				if a := listenAddr(sc.Text()); a != "" {
					found = true
					addrc <- a
				}
			}
		}
		exited <- cmd.Wait()
	}()
	logText := func() string { logMu.Lock(); defer logMu.Unlock(); return logs.String() }
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
	}()

	var addr string
	select {
	case addr = <-addrc:
	case err := <-exited:
		stopped = true
		t.Fatalf("sharecard serve exited before listening: %v\n%s", err, logText())
	case <-time.After(60 * time.Second):
		t.Fatalf("sharecard serve logged no listen address within 60 s:\n%s", logText())
	}
	base := "http://" + addr
	client := &http.Client{Timeout: 5 * time.Second}
	status := func(path string) int {
		resp, err := client.Get(base + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// The job queue and the store come up after the listener: wait for
	// each probe to answer 200, within a bound.
	for _, p := range paths {
		if got := waitStatus(status, p, http.StatusOK, 30*time.Second); got != http.StatusOK {
			t.Errorf("GET %s: %d, want 200 (a probe of the Kubernetes examples)\n%s", p, got, logText())
		}
	}

	hcCmd := exec.Command(bin, "healthcheck")
	hcCmd.Env = []string{"SHARECARD_ADDR=" + addr}
	if out, err := hcCmd.CombinedOutput(); err != nil {
		t.Errorf("healthcheck with SHARECARD_ADDR=%s: %v\n%s", addr, err, out)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if got := waitStatus(status, "/readyz", http.StatusServiceUnavailable, 3*time.Second); got != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz after SIGTERM, during the drain delay: %d, want 503", got)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("sharecard serve after SIGTERM: %v, want exit status 0\n%s", err, logText())
		}
	case <-time.After(60 * time.Second):
		t.Errorf("sharecard serve still running 60 s after SIGTERM (drain delay 3 s, timeout 10 s)\n%s", logText())
	}
}

// waitStatus asks path until it answers want or the bound passes, and
// returns the last status (0: no answer).
func waitStatus(status func(string) int, path string, want int, bound time.Duration) int {
	deadline := time.Now().Add(bound)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	got := status(path)
	for got != want && time.Now().Before(deadline) {
		<-tick.C
		got = status(path)
	}
	return got
}

// listenAddr finds the public listen address in a JSON log line of
// sharecard serve: an "addr" attribute with a non-zero port.
func listenAddr(line string) string {
	var rec map[string]any
	if json.Unmarshal([]byte(line), &rec) != nil {
		return ""
	}
	a, _ := rec["addr"].(string)
	host, port, err := net.SplitHostPort(a)
	if err != nil || port == "0" || host != "127.0.0.1" {
		return ""
	}
	return a
}

func TestListenAddr(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"level":"INFO","msg":"sharecard serving","addr":"127.0.0.1:4321","data":"x"}`, "127.0.0.1:4321"},
		{`{"msg":"x","addr":"127.0.0.1:0"}`, ""},
		{`{"msg":"x","addr":":8080"}`, ""},
		{`{"msg":"x"}`, ""},
		{`time=... msg="sharecard serving" addr=127.0.0.1:1`, ""},
	}
	for _, tt := range tests {
		if got := listenAddr(tt.line); got != tt.want {
			t.Errorf("listenAddr(%s) = %q, want %q", tt.line, got, tt.want)
		}
	}
}
