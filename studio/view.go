package studio

import (
	"fmt"
	"image"
	"net/url"
	"strings"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/plan"
)

// stateView is state.json: everything the page shows. Field names are
// read by static/app.js.
type stateView struct {
	Want        uint64       `json:"want"`      // the latest generation asked for
	Gen         uint64       `json:"gen"`       // the generation of the newest images
	Rendering   bool         `json:"rendering"` // some images of want are not ready yet
	Error       string       `json:"error,omitempty"`
	Problems    []string     `json:"problems"`
	Layout      string       `json:"layout"`
	Layouts     []string     `json:"layouts"`
	Sample      string       `json:"sample"`  // the name of the sample shown
	Samples     []string     `json:"samples"` // the names of the samples to pick from, sorted
	Corpus      string       `json:"corpus"`  // the id of the corpus headline shown; "" for the sample's own
	Headlines   []corpusView `json:"headlines"`
	ArticleFile string       `json:"article_file"`
	Article     articleView  `json:"article"`
	Photo       bool         `json:"photo"`
	TookMS      int64        `json:"took_ms"`  // edit to every image ready, last finished generation
	FirstMS     int64        `json:"first_ms"` // edit to the standard presets ready
	Groups      []groupView  `json:"groups"`
	Presets     []presetView `json:"presets"`
}

// corpusView is one headline of the corpus the page offers.
type corpusView struct {
	ID    string `json:"id"`
	Lang  string `json:"lang"`
	Label string `json:"label"` // what the menu shows
	Note  string `json:"note"`
}

type articleView struct {
	Headline string              `json:"headline"`
	Lang     string              `json:"lang"`
	Section  string              `json:"section"`
	Caption  string              `json:"caption"`
	Byline   string              `json:"byline"`
	URL      string              `json:"url"`
	Site     string              `json:"site"`
	Focus    *article.FocusPoint `json:"focus"`
}

// groupView is one platform's presets, in page order.
type groupView struct {
	Platform string   `json:"platform"`
	Presets  []string `json:"presets"`
}

type presetView struct {
	ID        string   `json:"id"`
	Platform  string   `json:"platform"`
	Placement string   `json:"placement"`
	Width     int      `json:"width"`
	Height    int      `json:"height"`
	Image     string   `json:"image"` // "" until rendered
	Warnings  []string `json:"warnings"`
	// Fallbacks says how the card departs from its layout (a small photo
	// left out for a typographic card, a layer moved off a face, ...).
	Fallbacks []string `json:"fallbacks"`
	Overlay   *overlay `json:"overlay,omitempty"`
	// SourceCrop is the part of the photo shown, as fractions of the
	// photo's width and height: [x, y, w, h].
	SourceCrop *[4]float64 `json:"source_crop,omitempty"`
}

// overlay is the geometry of a plan, in canvas pixels, each rectangle as
// [x, y, w, h].
type overlay struct {
	Safe  [4]int    `json:"safe"`
	Crop  *[4]int   `json:"crop,omitempty"` // where the photo is drawn
	Boxes []boxView `json:"boxes"`
}

type boxView struct {
	Kind string  `json:"kind"`
	Box  [4]int  `json:"box"`
	Text *[4]int `json:"text,omitempty"` // the lines actually set, text layers
}

func xywh(r image.Rectangle) [4]int { return [4]int{r.Min.X, r.Min.Y, r.Dx(), r.Dy()} }

// view turns a snapshot into what the page reads.
func (s *studio) view(snap *snapshot) stateView {
	a := snap.article
	v := stateView{
		Want: snap.want, Gen: snap.gen, Rendering: snap.rendering, Error: snap.err,
		Problems: snap.problems, Layout: snap.layout, Layouts: snap.layouts,
		Sample: snap.shown.name, Samples: s.names, ArticleFile: snap.shown.sample.File, Photo: snap.shown.photos != nil,
		TookMS: snap.took.Milliseconds(), FirstMS: snap.first.Milliseconds(),
		Corpus: snap.corpus, Headlines: s.headlines(),
		Article: articleView{Headline: a.Headline, Lang: a.Lang, Section: a.Section, Caption: a.Caption, Byline: a.Byline,
			URL: a.URL, Site: siteOf(a.URL), Focus: a.Focus},
		Groups: []groupView{}, Presets: []presetView{},
	}
	if v.Problems == nil {
		v.Problems = []string{}
	}
	index := map[string]int{}
	for _, p := range snap.presets {
		g := platformGroup(p.Platform)
		i, ok := index[g]
		if !ok {
			i = len(v.Groups)
			index[g] = i
			v.Groups = append(v.Groups, groupView{Platform: g})
		}
		v.Groups[i].Presets = append(v.Groups[i].Presets, p.ID)
		pv := presetView{ID: p.ID, Platform: p.Platform, Placement: p.Placement, Width: p.Width, Height: p.Height, Warnings: []string{}, Fallbacks: []string{}}
		if o := snap.outs[p.ID]; o != nil {
			pv.Image = fmt.Sprintf("img/%s?v=%s", o.FileName(), o.SHA256[:16])
			pv.Warnings = append(pv.Warnings, o.Warnings...)
			if o.Plan != nil {
				pv.Fallbacks = append(pv.Fallbacks, o.Plan.Fallbacks...)
			}
			pv.Overlay = overlayOf(o.Plan)
			if sz, ok := snap.photoSize[p.ID]; ok && !o.Crop.Empty() && sz.X > 0 && sz.Y > 0 {
				c := o.Crop
				pv.SourceCrop = &[4]float64{float64(c.Min.X) / float64(sz.X), float64(c.Min.Y) / float64(sz.Y),
					float64(c.Dx()) / float64(sz.X), float64(c.Dy()) / float64(sz.Y)}
			}
		}
		v.Presets = append(v.Presets, pv)
	}
	return v
}

// overlayOf extracts the safe area, the photo's place and the text boxes
// of a plan.
func overlayOf(p *plan.Plan) *overlay {
	if p == nil {
		return nil
	}
	ov := &overlay{Safe: xywh(p.Safe), Boxes: []boxView{}}
	for i := range p.Layers {
		l := &p.Layers[i]
		switch l.Kind {
		case layout.LayerPhoto:
			if ov.Crop == nil && l.Crop != nil {
				r := xywh(l.Crop.Dst.Add(l.Box.Min).Intersect(l.Box))
				ov.Crop = &r
			}
		case layout.LayerText, layout.LayerBadge, layout.LayerImage:
			b := boxView{Kind: l.Kind.String(), Box: xywh(l.Box)}
			if l.Text != nil && len(l.Text.Lines) > 0 {
				r := xywh(l.TextRect())
				b.Text = &r
			}
			ov.Boxes = append(ov.Boxes, b)
		}
	}
	return ov
}

// platformGroup shortens a preset's platform to the name the page groups
// by: "Roku (Direct Publisher feed; ...)" is shown with "Roku".
func platformGroup(p string) string {
	if i := strings.Index(p, " ("); i > 0 {
		p = p[:i]
	}
	if p = strings.TrimSpace(p); p == "" {
		return "Other"
	}
	return p
}

// siteOf is the host a link preview shows for an article address.
func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// headlines lists the corpus for the page's menu: the language, the
// script and the start of the headline.
func (s *studio) headlines() []corpusView {
	out := make([]corpusView, 0, len(s.cfg.Corpus))
	for _, e := range s.cfg.Corpus {
		h := []rune(e.Headline)
		if len(h) > 48 {
			h = append(h[:47], '…')
		}
		out = append(out, corpusView{ID: e.ID, Lang: e.Lang, Note: e.Note,
			Label: fmt.Sprintf("%s (%s): %s", e.ID, e.Script, string(h))})
	}
	return out
}
