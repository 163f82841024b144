// Command hostile sends the hostile inputs and overloads of issue 9 to
// `sharecard serve` builds on loopback and prints a markdown table of what
// each answered: the status codes, the time to answer and the server's
// peak RSS, for a baseline build and the current one side by side.
//
// Every scenario starts a fresh server (so the peak RSS, VmHWM, is that
// scenario's), on 127.0.0.1 with a new temporary data folder, and is
// bounded in requests and seconds. Nothing is sent anywhere but
// 127.0.0.1: the HTTP client's dialer refuses any other address.
//
// bench/hostile.sh builds the binaries and runs it:
//
//	hostile -base /tmp/sharecard-base -now /tmp/sharecard-now [-only 1,3] [-short]
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Secrets the servers are started with (test values, loopback only).
const (
	signKey     = "hostile-bench-sign-key"
	hookSecret  = "hostile-bench-hook-secret"
	startupWait = 60 * time.Second // a server not ready by then is a failure
)

// options are the command-line settings.
type options struct {
	base, now string  // server binaries; either may be empty
	only      string  // comma-separated scenario ids, empty for all
	short     bool    // shorter windows, for a quick check of the script
	work      string  // folder for generated photos and server data
	scale     float64 // multiplies every window (1, or 0.5 with -short)
}

func main() {
	var o options
	flag.StringVar(&o.base, "base", "", "baseline sharecard `binary`")
	flag.StringVar(&o.now, "now", "", "current sharecard `binary`")
	flag.StringVar(&o.only, "only", "", "run only these scenario `ids` (comma-separated, e.g. 1,2a,9)")
	flag.BoolVar(&o.short, "short", false, "halve the time windows (a quick run)")
	flag.StringVar(&o.work, "work", "", "work `folder` (default: a new temporary folder, removed at the end)")
	flag.Parse()
	if o.base == "" && o.now == "" {
		fmt.Fprintln(os.Stderr, "hostile: give -base and/or -now (sharecard binaries)")
		os.Exit(2)
	}
	o.scale = 1
	if o.short {
		o.scale = 0.5
	}
	if o.work == "" {
		dir, err := os.MkdirTemp("", "hostile-")
		if err != nil {
			fatal(err)
		}
		defer os.RemoveAll(dir)
		o.work = dir
	}
	if err := run(o); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "hostile:", err)
	os.Exit(1)
}

// logf reports progress on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// scenario is one reproduction.
type scenario struct {
	id, name string
	run      func(e *env) outcome
}

// outcome is what one scenario measured against one server.
type outcome struct {
	codes   map[string]int  // answer or failure -> count
	times   []time.Duration // time to answer of the requests answered
	rssKB   int64           // VmHWM of the server
	note    string          // anything else measured
	skipped string          // why the scenario did not run
}

func (o *outcome) add(code string, d time.Duration, answered bool) {
	if o.codes == nil {
		o.codes = map[string]int{}
	}
	o.codes[code]++
	if answered {
		o.times = append(o.times, d)
	}
}

// env is what a scenario gets: a running server and the shared inputs.
type env struct {
	o      options
	bin    string
	srv    *server
	photos *photos
	client *http.Client
}

func run(o options) error {
	ph, err := makePhotos(o.work)
	if err != nil {
		return err
	}
	all := scenarios()
	var picked []scenario
	for _, s := range all {
		if o.only == "" || slices.Contains(strings.Split(o.only, ","), s.id) {
			picked = append(picked, s)
		}
	}
	builds := []struct{ label, bin string }{{"baseline", o.base}, {"now", o.now}}
	results := map[string]map[string]outcome{} // build -> scenario id -> outcome
	start := time.Now()
	for _, b := range builds {
		if b.bin == "" {
			continue
		}
		results[b.label] = map[string]outcome{}
		for _, s := range picked {
			logf("%s: scenario %s: %s", b.label, s.id, s.name)
			out := runOne(o, b.bin, ph, s)
			results[b.label][s.id] = out
			logf("%s: scenario %s: %s, %s, peak RSS %s %s", b.label, s.id, codesText(out), timesText(out), rssText(out.rssKB), out.note+out.skipped)
		}
	}
	printTable(os.Stdout, picked, results, o, time.Since(start))
	return nil
}

// runOne starts a fresh server for s, runs s and stops the server.
func runOne(o options, bin string, ph *photos, s scenario) (out outcome) {
	srv, err := startServer(bin, o.work)
	if err != nil {
		return outcome{skipped: "server did not start: " + err.Error()}
	}
	defer func() {
		if out.rssKB == 0 {
			out.rssKB = srv.peakRSS()
		}
		srv.stop()
	}()
	e := &env{o: o, bin: bin, srv: srv, photos: ph, client: loopbackClient(0)}
	return s.run(e)
}

// window scales a scenario's time bound.
func (e *env) window(d time.Duration) time.Duration {
	return time.Duration(float64(d) * e.o.scale)
}

// ---------------------------------------------------------------- server

// server is one `sharecard serve` process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	dir    string
	log    *os.File
	exited chan struct{}
	err    error        // the exit error, once exited is closed
	hwm    atomic.Int64 // the largest VmHWM seen, KB
}

var addrPattern = regexp.MustCompile(`"addr":"(127\.0\.0\.1:[0-9]+)"`)

// startServer runs bin serve on a free loopback port with a new data
// folder, a minimal environment and the built-in layouts, and waits until
// /readyz answers 200.
func startServer(bin, work string) (*server, error) {
	dir, err := os.MkdirTemp(work, "server-")
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"),
		"--layouts", filepath.Join(dir, "no-layouts"), "--allow-nets", "127.0.0.0/8")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir,
		"SHARECARD_SIGN_KEY=" + signKey,
		"SHARECARD_HOOK_SECRET_TEST=" + hookSecret,
		"SHARECARD_HOOK_SECRET_GHOST=" + hookSecret,
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so that stop can kill what it started; and
	// killed if this program dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, dir: dir, log: logFile, exited: make(chan struct{})}
	go func() { s.err = cmd.Wait(); close(s.exited) }()
	go s.sampleRSS()
	deadline := time.Now().Add(startupWait)
	c := loopbackClient(2 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("exited at start-up (%v); log %s", s.err, tail(filepath.Join(dir, "server.log")))
		default:
		}
		if s.addr == "" {
			if m := addrPattern.FindSubmatch(readFile(filepath.Join(dir, "server.log"))); m != nil {
				s.addr = string(m[1])
			}
		}
		if s.addr != "" {
			if resp, err := c.Get(s.url("/readyz")); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return s, nil
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("not ready after %s; log %s", startupWait, tail(filepath.Join(dir, "server.log")))
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

// sampleRSS records the server's VmHWM every 100 ms until it exits, so
// that the peak is known after it exits too.
func (s *server) sampleRSS() {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.exited:
			return
		case <-tick.C:
			s.peakRSS()
		}
	}
}

// peakRSS is the server's peak RSS (VmHWM) in KB: now, or the last seen
// before it exited.
func (s *server) peakRSS() int64 {
	kb := s.readHWM()
	for {
		old := s.hwm.Load()
		if kb <= old || s.hwm.CompareAndSwap(old, kb) {
			return max(kb, old)
		}
	}
}

// readHWM reads VmHWM from /proc (0 once the server has exited).
func (s *server) readHWM() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// stop kills the server's process group (a graceful stop would only
// make the run longer: each scenario has its own server and folder), then
// removes its folder.
func (s *server) stop() {
	select {
	case <-s.exited:
	default:
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	s.log.Close()
	os.RemoveAll(s.dir)
}

// metric sums the samples of a Prometheus counter on /metrics.
func (s *server) metric(name string) (float64, error) {
	resp, err := loopbackClient(5 * time.Second).Get(s.url("/metrics"))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && (f[0] == name || strings.HasPrefix(f[0], name+"{")) {
			v, _ := strconv.ParseFloat(f[1], 64)
			sum += v
		}
	}
	return sum, sc.Err()
}

func readFile(name string) []byte {
	data, _ := os.ReadFile(name)
	return data
}

// tail is the end of a log file, for error messages.
func tail(name string) string {
	data := readFile(name)
	if len(data) > 600 {
		data = data[len(data)-600:]
	}
	return strings.TrimSpace(string(data))
}

// ---------------------------------------------------------------- client

// loopbackClient is an HTTP client whose dialer refuses any address but
// 127.0.0.1 and ::1. timeout 0 means none (the caller's context bounds it).
func loopbackClient(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if err := checkLoopback(addr); err != nil {
					return nil, err
				}
				return d.DialContext(ctx, network, addr)
			},
			MaxIdleConnsPerHost: 64,
			DisableCompression:  true,
		},
	}
}

// checkLoopback refuses an address that is not a loopback IP.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing to dial %s: this bench talks to loopback only", addr)
	}
	return nil
}

// dialRaw opens a TCP connection to a loopback address.
func dialRaw(addr string) (net.Conn, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	return net.DialTimeout("tcp", addr, 5*time.Second)
}

// send does one request and returns its status (or the kind of failure),
// the time to the answer's headers and whether there was an answer.
func send(c *http.Client, req *http.Request) (string, time.Duration, bool) {
	t0 := time.Now()
	resp, err := c.Do(req)
	d := time.Since(t0)
	if err != nil {
		return failure(err), d, false
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<20))
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode), d, true
}

// failure names a request error briefly.
func failure(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNRESET), strings.Contains(err.Error(), "connection reset"):
		return "reset"
	case errors.Is(err, syscall.EPIPE), strings.Contains(err.Error(), "broken pipe"):
		return "broken pipe"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "EOF"):
		return "closed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	}
	return "error"
}

// ---------------------------------------------------------------- inputs

// photos are the generated inputs, made once for both builds.
type photos struct {
	bomb, scans []byte // the 100 MP progressive JPEGs
	big         []byte // a 20 MP JPEG
	card        []byte // a 2 MP JPEG for the card scenario
}

func makePhotos(work string) (*photos, error) {
	ph := &photos{bomb: bombJPEG(10000, 10000, 3), scans: bombJPEG(10000, 10000, 300)}
	var err error
	logf("generating a 20 MP JPEG")
	if ph.big, err = photoJPEG(5472, 3648, filepath.Join(work, "20mp.jpg")); err != nil {
		return nil, err
	}
	if ph.card, err = photoJPEG(1920, 1080, filepath.Join(work, "2mp.jpg")); err != nil {
		return nil, err
	}
	return ph, nil
}

// multipartBody is a render request with an article and a photo part,
// streamed from photo (which is not copied), with its length and content
// type.
func multipartBody(article string, photo []byte) (body io.Reader, length int64, ctype string) {
	const boundary = "hostile-bench-boundary-7f3a9c"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"article\"\r\nContent-Type: application/json\r\n\r\n" +
		article + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	return io.MultiReader(strings.NewReader(head), bytes.NewReader(photo), strings.NewReader(tail)),
		int64(len(head) + len(photo) + len(tail)), "multipart/form-data; boundary=" + boundary
}

// repeatReader yields n bytes of b repeated, without holding them.
type repeatReader struct {
	b    byte
	left int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.left))
	for i := range p[:n] {
		p[i] = r.b
	}
	r.left -= int64(n)
	return n, nil
}

// bigJSON is a JSON article whose summary makes the body size bytes long.
func bigJSON(size int64) (io.Reader, int64) {
	head, tail := `{"headline":"Hostile bench","summary":"`, `"}`
	n := size - int64(len(head)+len(tail))
	return io.MultiReader(strings.NewReader(head), &repeatReader{b: 'a', left: n}, strings.NewReader(tail)), size
}

// hookSignature signs a webhook body as the server expects.
func hookSignature(ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(hookSecret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", ts, hex.EncodeToString(mac.Sum(nil)))
}

// ---------------------------------------------------------------- table

func codesText(o outcome) string {
	if o.skipped != "" {
		return "skipped"
	}
	keys := make([]string, 0, len(o.codes))
	for k := range o.codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "no answer"
	}
	var parts []string
	for _, k := range keys {
		if o.codes[k] == 1 {
			parts = append(parts, k)
		} else {
			parts = append(parts, fmt.Sprintf("%d×%s", o.codes[k], k))
		}
	}
	return strings.Join(parts, " ")
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func timesText(o outcome) string {
	if len(o.times) == 0 {
		return "no answer"
	}
	return fmt.Sprintf("%s / %s", short(percentile(o.times, 0.5)), short(percentile(o.times, 1)))
}

func short(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func rssText(kb int64) string {
	if kb == 0 {
		return "?"
	}
	return fmt.Sprintf("%d MB", kb/1024)
}

// cell is one build's column of a row.
func cell(o outcome, ok bool) string {
	if !ok {
		return "not run"
	}
	if o.skipped != "" {
		return "skipped: " + o.skipped
	}
	s := fmt.Sprintf("%s; %s; %s", codesText(o), timesText(o), rssText(o.rssKB))
	if o.note != "" {
		s += "; " + o.note
	}
	return s
}

func ratio(b, n outcome, okB, okN bool) string {
	if !okB || !okN || b.rssKB == 0 || n.rssKB == 0 {
		return ""
	}
	s := fmt.Sprintf("RSS ×%.2f", float64(n.rssKB)/float64(b.rssKB))
	if len(b.times) > 0 && len(n.times) > 0 {
		s += fmt.Sprintf(", max time ×%.2f", percentile(n.times, 1).Seconds()/math.Max(1e-3, percentile(b.times, 1).Seconds()))
	}
	return s
}

func printTable(w io.Writer, picked []scenario, res map[string]map[string]outcome, o options, took time.Duration) {
	fmt.Fprintf(w, "| # | scenario | baseline: codes; time to answer p50 / max; peak RSS | now: same | now / baseline |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|\n")
	for _, s := range picked {
		b, okB := res["baseline"][s.id]
		n, okN := res["now"][s.id]
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", s.id, s.name, cell(b, okB), cell(n, okN), ratio(b, n, okB, okN))
	}
	fmt.Fprintf(w, "\n%d cores; codes are HTTP statuses or client-side failures (timeout, reset, closed); peak RSS is the server's VmHWM, a fresh process per scenario; %s in all.\n",
		numCPU(), took.Round(time.Second))
}

func numCPU() int {
	data := readFile("/proc/cpuinfo")
	return max(1, bytes.Count(data, []byte("\nprocessor"))+btoi(bytes.HasPrefix(data, []byte("processor"))))
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---------------------------------------------------------------- helpers for scenarios

// concurrently runs n calls of f at once and waits for them.
func concurrently(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); f(i) }()
	}
	wg.Wait()
}

// collector gathers answers from concurrent requests.
type collector struct {
	mu  sync.Mutex
	out outcome
}

func (c *collector) add(code string, d time.Duration, answered bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.add(code, d, answered)
}

// firstAt records the first time something happened, once.
type firstAt struct {
	once sync.Once
	d    atomic.Int64
}

func (f *firstAt) mark(d time.Duration) { f.once.Do(func() { f.d.Store(int64(d)) }) }

func (f *firstAt) text() string {
	if v := f.d.Load(); v > 0 {
		return short(time.Duration(v))
	}
	return "none"
}

// withTrace returns req with a trace that calls wrote when the request
// (headers and body) has been written.
func withTrace(req *http.Request, wrote func()) *http.Request {
	return req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote() },
	}))
}
