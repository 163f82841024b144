// Package studio is the designers' live preview: a web page that shows a
// sample article in every preset of a layout, grouped by platform, and
// renders again when a layout file is saved or the sample's text is edited
// in the page. The page is plain HTML, CSS and JavaScript embedded in the
// binary.
package studio

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/layoutset"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/encode"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/publish"
	"github.com/sharecard/sharecard/samples"
)

// staticFiles are the page's files. static/mockups-demo.html is left out:
// it is a designer's demo opened from the checkout (it loads ../../out),
// not part of the page.
//
//go:embed static/index.html static/*.css static/*.js
var staticFiles embed.FS

// Config is what the studio shows and renders with.
type Config struct {
	// Engine renders the images; required. Without an encoding cache
	// (Encodings), the studio renders with a copy that has one of its own.
	Engine *render.Engine
	// Layouts is the live set of layouts; required. The studio renders again
	// after each of its reloads (run its Watch to follow saves).
	Layouts *layoutset.Set
	// Article is the sample shown first; required unless Sample names one
	// of Samples. The page's edits change a copy.
	Article *article.Article
	// ArticleFile names the sample in the page, e.g.
	// "samples/k1-air-base/article.yaml".
	ArticleFile string
	// Photo is the sample's encoded photo; nil when it has none.
	Photo []byte
	// Samples are the articles the page can switch to, by the name the
	// page shows (a folder name of samples/, or a file's path). The studio
	// only reads them.
	Samples map[string]*samples.Sample
	// Sample names the sample shown first. With Article nil it is taken
	// from Samples; with Article set, Article, ArticleFile and Photo are
	// listed under this name (ArticleFile when empty) beside Samples.
	Sample string
	// Corpus are the headlines the page can put on the sample, replacing
	// its headline, section, caption and language; nil means the headline
	// corpus, corpus.All().
	Corpus []corpus.Entry
	// Presets selects the presets shown, as preset.Select reads it;
	// "" means "all": every built-in preset and the layout's own.
	Presets string
	// Prefix is the URL path the handler is mounted at, with a slash at both
	// ends; "" means "/studio/".
	Prefix string
	// Context ends the studio's background work (rendering, following the
	// layout set) when done; nil means it runs as long as the process.
	Context context.Context
	// Logf, when not nil, receives one line per finished render with its
	// timings.
	Logf func(format string, args ...any)
}

// studio serves the page and its data.
type studio struct {
	cfg     Config
	prev    *previewer
	samples map[string]*samples.Sample
	names   []string // of samples, sorted
	photos  *photoShelf
}

// New starts rendering the sample and returns the handler of the studio's
// page and data, all under cfg.Prefix. The handler is safe for concurrent
// use; background work stops when cfg.Context is done.
//
// Routes, relative to the prefix: "" the page; "static/..." its files;
// "state.json" what the page shows; "events" a Server-Sent Events stream
// with one message per change; "img/<preset>.<ext>" the images; "photo"
// the sample photo, small; "edit" (POST) changes to the sample;
// "contact-sheet.png" every image on one sheet.
func New(cfg Config) (http.Handler, error) {
	if cfg.Engine == nil || cfg.Layouts == nil {
		return nil, errors.New("studio: Engine and Layouts are required")
	}
	all := make(map[string]*samples.Sample, len(cfg.Samples)+1)
	for n, sm := range cfg.Samples {
		if sm == nil || sm.Article == nil {
			return nil, fmt.Errorf("studio: sample %q has no article", n)
		}
		all[n] = sm
	}
	if cfg.Article == nil {
		sm := all[cfg.Sample]
		if sm == nil {
			return nil, fmt.Errorf("studio: no Article, and no sample %q among %s", cfg.Sample, strings.Join(slices.Sorted(maps.Keys(all)), ", "))
		}
		cfg.Article, cfg.ArticleFile, cfg.Photo = sm.Article, sm.File, sm.Photo
	} else {
		if cfg.Sample == "" {
			cfg.Sample = cfg.ArticleFile
		}
		if cfg.Sample == "" {
			cfg.Sample = "sample"
		}
		all[cfg.Sample] = &samples.Sample{Name: cfg.Sample, File: cfg.ArticleFile, Article: cfg.Article, Photo: cfg.Photo}
	}
	if cfg.Corpus == nil {
		cfg.Corpus = corpus.All()
	}
	if cfg.Presets == "" {
		cfg.Presets = "all"
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/studio/"
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("studio: prefix %q must start and end with a slash", cfg.Prefix)
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	var extra []preset.Preset
	for _, l := range cfg.Layouts.Layouts() {
		extra = append(extra, l.Presets...)
	}
	shown, err := preset.Select(cfg.Presets, extra)
	if err != nil {
		return nil, fmt.Errorf("studio: presets: %w", err)
	}
	if cfg.Engine.Encodings == nil {
		// Keep encodings across generations, sparing the canvases an edit
		// or a layout save left as they were, on the studio's own copy of
		// the engine (the caller's may be shared).
		eng := *cfg.Engine
		eng.Encodings = encode.NewCache(keepEncodedBytes)
		cfg.Engine = &eng
	}
	s := &studio{cfg: cfg, samples: all, names: slices.Sorted(maps.Keys(all)),
		photos: &photoShelf{ctx: cfg.Context, engine: cfg.Engine, logf: cfg.Logf, presets: shown}}
	photo, err := s.photos.get(cfg.Photo)
	if err != nil {
		return nil, fmt.Errorf("studio: photo of %s: %w", cfg.ArticleFile, err)
	}
	s.prev = newPreviewer(cfg, sampleSwitch{name: cfg.Sample, sample: all[cfg.Sample], photos: photo})
	s.prev.start()
	go s.follow()

	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /state.json", s.stateJSON)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /img/{file}", s.image)
	mux.HandleFunc("GET /photo", s.photo)
	mux.HandleFunc("POST /edit", s.edit)
	mux.HandleFunc("GET /contact-sheet.png", s.sheet)
	return http.StripPrefix(strings.TrimSuffix(cfg.Prefix, "/"), mux), nil
}

// follow renders again after every reload of the layout set.
func (s *studio) follow() {
	c, stop := s.cfg.Layouts.Subscribe()
	defer stop()
	for {
		select {
		case <-s.cfg.Context.Done():
			s.prev.mu.Lock()
			if s.prev.cancel != nil {
				s.prev.cancel()
			}
			s.prev.mu.Unlock()
			return
		case <-c:
			s.prev.layoutsChanged()
		}
	}
}

func (s *studio) page(w http.ResponseWriter, r *http.Request) {
	data, err := staticFiles.ReadFile("static/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(data)
}

func (s *studio) stateJSON(w http.ResponseWriter, r *http.Request) {
	snap, _ := s.prev.state()
	snap.encoded.once.Do(func() {
		data, err := json.Marshal(s.view(snap))
		if err != nil { // a stateView always encodes
			data = []byte(`{"error":` + strconv.Quote(err.Error()) + `}`)
		}
		snap.encoded.data = append(data, '\n')
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(snap.encoded.data)
}

// events streams one message per change of what the page shows; the page
// then reads state.json. The message's data is the generation asked for.
func (s *studio) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported here", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		snap, changed := s.prev.state()
		if _, err := fmt.Fprintf(w, "data: %d\n\n", snap.want); err != nil {
			return
		}
		fl.Flush()
		for waiting := true; waiting; {
			select {
			case <-r.Context().Done():
				return
			case <-s.cfg.Context.Done():
				return
			case <-ping.C:
				if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
					return
				}
				fl.Flush()
			case <-changed:
				waiting = false
			}
		}
	}
}

// image serves one preset's image of the latest generation from memory.
// The page asks for img/<preset>.<ext>?v=<hash>: a changed image gets a new
// address, an unchanged one stays in the browser's cache.
func (s *studio) image(w http.ResponseWriter, r *http.Request) {
	snap, _ := s.prev.state()
	file := r.PathValue("file")
	id := strings.TrimSuffix(file, "."+extOf(file))
	o := snap.outs[id]
	if o == nil {
		http.Error(w, fmt.Sprintf("no image for preset %q yet", id), http.StatusNotFound)
		return
	}
	if v := r.URL.Query().Get("v"); v != "" && strings.HasPrefix(o.SHA256, v) {
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.Header().Set("Content-Type", o.Format.MIMEType())
	w.Header().Set("ETag", `"`+o.SHA256+`"`)
	_, _ = w.Write(o.Data)
}

func extOf(file string) string {
	if i := strings.LastIndexByte(file, '.'); i >= 0 {
		return file[i+1:]
	}
	return ""
}

// photo serves the current sample's photo, small. The page asks for
// photo?sample=<name> so that switching samples changes the address.
func (s *studio) photo(w http.ResponseWriter, r *http.Request) {
	snap, _ := s.prev.state()
	if snap.shown.photos == nil {
		http.Error(w, "the sample has no photo", http.StatusNotFound)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(snap.shown.photos.thumb)
}

// edit applies the page's changes: a JSON object with any of sample,
// corpus, headline, section, caption, focus {x, y}, clear_focus and
// layout. A sample is switched to first, dropping the earlier edits of the
// text and focus; then corpus, the id of a corpus headline, puts that
// headline (with its section, caption and language) on the sample, or ""
// the sample's own back; the other fields then change the result.
func (s *studio) edit(w http.ResponseWriter, r *http.Request) {
	// Asking for JSON makes a browser check with the studio (CORS) before
	// another web site's page may post an edit, and the studio says no.
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		http.Error(w, "edit: send a JSON object with Content-Type: application/json", http.StatusUnsupportedMediaType)
		return
	}
	var e edits
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		http.Error(w, "edit: want a JSON object with sample, corpus, headline, section, caption, focus, clear_focus or layout: "+err.Error(), http.StatusBadRequest)
		return
	}
	var to *sampleSwitch
	if e.Sample != nil {
		sm := s.samples[*e.Sample]
		if sm == nil {
			http.Error(w, fmt.Sprintf("edit: no sample %q: pick one of %s", *e.Sample, strings.Join(s.names, ", ")), http.StatusBadRequest)
			return
		}
		photo, err := s.photos.get(sm.Photo)
		if err != nil {
			http.Error(w, fmt.Sprintf("edit: sample %q: photo of %s: %v", *e.Sample, sm.File, err), http.StatusUnprocessableEntity)
			return
		}
		to = &sampleSwitch{name: *e.Sample, sample: sm, photos: photo}
	}
	var entry *corpus.Entry
	if e.Corpus != nil && *e.Corpus != "" {
		i := slices.IndexFunc(s.cfg.Corpus, func(c corpus.Entry) bool { return c.ID == *e.Corpus })
		if i < 0 {
			http.Error(w, fmt.Sprintf("edit: no corpus headline %q (see %s)", *e.Corpus, corpus.File), http.StatusBadRequest)
			return
		}
		entry = &s.cfg.Corpus[i]
	}
	gen := s.prev.apply(e, to, entry)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, "{\"gen\":%d}\n", gen)
}

// sheet serves every image of the latest generation on one PNG.
func (s *studio) sheet(w http.ResponseWriter, r *http.Request) {
	snap, _ := s.prev.state()
	var outs []render.Output
	for _, p := range snap.presets {
		if o := snap.outs[p.ID]; o != nil {
			outs = append(outs, *o)
		}
	}
	if len(outs) == 0 {
		http.Error(w, "no images yet: wait for the render to finish", http.StatusServiceUnavailable)
		return
	}
	png, err := publish.ArticleContactSheet(&snap.article, snap.layout, outs, s.cfg.Engine.Fonts)
	if err != nil {
		http.Error(w, "contact sheet: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "contact-sheet-"+snap.layout+".png"))
	_, _ = w.Write(png)
}
