package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// scenarios are the reproductions of issue 9, each bounded in requests
// and seconds.
func scenarios() []scenario {
	return []scenario{
		{"1", "JPEG bomb: 2 concurrent uploads, a 100 MP progressive JPEG of a few hundred bytes and one whose band is sent 300 times; client timeout 45 s", jpegBomb},
		{"2a", "16 concurrent 48 MB bodies to POST /v1/render; client timeout 30 s", bigBodies("/v1/render?presets=og", false)},
		{"2b", "16 concurrent 48 MB bodies to POST /v1/hooks/test with a bad signature; client timeout 30 s", bigBodies("/v1/hooks/test", true)},
		{"3", "a 5 MB headline (POST /v1/render, JSON); client timeout 45 s", headline(5 << 20)},
		{"3b", "a 100,000-character headline, inside the article body cap (POST /v1/render, JSON); client timeout 45 s", headline(100_000)},
		{"4", "200 connections trickling a body at 1 byte/s for 30 s: still open at the end", trickle},
		{"5", "truncated bodies: short of Content-Length (then half-closed), JSON cut mid-string, YAML cut mid-string", truncated},
		{"6", "64 clients POSTing a 20 MP photo again and again for 30 s; client timeout 30 s", overload},
		{"7", "SIGTERM with 10 renders in flight (a 20 MP photo at every preset, as PNG: 13 s each alone); client timeout 120 s", sigterm},
		{"8", "a signed Ghost webhook of 9 MB, over the job queue's 8 MB payload", bigHook},
		{"9", "8 simultaneous GETs of one new signed card (photo from a loopback server)", cardStampede},
	}
}

// articleJSON is a small valid article, unique for each call (the
// server stores and coalesces renders of the same content, so repeats
// would measure the store rather than the renders).
func articleJSON() string {
	return fmt.Sprintf(`{"headline":"Storm closes the coast road for a night (%d)","section":"Weather"}`, serial.Add(1))
}

var serial atomic.Int64

func jpegBomb(e *env) outcome {
	var c collector
	files := [][]byte{e.photos.bomb, e.photos.scans}
	timeout := e.window(45 * time.Second)
	concurrently(len(files), func(i int) {
		body, n, ctype := multipartBody(articleJSON(), files[i])
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.url("/v1/render?presets=og"), body)
		req.ContentLength = n
		req.Header.Set("Content-Type", ctype)
		c.add(send(e.client, req))
	})
	c.out.note = fmt.Sprintf("files of %d and %d bytes", len(e.photos.bomb), len(e.photos.scans))
	return c.out
}

func bigBodies(path string, badSignature bool) func(e *env) outcome {
	return func(e *env) outcome {
		var c collector
		timeout := e.window(30 * time.Second)
		concurrently(16, func(i int) {
			body, n := bigJSON(int64(45<<20) + int64(i)*(5<<20)/16) // 45 to 50 MB
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.url(path), body)
			req.ContentLength = n
			req.Header.Set("Content-Type", "application/json")
			if badSignature {
				req.Header.Set("X-Sharecard-Signature", fmt.Sprintf("t=%d,v1=%s", time.Now().Unix(), strings.Repeat("0", 64)))
			}
			c.add(send(e.client, req))
		})
		return c.out
	}
}

// headline sends an article whose headline is n characters of words.
func headline(n int) func(e *env) outcome {
	return func(e *env) outcome { return sendHeadline(e, n) }
}

func sendHeadline(e *env, n int) outcome {
	var out outcome
	body := `{"headline":"` + strings.Repeat("Storm ", n/6) + `"}`
	ctx, cancel := context.WithTimeout(context.Background(), e.window(45*time.Second))
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.url("/v1/render?presets=og"), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	out.add(send(e.client, req))
	return out
}

// trickle opens 200 connections that send a request's headers and then
// one byte of its body a second, and counts how many the server still
// holds open after the window.
func trickle(e *env) outcome {
	const conns = 200
	window := e.window(30 * time.Second)
	var (
		c      collector
		open   atomic.Int64
		wg     sync.WaitGroup
		all    []net.Conn
		closed = make(chan struct{})
	)
	t0 := time.Now()
	for range conns {
		conn, err := dialRaw(e.srv.addr)
		if err != nil {
			c.add(failure(err), 0, false)
			continue
		}
		all = append(all, conn)
		fmt.Fprintf(conn, "POST /v1/render HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", e.srv.addr)
		open.Add(1)
		wg.Add(2)
		done := make(chan struct{})
		go func() { // the reader: an answer or a close ends the connection
			defer wg.Done()
			defer close(done)
			line, err := readStatusLine(conn)
			select {
			case <-closed: // closed by the scenario, not the server
				return
			default:
			}
			open.Add(-1)
			if err != nil && line == "" {
				c.add(failure(err), time.Since(t0), false)
				return
			}
			c.add(statusOf(line), time.Since(t0), true)
		}()
		go func() { // the writer: one byte a second until the end
			defer wg.Done()
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-closed:
					return
				case <-tick.C:
					if _, err := conn.Write([]byte("a")); err != nil {
						return
					}
				}
			}
		}()
	}
	time.Sleep(window - time.Since(t0))
	stillOpen := open.Load()
	close(closed)
	for _, conn := range all {
		conn.Close()
	}
	wg.Wait()
	out := c.out
	out.note = fmt.Sprintf("%d of %d still open after %s", stillOpen, conns, short(window))
	return out
}

// readStatusLine reads the first line of an HTTP answer, waiting at most
// two minutes (the connection is closed sooner by the scenario).
func readStatusLine(conn net.Conn) (string, error) {
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Minute))
	var b []byte
	one := make([]byte, 1)
	for len(b) < 200 {
		n, err := conn.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return strings.TrimSpace(string(b)), nil
			}
			b = append(b, one[0])
		}
		if err != nil {
			return string(b), err
		}
	}
	return string(b), nil
}

// statusOf is the code of an HTTP status line.
func statusOf(line string) string {
	f := strings.Fields(line)
	if len(f) >= 2 && strings.HasPrefix(f[0], "HTTP/") {
		return f[1]
	}
	return "garbage"
}

// truncated sends three broken bodies, one at a time, labelling each
// answer.
func truncated(e *env) outcome {
	var out outcome
	raw := func(label, ctype, body string, length int) {
		conn, err := dialRaw(e.srv.addr)
		if err != nil {
			out.add(label+":"+failure(err), 0, false)
			return
		}
		defer conn.Close()
		t0 := time.Now()
		fmt.Fprintf(conn, "POST /v1/render?presets=og HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", e.srv.addr, ctype, length, body)
		if length > len(body) {
			_ = conn.(*net.TCPConn).CloseWrite()
		}
		_ = conn.SetReadDeadline(time.Now().Add(e.window(30 * time.Second)))
		line, err := readStatusLine(conn)
		if err != nil && line == "" {
			out.add(label+":"+failure(err), time.Since(t0), false)
			return
		}
		out.add(label+":"+statusOf(line), time.Since(t0), true)
	}
	full := articleJSON()
	raw("short", "application/json", full[:len(full)/2], len(full))
	raw("json", "application/json", `{"headline":"Storm closes the coa`, len(`{"headline":"Storm closes the coa`))
	raw("yaml", "application/yaml", "headline: \"Storm closes the coa", len("headline: \"Storm closes the coa"))
	return out
}

// overload: 64 clients each POST the 20 MP photo (each time under a new
// headline) again and again for 30 s, each request with a 30 s timeout.
func overload(e *env) outcome {
	var (
		c     collector
		first firstAt
	)
	window, timeout := e.window(30*time.Second), 30*time.Second
	t0 := time.Now()
	concurrently(64, func(int) {
		for time.Since(t0) < window {
			body, n, ctype := multipartBody(articleJSON(), e.photos.big)
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.url("/v1/render?presets=og"), body)
			req.ContentLength = n
			req.Header.Set("Content-Type", ctype)
			code, d, ok := send(e.client, req)
			cancel()
			if code == "503" {
				first.mark(time.Since(t0))
			}
			c.add(code, d, ok)
		}
	})
	total := 0
	for _, k := range c.out.codes {
		total += k
	}
	c.out.note = fmt.Sprintf("%d requests; first 503 after %s; photo %.1f MB", total, first.text(), float64(len(e.photos.big))/1e6)
	return c.out
}

// sigterm: 10 heavy renders, SIGTERM once all are sent; the answers, the
// exit status and how long the server took to exit.
func sigterm(e *env) outcome {
	var (
		c     collector
		wrote sync.WaitGroup
		wg    sync.WaitGroup
	)
	const n = 10
	wrote.Add(n)
	for range n {
		body, length, ctype := multipartBody(articleJSON(), e.photos.big)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var once sync.Once
			done := func() { once.Do(wrote.Done) }
			defer done()
			ctx, cancel := context.WithTimeout(context.Background(), e.window(120*time.Second)+30*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.url("/v1/render?presets=all&format=png"), body)
			req.ContentLength = length
			req.Header.Set("Content-Type", ctype)
			c.add(send(e.client, withTrace(req, done)))
		}()
	}
	wrote.Wait()
	time.Sleep(500 * time.Millisecond) // let the server take them up
	t0 := time.Now()
	_ = e.srv.cmd.Process.Signal(syscall.SIGTERM)
	ready := "?"
	time.Sleep(200 * time.Millisecond)
	if resp, err := loopbackClient(2 * time.Second).Get(e.srv.url("/readyz")); err == nil {
		resp.Body.Close()
		ready = strconv.Itoa(resp.StatusCode)
	} else {
		ready = failure(err)
	}
	exit := "still running after 150 s (killed)"
	select {
	case <-e.srv.exited:
		exit = exitText(e.srv.err)
	case <-time.After(150 * time.Second):
		_ = syscall.Kill(-e.srv.cmd.Process.Pid, syscall.SIGKILL)
		<-e.srv.exited
	}
	took := time.Since(t0)
	wg.Wait()
	out := c.out
	out.note = fmt.Sprintf("/readyz after TERM: %s; %s after %s", ready, exit, short(took))
	return out
}

func exitText(err error) string {
	if err == nil {
		return "exit 0"
	}
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by " + ws.Signal().String()
		}
		return fmt.Sprintf("exit %d", ee.ExitCode())
	}
	return err.Error()
}

// bigHook sends a correctly signed Ghost webhook whose excerpt makes the
// body 9 MB, over the embedded queue's 8 MB payload.
func bigHook(e *env) outcome {
	var out outcome
	body := []byte(`{"post":{"current":{"title":"Storm closes the coast road","custom_excerpt":"` + strings.Repeat("a", 9<<20) + `"}}}`)
	ctx, cancel := context.WithTimeout(context.Background(), e.window(60*time.Second))
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.url("/v1/hooks/ghost"), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sharecard-Signature", hookSignature(time.Now().Unix(), body))
	out.add(send(e.client, req))
	return out
}

// cardStampede: a photo server on loopback, one card URL signed by the
// build's own `sharecard sign`, and 8 GETs of it at once.
func cardStampede(e *env) outcome {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return outcome{skipped: err.Error()}
	}
	defer ln.Close()
	photo := e.photos.card
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(photo)
	}))
	cmd := exec.Command(e.bin, "sign", "--base-url", "http://"+e.srv.addr,
		"--headline", fmt.Sprintf("Crawlers arrive at once %d", time.Now().UnixNano()),
		"--section", "Bench", "--photo", "http://"+ln.Addr().String()+"/photo.jpg")
	cmd.Env = []string{"SHARECARD_SIGN_KEY=" + signKey, "PATH=/usr/bin:/bin"}
	signed, err := cmd.Output()
	if err != nil {
		return outcome{skipped: "sharecard sign: " + err.Error()}
	}
	cardURL := strings.TrimSpace(string(signed))
	if !strings.HasPrefix(cardURL, "http://"+e.srv.addr+"/") {
		return outcome{skipped: "sign printed " + cardURL}
	}
	before, err := e.srv.metric("sharecard_renders_total")
	if err != nil {
		return outcome{skipped: "metrics: " + err.Error()}
	}
	var c collector
	concurrently(8, func(int) {
		ctx, cancel := context.WithTimeout(context.Background(), e.window(60*time.Second))
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, cardURL, nil)
		c.add(send(e.client, req))
	})
	after, err := e.srv.metric("sharecard_renders_total")
	out := c.out
	if err != nil {
		out.note = "renders: ? (" + err.Error() + ")"
	} else {
		out.note = fmt.Sprintf("%.0f renders", after-before)
	}
	return out
}
