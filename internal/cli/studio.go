package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/sharecard/sharecard/layoutset"
	"github.com/sharecard/sharecard/lint"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/text"
	"github.com/sharecard/sharecard/samples"
	"github.com/sharecard/sharecard/studio"
)

func cmdStudio(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("studio", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "`host:port` to listen on (loopback by default: the studio is for your own machine)")
	dir := fs.String("layouts", "layouts", "layouts folder `DIR` to watch")
	sample := fs.String("article", "k1-air-base", "sample `name` from samples/, or the path of an article file")
	presets := fs.String("preset", "all", "preset `ids` to show (comma-separated), or all")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sharecard studio [flags]")
		fmt.Fprintln(stderr, "Live preview of the layouts in every preset; re-renders when a layout file is saved.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("studio takes no arguments, found %q (use --article)", fs.Arg(0))}
	}

	eng, err := newEngine(0)
	if err != nil {
		return err
	}
	// Samples that share a photo prepare it once, as the server does.
	eng.Photos = render.NewPhotoCache(defaultPhotoCacheMB << 20)
	fset := eng.Fonts
	all, current, err := studioSamples(*sample, true, stderr)
	if err != nil {
		return err
	}
	sm := all[current]
	gate, err := layoutGate(fset)
	if err != nil {
		return err
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		return fmt.Errorf("no layouts folder %q to watch: run the studio where layouts/ is (the repository) or pass --layouts DIR", *dir)
	}
	set, err := layoutset.Open(*dir, fset, gate)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchErr := make(chan error, 1)
	go func() { watchErr <- set.Watch(ctx) }()

	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	h, err := studio.New(studio.Config{
		Engine:  eng,
		Layouts: set, Samples: all, Sample: current,
		Presets: *presets, Prefix: "/studio/", Context: ctx, Logf: logf,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/studio/", h)
	mux.Handle("/{$}", http.RedirectHandler("/studio/", http.StatusFound))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (another studio running? try --addr 127.0.0.1:0)", *addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "studio: http://%s/studio/ (layouts from %s, sample %s); Ctrl-C to stop\n", ln.Addr(), *dir, sm.File)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case err := <-watchErr:
		if err != nil {
			_ = srv.Close()
			return err
		}
		<-ctx.Done()
	case <-ctx.Done():
	}
	// The event streams never end by themselves: close rather than wait.
	cancel()
	shut, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	_ = srv.Shutdown(shut)
	return nil
}

// studioSamples loads the samples the studio can switch between and names
// the one spec asks for, as [samples.Choose] does. With local, the samples
// are those of ./samples when there is such a folder (a sample that does
// not load is left out, with a warning on stderr); otherwise they are the
// copy built into the binary.
func studioSamples(spec string, local bool, stderr io.Writer) (map[string]*samples.Sample, string, error) {
	var fsys fs.FS = samples.FS
	if st, err := os.Stat("samples"); local && err == nil && st.IsDir() {
		fsys = os.DirFS("samples")
	}
	return samples.Choose(fsys, "samples", spec, func(name string, err error) {
		fmt.Fprintf(stderr, "studio: warning: sample %s left out: %v\n", name, err)
	})
}

// layoutGate is the check every layout passes before the studio or the
// server uses it: lint's rules that need no pixels, over the built-in
// samples.
func layoutGate(fset *text.FontSet) (func(*layout.Layout) []string, error) {
	smp, err := lint.DefaultSamples()
	if err != nil {
		return nil, fmt.Errorf("load the samples the layout check uses: %w", err)
	}
	return lint.Gate(fset, smp), nil
}
