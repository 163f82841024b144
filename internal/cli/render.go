package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/term"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/publish"
)

type renderFlags struct {
	out       string
	presets   string
	layout    string
	format    string
	layoutDir string
	maxMP     int64
	baseURL   string
	timings   bool
	sheet     bool
	allowTofu bool
	feed      string // --feed FILE|URL (render_feed.go)
	feedOG    bool
	allowNets string
}

func cmdRender(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f renderFlags
	fs.StringVar(&f.out, "out", "out", "folder to write `DIR`/<slug>/ into")
	fs.StringVar(&f.presets, "preset", "", "comma-separated preset `ids`, or all (default: the standard set; see sharecard presets)")
	fs.StringVar(&f.layout, "layout", "", "layout `name` (default: the article's layout, else standard)")
	fs.StringVar(&f.format, "format", "", "output `format` for every image: jpeg, png or webp (default: per preset)")
	fs.StringVar(&f.layoutDir, "layouts", "", "read layouts from `DIR` instead of the built-in ones")
	fs.Int64Var(&f.maxMP, "max-megapixels", 100, "refuse photos larger than `N` megapixels")
	fs.StringVar(&f.baseURL, "base-url", "", "public `URL` of the --out folder: meta.html links URL/<slug>/<file> (default: relative links)")
	fs.BoolVar(&f.timings, "timings", false, "print the time spent in each stage per article on stderr")
	fs.BoolVar(&f.sheet, "contact-sheet", false, "also write "+contactSheetName+", every image on one page for review")
	fs.BoolVar(&f.allowTofu, "allow-missing-glyphs", false, "render text with characters no font has, drawn as boxes, with a warning (default: such an article fails)")
	fs.StringVar(&f.feed, "feed", "", "render every item of the RSS 2.0, Atom or JSON Feed at `FILE|URL` instead of article files")
	fs.BoolVar(&f.feedOG, "feed-og-image", false, "with --feed, read the og:image of the page of an item that carries no image")
	fs.StringVar(&f.allowNets, "allow-nets", "", "with --feed, comma-separated `CIDRs` the feed, pages and photos may resolve to although private")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sharecard render [flags] ARTICLE|FOLDER...")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.feed != "" && fs.NArg() > 0 {
		return usageError{"render takes either --feed or article files, not both"}
	}
	if fs.NArg() == 0 && f.feed == "" {
		return usageError{"render needs at least one article file or folder (or --feed FILE|URL)"}
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercentFor(f.presets))
	}
	var format preset.Format
	if f.format != "" {
		var err error
		if format, err = preset.ParseFormat(f.format); err != nil {
			return usageError{"--format: " + err.Error()}
		}
	}
	if f.feed != "" {
		return cmdRenderFeed(ctx, f, format, stdout, stderr)
	}
	files, err := articleFiles(fs.Args())
	if err != nil {
		return err
	}
	eng, lays, err := startRun(f, stderr)
	if err != nil {
		return err
	}

	prog := newProgress(stdout, len(files))
	var (
		mu     sync.Mutex
		failed int
		slugs  publish.Slugs
	)
	g, gctx := errgroup.WithContext(ctx)
	// Articles run side by side; each also renders its presets in parallel,
	// so a small limit keeps both cores busy without piling up memory.
	g.SetLimit(max(1, runtime.GOMAXPROCS(0)/2))
	for _, file := range files {
		g.Go(func() error {
			res, err := renderArticle(gctx, eng, lays, file, f, format, &slugs)
			mu.Lock()
			defer mu.Unlock()
			prog.clear()
			if err != nil {
				failed++
				fmt.Fprintln(stderr, withPath(displayName(file), err))
			} else {
				for _, w := range res.warnings {
					fmt.Fprintf(stderr, "%s: warning: %s\n", displayName(file), w)
				}
				if !prog.tty {
					fmt.Fprintf(stdout, "%s -> %s (%d images)\n", displayName(file), res.dir, res.images)
					if res.sheet != "" {
						fmt.Fprintf(stdout, "%s -> %s\n", displayName(file), res.sheet)
					}
				}
				if f.timings {
					t := res.timings
					fmt.Fprintf(stderr, "%s: timings: decode %v, resample %v, detect %v, plan %v, draw %v, encode %v (per-preset stages summed over workers), total %v\n",
						file, ms(t.Decode), ms(t.Resample), ms(t.Detect), ms(t.Plan), ms(t.Draw), ms(t.Encode), ms(t.Total))
				}
			}
			prog.step(file)
			return nil
		})
	}
	_ = g.Wait()
	prog.done()
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "sharecard: %d of %d articles failed\n", failed, len(files))
		return errReported
	}
	return nil
}

// gcPercentFor is the garbage collector's target (GOGC) for rendering
// the presets of spec, when the GOGC environment variable sets none.
// Nearly all of a render's heap is pixels, which hold no pointers, so a
// collection costs little: a set of large canvases collects at 25 %
// growth rather than Go's 100 %, which keeps the peak memory of the
// standard set about 60 MB lower for a few percent more CPU time. A few
// small cards keep Go's default: their heap stays small, and collecting
// it every quarter of growth from a few megabytes up would cost them a
// fifth of their time (bench/render.sh).
func gcPercentFor(spec string) int {
	ps, err := preset.Select(spec, nil)
	if err != nil {
		return renderGCPercent // the run reports the error
	}
	var px int
	for _, p := range ps {
		px += p.Width * p.Height
	}
	if px < smallJobPixels {
		return 100
	}
	return renderGCPercent
}

// renderGCPercent is the garbage collector's target for a render of
// large canvases (see gcPercentFor); smallJobPixels is the most canvas
// pixels a render keeps Go's default for (five Open Graph cards).
const (
	renderGCPercent = 25
	smallJobPixels  = 4_000_000
)

// newEngine loads the built-in fonts and the face model into an engine
// that refuses photos over maxMP megapixels (0: no limit).
func newEngine(maxMP int64) (*render.Engine, error) {
	eng, err := render.NewEngine(fonts.FS)
	if err != nil {
		return nil, err
	}
	eng.Limits = photo.Limits{MaxPixels: maxMP * 1_000_000}
	return eng, nil
}

// setup loads fonts, the face model and the layouts.
func setup(layoutDir string, maxMP int64) (*render.Engine, map[string]*layout.Layout, error) {
	eng, err := newEngine(maxMP)
	if err != nil {
		return nil, nil, err
	}
	fset := eng.Fonts
	var lfs fs.FS = layouts.FS
	dir := "layouts"
	if layoutDir != "" {
		lfs, dir = os.DirFS(layoutDir), layoutDir
	}
	lays, err := layout.Load(lfs, dir, fset)
	if err != nil {
		return nil, nil, fmt.Errorf("layouts:\n%w", err)
	}
	return eng, lays, nil
}

type articleResult struct {
	dir      string
	images   int
	warnings []string
	timings  render.Timings
	sheet    string // path of the contact sheet, if one was written
}

func renderArticle(ctx context.Context, eng *render.Engine, lays map[string]*layout.Layout, file string, f renderFlags, format preset.Format, slugs *publish.Slugs) (*articleResult, error) {
	var (
		a   *article.Article
		ph  []byte
		err error
	)
	if file == "-" {
		// A relative photo path is read from the working folder.
		a, ph, err = article.LoadReader(stdin, "standard input", ".", maxStdinArticle, photo.DefaultMaxBytes)
	} else {
		a, ph, err = article.LoadFile(file, photo.DefaultMaxBytes)
	}
	if err != nil {
		return nil, err
	}
	return renderMapped(ctx, eng, lays, a, ph, file, f, format, slugs)
}

// startRun is what a render run (of articles or of a feed) does before
// its first article: load the engine and layouts, refuse a --preset id no
// layout knows (a mistake in the command, said once, not once per
// article), and remove the unfinished article folders a killed run left
// under temporary names in --out.
func startRun(f renderFlags, stderr io.Writer) (*render.Engine, map[string]*layout.Layout, error) {
	eng, lays, err := setup(f.layoutDir, f.maxMP)
	if err != nil {
		return nil, nil, err
	}
	var extra []preset.Preset
	for _, l := range lays {
		extra = append(extra, l.Presets...)
	}
	if _, err := preset.Select(f.presets, extra); err != nil {
		return nil, nil, usageError{"--preset: " + err.Error()}
	}
	removed, err := publish.RemoveStale(f.out)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range removed {
		fmt.Fprintf(stderr, "removed %s, left unfinished by an earlier run\n", filepath.Join(f.out, name))
	}
	return eng, lays, nil
}

// contactSheetName is the file --contact-sheet writes next to the images.
const contactSheetName = "contact-sheet.png"

// stdin is where "-" reads an article from (a variable for tests).
var stdin io.Reader = os.Stdin

// maxStdinArticle caps an article read from standard input.
const maxStdinArticle = 1 << 20

// articleFiles expands the arguments of render into article files: a file
// as typed, a folder's *.yaml, *.yml and *.json files, and "-" (standard
// input) at most once.
func articleFiles(args []string) ([]string, error) {
	var out []string
	stdinSeen := false
	for _, a := range args {
		if a == "-" {
			if stdinSeen {
				return nil, usageError{"\"-\" (the article on standard input) may be given once"}
			}
			stdinSeen = true
			out = append(out, a)
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("article %s: %w", a, unwrapPath(err))
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() {
					found = append(found, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read folder %s: %w", a, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("folder %s holds no article files (*.yaml, *.yml, *.json)", a)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// progress draws a one-line progress bar on a terminal and nothing otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	total int
	n     int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
		p.draw("")
	}
	return p
}

func (p *progress) step(name string) {
	p.n++
	p.draw(filepath.Base(filepath.Dir(name)) + "/" + filepath.Base(name))
}

func (p *progress) draw(label string) {
	if !p.tty {
		return
	}
	const width = 30
	filled := width * p.n / max(p.total, 1)
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d %s", strings.Repeat("#", filled), strings.Repeat("-", width-filled), p.n, p.total, label)
}

func (p *progress) clear() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func (p *progress) done() {
	if p.tty {
		p.clear()
		fmt.Fprintf(p.w, "rendered %d article(s)\n", p.total)
	}
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

// displayName is how messages name an article argument.
func displayName(file string) string {
	if file == "-" {
		return "standard input"
	}
	return file
}

// withPath prefixes an error with the article's name, unless the message
// already starts with it (parse errors carry "file:line:col").
func withPath(name string, err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, name+":") || strings.HasPrefix(msg, name+" ") {
		return msg
	}
	return name + ": " + msg
}
