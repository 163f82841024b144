package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/term"

	"github.com/sharecard/sharecard/fetch"
	"github.com/sharecard/sharecard/internal/version"
	"github.com/sharecard/sharecard/jobs"
	"github.com/sharecard/sharecard/layoutset"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/server"
	"github.com/sharecard/sharecard/store"
	"github.com/sharecard/sharecard/studio"
)

// serveFlags are the settings of `sharecard serve`; each flag also reads
// a SHARECARD_* environment variable (the flag wins).
type serveFlags struct {
	addr, layoutDir, storeSpec, dataDir, natsURL, baseURL, allow string
	workers                                                      int
	maxMP, memoryMB, photoCacheMB                                int64
	studio                                                       bool
	drainDelay, drainTimeout                                     time.Duration
	jobRetryFor, callbackRetryFor                                time.Duration
	adminAddr, trustedProxies                                    string
	otel                                                         bool
	hooksFile                                                    string
	feeds                                                        serveFeedFlags // serve_feeds.go
}

// Defaults of the shutdown and retry settings of `sharecard serve`.
const (
	// defaultDrainDelay is how long a stopping server keeps serving as
	// before, /readyz answering 503, so load balancers stop sending it
	// traffic before it refuses renders.
	defaultDrainDelay = 5 * time.Second
	// defaultDrainTimeout bounds the wait for requests and jobs in flight
	// after the drain delay: longer than one request's deadline (60 s).
	defaultDrainTimeout = 90 * time.Second
)

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// defaultPhotoCacheMB is the default of --photo-cache: a 16-megapixel
// photo prepared for every preset takes about 60 MB, for one Open Graph
// card about 10 MB.
const defaultPhotoCacheMB = 256

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	// Read before the flags, whose defaults they are; the first bad one
	// stops serve.
	workers, err1 := envInt("SHARECARD_WORKERS", 0)
	maxMP, err2 := envInt("SHARECARD_MAX_MEGAPIXELS", 100)
	memoryMB, err3 := envInt("SHARECARD_MEMORY_BUDGET", 0)
	drainDelay, err4 := envDuration("SHARECARD_DRAIN_DELAY", defaultDrainDelay)
	drainTimeout, err5 := envDuration("SHARECARD_DRAIN_TIMEOUT", defaultDrainTimeout)
	jobRetryFor, err6 := envDuration("SHARECARD_JOB_RETRY_FOR", jobs.DefaultRetryFor)
	callbackRetryFor, err7 := envDuration("SHARECARD_CALLBACK_RETRY_FOR", jobs.DefaultCallbackRetryFor)
	photoCacheMB, err8 := envInt("SHARECARD_PHOTO_CACHE", defaultPhotoCacheMB)
	if err := cmp.Or(err1, err2, err3, err4, err5, err6, err7, err8); err != nil {
		return usageError{err.Error()}
	}
	fs.DurationVar(&f.drainDelay, "drain-delay", drainDelay, "on SIGTERM, keep serving this `long` with /readyz answering 503 so load balancers notice, before refusing new renders (SHARECARD_DRAIN_DELAY)")
	fs.DurationVar(&f.drainTimeout, "drain-timeout", drainTimeout, "after the drain delay, wait at most this `long` for requests and jobs in flight; keep it above the 60 s request deadline (SHARECARD_DRAIN_TIMEOUT)")
	fs.DurationVar(&f.jobRetryFor, "job-retry-for", jobRetryFor, "retry a webhook job that fails transiently (store down or full, photo host failing) for this `long` (SHARECARD_JOB_RETRY_FOR)")
	fs.DurationVar(&f.callbackRetryFor, "callback-retry-for", callbackRetryFor, "retry a job's callback for at most this `long` after the job is rendered (SHARECARD_CALLBACK_RETRY_FOR)")
	fs.StringVar(&f.addr, "addr", envOr("SHARECARD_ADDR", ":8080"), "listen `address` (SHARECARD_ADDR)")
	fs.BoolVar(&f.otel, "otel", envBool("SHARECARD_OTEL") || os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", "send OpenTelemetry traces by OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318); on when that variable is set (SHARECARD_OTEL=1)")
	fs.StringVar(&f.adminAddr, "admin-addr", envOr("SHARECARD_ADMIN_ADDR", ""), "serve /metrics, /openapi.json and the studio on this `address` only, beside /healthz and /readyz, not on --addr (SHARECARD_ADMIN_ADDR)")
	fs.StringVar(&f.trustedProxies, "trusted-proxies", envOr("SHARECARD_TRUSTED_PROXIES", ""), "comma-separated `CIDRs` of proxies whose X-Forwarded-For gives the client IP in the request log (SHARECARD_TRUSTED_PROXIES)")
	fs.StringVar(&f.layoutDir, "layouts", envOr("SHARECARD_LAYOUTS", "layouts"), "layouts `folder`; the built-in ones when it does not exist (SHARECARD_LAYOUTS)")
	fs.StringVar(&f.storeSpec, "store", envOr("SHARECARD_STORE", ""), "image store: a folder, or s3://bucket/prefix with AWS_* credentials (default: DATA/images) (SHARECARD_STORE)")
	fs.StringVar(&f.dataDir, "data", envOr("SHARECARD_DATA", "data"), "data `folder` for images and the job queue (SHARECARD_DATA)")
	fs.StringVar(&f.natsURL, "nats", envOr("SHARECARD_NATS", ""), "external NATS `URL` shared by replicas (default: embedded) (SHARECARD_NATS)")
	fs.StringVar(&f.baseURL, "base-url", envOr("SHARECARD_BASE_URL", ""), "public `URL` of this service, for image URLs in manifests (SHARECARD_BASE_URL)")
	fs.StringVar(&f.hooksFile, "hooks", envOr("SHARECARD_HOOKS", ""), "webhook sources `file` (hooks.yaml: scheme, secrets, field mappings, filters, callbacks); sources it does not name keep SHARECARD_HOOK_SECRET_<SOURCE> (SHARECARD_HOOKS)")
	fs.StringVar(&f.allow, "allow-nets", envOr("SHARECARD_ALLOW_NETS", ""), "comma-separated `CIDRs` photo URLs may resolve to although private (SHARECARD_ALLOW_NETS)")
	fs.IntVar(&f.workers, "workers", workers, "renders at once (default: one per CPU) (SHARECARD_WORKERS)")
	fs.Int64Var(&f.maxMP, "max-megapixels", int64(maxMP), "refuse photos larger than `N` megapixels (SHARECARD_MAX_MEGAPIXELS)")
	fs.Int64Var(&f.memoryMB, "memory-budget", int64(memoryMB), "MiB the photo decodes in progress may take together; a photo needing more waits, one needing more than all of it is refused (default: half of GOMEMLIMIT, else 768) (SHARECARD_MEMORY_BUDGET)")
	fs.Int64Var(&f.photoCacheMB, "photo-cache", int64(photoCacheMB), "MiB of prepared photos (decoded, shrunk, subjects found) kept for later cards of the same photo, so they skip decoding; 0 keeps none (SHARECARD_PHOTO_CACHE)")
	fs.BoolVar(&f.studio, "studio", envBool("SHARECARD_STUDIO"), "also serve the designers' studio at /studio/ (needs a --layouts folder; the studio renders on demand, so keep it off on public servers) (SHARECARD_STUDIO=1)")
	if err := addFeedFlags(fs, &f.feeds); err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := f.feeds.check(); err != nil {
		return err
	}
	log := newLogger(stderr)
	b, err := buildServer(ctx, f, log)
	if err != nil {
		return err
	}
	defer func() { // last, to send the spans of the drain
		tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.stopTracing(tctx); err != nil {
			log.Warn("tracing: the last spans were not sent", "err", err)
		}
	}()
	srv, queue := b.srv, b.queue
	// Feeds are polled until shutdown starts.
	stopFeeds := startFeedWatch(ctx, srv, f, b.reg, log)
	defer stopFeeds()
	// Webhook jobs run in the background, here and in any other replica
	// sharing the NATS server; their callbacks on workers of their own.
	runCtx, stopRun := context.WithCancel(context.Background())
	defer stopRun()
	go func() {
		if err := queue.RunTasks(runCtx, srv.JobTask); err != nil && runCtx.Err() == nil {
			log.Error("job runner stopped", "err", err)
		}
	}()
	go func() {
		if err := queue.RunCallbacks(runCtx, srv.DeliverCallback); err != nil && runCtx.Err() == nil {
			log.Error("callback runner stopped", "err", err)
		}
	}()
	if l, ok := b.store.(*store.Local); ok {
		go func() {
			if n, err := l.RemoveOrphans(runCtx, 0); err != nil {
				log.Warn("store: removing orphaned temporary files failed", "err", err)
			} else if n > 0 {
				log.Info("store: removed temporary files left by a killed process", "files", n, "dir", l.Dir())
			}
		}()
	}
	// With --admin-addr, the admin routes and the studio leave --addr.
	var handler, admin http.Handler = srv, srv.Admin()
	studioOn := &handler
	if f.adminAddr != "" {
		handler, studioOn = srv.Public(), &admin
	}
	if b.layouts != nil {
		watchLayouts(runCtx, b.layouts, log)
		if f.studio {
			if *studioOn, err = withStudio(runCtx, *studioOn, b, log); err != nil {
				return err
			}
		}
	}

	hs := &http.Server{Addr: f.addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	errc := make(chan error, 2)
	adminAt := ""
	if f.adminAddr != "" {
		aln, err := net.Listen("tcp", f.adminAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on --admin-addr %s: %w", f.adminAddr, err)
		}
		ahs := &http.Server{Handler: admin, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		defer ahs.Close() // after the drain, so /metrics and /readyz watch it
		go func() { errc <- fmt.Errorf("admin listener: %w", ahs.Serve(aln)) }()
		adminAt = aln.Addr().String()
	}
	log.Info("sharecard serving", append([]any{"addr", ln.Addr().String(), "admin_addr", adminAt, "data", f.dataDir}, startupAttrs(f, srv)...)...)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stopFeeds()
	return shutdown(hs, srv, queue, stopRun, f, log)
}

// startupAttrs are the startup line's facts: version, store, NATS mode
// and layouts (a NATS URL's password is redacted).
func startupAttrs(f serveFlags, srv *server.Server) []any {
	bi := version.Get()
	storeSpec := cmp.Or(f.storeSpec, filepath.Join(f.dataDir, "images"))
	nats := "embedded"
	if f.natsURL != "" {
		nats = "external"
		if u, err := url.Parse(f.natsURL); err == nil {
			nats += " " + u.Redacted()
		}
	}
	return []any{"version", bi.Version, "commit", bi.Short(), "go", bi.Go, "store", storeSpec, "nats", nats, "layouts", srv.LayoutNames(), "otel", f.otel}
}

// shutdown stops a serving server gracefully (SIGTERM):
//
//  1. /readyz answers 503 "draining" while everything is served as before,
//     for --drain-delay, so load balancers stop sending traffic; this
//     process stops taking new webhook jobs (webhooks are still accepted).
//  2. No new render is admitted, and renders waiting for a worker are
//     answered 503 with Retry-After; renders running and requests already
//     sending their body or downloading their photo go on. The listener
//     stays open until they are done (cached images are still served).
//  3. The HTTP server shuts down, and the jobs running finish. Steps 2 and
//     3 together take at most --drain-timeout; past it, connections are
//     closed and unfinished jobs go back to the queue.
//
// It returns nil (exit status 0) in every case: a drain cut short is logged.
func shutdown(hs *http.Server, srv *server.Server, queue *jobs.Queue, stopRun func(), f serveFlags, log *slog.Logger) error {
	log.Info("shutting down: draining requests", "drain_delay", f.drainDelay.String(), "drain_timeout", f.drainTimeout.String())
	srv.MarkDraining()
	jobsDone := make(chan error, 1)
	go func() { jobsDone <- queue.Stop(context.Background()) }()
	if f.drainDelay > 0 {
		t := time.NewTimer(f.drainDelay)
		<-t.C
	}
	idle := srv.Drain()
	dctx, cancel := context.WithTimeout(context.Background(), f.drainTimeout)
	defer cancel()
	select {
	case <-idle:
	case <-dctx.Done():
	}
	if err := hs.Shutdown(dctx); err != nil {
		log.Error("shutting down: the drain timeout passed with requests in flight; closing their connections", "drain_timeout", f.drainTimeout.String(), "err", err)
		_ = hs.Close()
	}
	log.Info("shutting down: finishing running jobs")
	select {
	case <-jobsDone:
	case <-dctx.Done():
		log.Error("shutting down: the drain timeout passed with jobs running; they go back to the queue", "drain_timeout", f.drainTimeout.String())
		stopRun()
		<-jobsDone
	}
	if err := queue.Close(); err != nil {
		log.Error("shutting down: closing the job queue", "err", err)
	}
	log.Info("stopped")
	return nil
}

// built is what buildServer wires together.
type built struct {
	srv     *server.Server
	queue   *jobs.Queue
	store   store.Store
	engine  *render.Engine
	layouts *layoutset.Set // nil with the built-in layouts, which never change
	reg     *prometheus.Registry
	// stopTracing flushes and stops the tracer (a no-op without --otel).
	stopTracing func(context.Context) error
}

// buildServer wires the engine, layouts, store, fetcher and job queue into
// a server. A layouts folder is watched: every saved layout passes the
// same checks as `sharecard lint`'s safe-area and fit rules before it is
// used, and a refused one leaves the last good version in service.
func buildServer(ctx context.Context, f serveFlags, log *slog.Logger) (*built, error) {
	layoutDir := f.layoutDir
	if st, err := os.Stat(layoutDir); err != nil || !st.IsDir() {
		layoutDir = ""
	}
	if f.studio && layoutDir == "" {
		return nil, usageError{fmt.Sprintf("--studio needs a layouts folder to watch; %q does not exist (set --layouts)", f.layoutDir)}
	}
	var (
		eng     *render.Engine
		set     *layoutset.Set
		current server.Layouts
		err     error
	)
	if layoutDir == "" {
		// The built-in layouts never change (and their tests lint them).
		var lays map[string]*layout.Layout
		if eng, lays, err = setup("", f.maxMP); err != nil {
			return nil, err
		}
		current = func() map[string]*layout.Layout { return lays }
	} else {
		if eng, err = newEngine(f.maxMP); err != nil {
			return nil, err
		}
		gate, err := layoutGate(eng.Fonts)
		if err != nil {
			return nil, err
		}
		if set, err = layoutset.Open(layoutDir, eng.Fonts, gate); err != nil {
			return nil, err
		}
		if p := set.Problems(); len(p) > 0 {
			return nil, fmt.Errorf("layouts fail their checks (run sharecard lint):\n%s", strings.Join(p, "\n"))
		}
		if len(set.Layouts()) == 0 {
			return nil, fmt.Errorf("no layout files (*.yaml) in %s", layoutDir)
		}
		current = set.Layouts
	}
	if f.memoryMB < 0 {
		return nil, usageError{"--memory-budget: want MiB of 0 (the default) or more"}
	}
	eng.MemoryBudget = f.memoryMB << 20
	if f.photoCacheMB < 0 {
		return nil, usageError{"--photo-cache: want MiB of 0 (none) or more"}
	}
	if f.photoCacheMB > 0 {
		eng.Photos = render.NewPhotoCache(f.photoCacheMB << 20)
	}
	// The data folder (images, the job queue) is made on first start.
	if err := os.MkdirAll(f.dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("--data %s: %w; give a folder sharecard can create and write", f.dataDir, err)
	}
	st, err := store.Open(ctx, f.storeSpec, f.dataDir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var allow []netip.Prefix
	for _, s := range strings.Split(f.allow, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--allow-nets: %q is not a CIDR such as 127.0.0.0/8", s)}
		}
		allow = append(allow, p)
	}
	hookKeys, err := hookSecrets()
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cfg := server.Config{
		Workers: f.workers, BaseURL: strings.TrimSuffix(f.baseURL, "/"),
		SignKey:         []byte(os.Getenv("SHARECARD_SIGN_KEY")),
		SignKeyPrevious: []byte(os.Getenv("SHARECARD_SIGN_KEY_PREVIOUS")),
		HookSecrets:     hookKeys,
		HookCallbacks:   envByPrefix("SHARECARD_HOOK_CALLBACK_"),
		Limits:          photo.Limits{MaxPixels: f.maxMP * 1_000_000},
	}
	if cfg.TrustedProxies, err = server.ParseTrustedProxies(f.trustedProxies); err != nil {
		return nil, usageError{"--trusted-proxies: " + err.Error()}
	}
	if f.hooksFile != "" {
		if cfg.Hooks, err = server.LoadHooks(f.hooksFile, os.Getenv); err != nil {
			return nil, fmt.Errorf("--hooks: %w", err)
		}
	}
	queue, err := jobs.Open(ctx, jobs.Config{URL: f.natsURL, DataDir: filepath.Join(f.dataDir, "nats"), Workers: max(1, f.workers/2), Logger: log,
		RetryFor: f.jobRetryFor, CallbackRetryFor: f.callbackRetryFor})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	deps := server.Deps{
		Engine: eng, Layouts: current,
		Store: st, Fetcher: fetch.New(fetch.Config{Allow: allow, AllowHint: "--allow-nets (SHARECARD_ALLOW_NETS)"}), Queue: queue, Logger: log, Registry: reg,
	}
	stopTracing := func(context.Context) error { return nil }
	if f.otel {
		if deps.TracerProvider, stopTracing, err = server.NewTracerProvider(ctx, version.Get().Version); err != nil {
			queue.Close()
			return nil, fmt.Errorf("--otel: %w", err)
		}
	}
	srv, err := server.New(cfg, deps)
	if err != nil {
		queue.Close()
		return nil, err
	}
	return &built{srv: srv, queue: queue, store: st, engine: eng, layouts: set, reg: reg, stopTracing: stopTracing}, nil
}

// watchLayouts reloads the layouts folder as files are saved, and logs
// each reload and every layout it refused, until ctx ends.
func watchLayouts(ctx context.Context, set *layoutset.Set, log *slog.Logger) {
	changes, unsubscribe := set.Subscribe()
	go func() {
		defer unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case <-changes:
				problems := set.Problems()
				for _, p := range problems {
					log.Error("layout refused; the last good version stays in use", "problem", p)
				}
				log.Info("layouts reloaded", "layouts", layout.Names(set.Layouts()), "refused", len(problems))
			}
		}
	}()
	go func() {
		if err := set.Watch(ctx); err != nil && ctx.Err() == nil {
			log.Error("layouts folder no longer watched", "dir", set.Dir(), "err", err)
		}
	}()
}

// withStudio serves the designers' studio at /studio/ beside the API.
func withStudio(ctx context.Context, api http.Handler, b *built, log *slog.Logger) (http.Handler, error) {
	all, current, err := studioSamples("k1-air-base", false, io.Discard)
	if err != nil {
		return nil, err
	}
	h, err := studio.New(studio.Config{
		Engine: b.engine, Layouts: b.layouts, Samples: all, Sample: current,
		Prefix: "/studio/", Context: ctx,
		Logf: func(format string, args ...any) { log.Info(fmt.Sprintf(format, args...)) },
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/studio/", h)
	mux.Handle("/", api)
	log.Info("studio enabled", "path", "/studio/")
	return mux, nil
}

// envByPrefix returns the non-empty variables named prefix+SOURCE, keyed
// by the lower-case source name (SHARECARD_HOOK_SECRET_GHOST -> "ghost").
func envByPrefix(prefix string) map[string]string {
	out := map[string]string{}
	for _, kv := range os.Environ() {
		name, val, _ := strings.Cut(kv, "=")
		if src, ok := strings.CutPrefix(name, prefix); ok && val != "" {
			out[strings.ToLower(src)] = val
		}
	}
	return out
}

// hookSecrets reads SHARECARD_HOOK_SECRET_<SOURCE> variables. A
// "whsec_<base64>" value is decoded as in hooks.yaml, so a secret means
// the same key wherever it is set.
func hookSecrets() (map[string][]byte, error) {
	out := map[string][]byte{}
	for src, v := range envByPrefix("SHARECARD_HOOK_SECRET_") {
		key, err := server.DecodeSecret(v)
		if err != nil {
			return nil, usageError{fmt.Sprintf("SHARECARD_HOOK_SECRET_%s: %v", strings.ToUpper(src), err)}
		}
		out[src] = key
	}
	return out, nil
}

// envInt reads a whole number of zero or more from the environment
// variable name, def when it is unset or empty; anything else is an error
// that names the variable, so a typo does not start the service with a
// default nobody asked for.
func envInt(name string, def int) (int, error) {
	return envNumber(name, def, strconv.Atoi, "a whole number of 0 or more")
}

// envDuration reads a Go duration ("90s", "5m", "1h30m") of zero or more
// from the environment variable name, like envInt.
func envDuration(name string, def time.Duration) (time.Duration, error) {
	return envNumber(name, def, time.ParseDuration, "a duration such as 90s, 5m or 6h")
}

// envNumber reads a value of zero or more with parse from the environment
// variable name, def when it is unset or empty; anything else is an error
// naming the variable and saying what is wanted.
func envNumber[T int | time.Duration](name string, def T, parse func(string) (T, error), want string) (T, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := parse(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want %s", name, os.Getenv(name), want)
	}
	return n, nil
}

// newLogger logs text on a terminal and JSON otherwise.
func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// cmdSign prints a signed card URL.
func cmdSign(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base-url", envOr("SHARECARD_BASE_URL", "http://localhost:8080"), "public `URL` of the service")
	layoutName := fs.String("layout", "standard", "layout `name`")
	presetID := fs.String("preset", "og", "preset `id`")
	format := fs.String("format", "jpeg", "jpeg, png or webp")
	verify := fs.String("verify", "", "check the signature of a card `URL` instead, printing the string the server expects signed")
	params := map[string]*string{}
	for _, p := range server.CardParams() {
		params[p] = fs.String(p, "", "card "+p)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *verify != "" {
		return verifyCardURL(*verify, stdout)
	}
	key := os.Getenv("SHARECARD_SIGN_KEY")
	if key == "" {
		return errors.New("set SHARECARD_SIGN_KEY to the key the server uses")
	}
	if *params["headline"] == "" {
		return usageError{"sign needs --headline"}
	}
	ff, err := preset.ParseFormat(*format)
	if err != nil {
		return usageError{"--format: " + err.Error()}
	}
	q := url.Values{}
	for k, v := range params {
		if *v != "" {
			q.Set(k, *v)
		}
	}
	fmt.Fprintln(stdout, server.SignCardURL([]byte(key), *base, *layoutName, *presetID, ff, q))
	return nil
}

// envBool reads a boolean variable: 1, true, yes or on (any case) is true.
func envBool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
