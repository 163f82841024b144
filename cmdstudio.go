package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sharecard/fonts"
	"sharecard/layoutset"
	"sharecard/lint"
	"sharecard/render"
	"sharecard/samples"
	"sharecard/studio"
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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("studio takes no arguments, found %q (use --article)", fs.Arg(0))}
	}

	fset, err := render.LoadFonts(fonts.FS)
	if err != nil {
		return fmt.Errorf("load fonts: %w", err)
	}
	finder, err := render.NewSubjectFinder()
	if err != nil {
		return fmt.Errorf("load face model: %w", err)
	}
	sm, err := studioSample(*sample)
	if err != nil {
		return err
	}
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
		Engine:  &render.Engine{Fonts: fset, Finder: finder},
		Layouts: set, Article: sm.Article, ArticleFile: sm.File, Photo: sm.Photo,
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

// studioSample loads the studio's article: a folder name of ./samples (the
// copy built into the binary when there is no such folder) or the path of
// an article file.
func studioSample(spec string) (*studio.Sample, error) {
	bare := !strings.ContainsAny(spec, `/\`) && filepath.Ext(spec) == ""
	if bare {
		if _, err := os.Stat(filepath.Join("samples", spec)); err != nil {
			if _, err := fs.Stat(samples.FS, spec); err != nil {
				return nil, fmt.Errorf("no sample %q: give an article file, or one of %s", spec, strings.Join(sampleNames(), ", "))
			}
			return studio.LoadSampleFS(samples.FS, spec, render.DefaultMaxBytes)
		}
	}
	return studio.LoadSample(spec, "samples", render.DefaultMaxBytes)
}

// layoutGate is the check every layout passes before the studio or the
// server uses it: lint's rules that need no pixels, over the built-in
// samples.
func layoutGate(fset *render.FontSet) (func(*render.Layout) []string, error) {
	smp, err := lint.DefaultSamples()
	if err != nil {
		return nil, fmt.Errorf("load the samples the layout check uses: %w", err)
	}
	return lint.Gate(fset, smp), nil
}

// sampleNames lists the samples built into the binary.
func sampleNames() []string {
	var names []string
	entries, _ := fs.ReadDir(samples.FS, ".")
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}
