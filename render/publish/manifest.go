package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
)

// Manifest lists the images rendered for one article; the CLI writes it as
// manifest.json and the server returns it. Field names are a contract.
type Manifest struct {
	Article *article.Article `json:"article"`
	Layout  string           `json:"layout"`
	Engine  string           `json:"engine"`
	Photo   *photo.Meta      `json:"photo,omitempty"`
	Images  []ManifestImage  `json:"images"`
	// Warnings lists every warning of the article's images once, with the
	// presets it concerns: a notice that holds for every preset (a
	// fallback font, a headline shrunk everywhere) is said here once, and
	// not in each image's warnings.
	Warnings []Warning `json:"warnings,omitempty"`
}

// ManifestImage describes one rendered file.
type ManifestImage struct {
	Preset string        `json:"preset"`
	File   string        `json:"file"`
	URL    string        `json:"url,omitempty"` // where the HTTP service serves it
	Width  int           `json:"width"`
	Height int           `json:"height"`
	Format preset.Format `json:"format"`
	Bytes  int           `json:"bytes"`
	SHA256 string        `json:"sha256"`
	Crop   *photo.Box    `json:"crop,omitempty"`
	// Purpose is what the image is for: "card" (text on the photo),
	// "clean" (the photo and at most a small logo) or "identity" (logo).
	Purpose string `json:"purpose,omitempty"`
	// Variant is the layout variant drawn.
	Variant string `json:"variant,omitempty"`
	// Placements names, by layer (its layout file:line), where a layer
	// with alternative placements went, when not at its first box.
	Placements map[string]string `json:"placements,omitempty"`
	// Fallbacks says how the image departs from the layout's plan for a
	// typical photo: a small photo set as an inset or left out for a
	// typographic card, an enlargement, side pillars, a strip dropped
	// over a face.
	Fallbacks []string `json:"fallbacks,omitempty"`
	Alt       string   `json:"alt"`
	// Warnings are the warnings of this image that not every image of the
	// article has; those of every image are in Manifest.Warnings.
	Warnings []string `json:"warnings"`
}

// New builds the manifest of a result.
func New(a *article.Article, layout string, res *render.Result) *Manifest {
	if res.Photo != nil && len(res.Photo.ArticleFields) > 0 {
		// The article as rendered: the fields it lacked, taken from the
		// photo (res.Photo.ArticleFields says from which tags).
		filled := *a
		for k, f := range res.Photo.ArticleFields {
			switch k {
			case "credit":
				filled.Credit = f.Value
			case "caption":
				filled.Caption = f.Value
			}
		}
		a = &filled
	}
	m := &Manifest{Article: a, Layout: layout, Engine: render.Version, Photo: res.Photo, Images: []ManifestImage{}}
	m.Warnings = Warnings(res.Outputs)
	everywhere := map[string]bool{}
	for _, w := range m.Warnings {
		everywhere[w.Text] = w.All && len(res.Outputs) > 1
	}
	for i := range res.Outputs {
		o := &res.Outputs[i]
		img := ManifestImage{
			Preset: o.Preset.ID, File: o.FileName(), Width: o.Width, Height: o.Height,
			Format: o.Format, Bytes: len(o.Data), SHA256: o.SHA256, Alt: o.Alt,
			Warnings: []string{},
		}
		for _, w := range o.Warnings {
			if !everywhere[w] {
				img.Warnings = append(img.Warnings, w)
			}
		}
		if !o.Crop.Empty() {
			img.Crop = &photo.Box{X: o.Crop.Min.X, Y: o.Crop.Min.Y, W: o.Crop.Dx(), H: o.Crop.Dy()}
		}
		if pl := o.Plan; pl != nil {
			img.Purpose, img.Variant, img.Fallbacks = pl.Purpose, pl.Variant, pl.Fallbacks
			for i := range pl.Layers {
				if l := &pl.Layers[i]; l.Placement > 0 {
					if img.Placements == nil {
						img.Placements = map[string]string{}
					}
					img.Placements[l.Source] = l.PlacementName
				}
			}
		}
		m.Images = append(m.Images, img)
	}
	return m
}

// JSON returns the manifest as indented JSON with a final newline.
func (m *Manifest) JSON() []byte {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil { // only plain data types: cannot happen
		panic(fmt.Sprintf("manifest: %v", err))
	}
	return append(b, '\n')
}

func (m *Manifest) image(preset string) *ManifestImage {
	for i := range m.Images {
		if m.Images[i].Preset == preset {
			return &m.Images[i]
		}
	}
	return nil
}

var metaTmpl = template.Must(template.New("meta").Parse(`{{.Note}}
{{with .OG}}<meta property="og:image" content="{{.URL}}">
<meta property="og:image:width" content="{{.Width}}">
<meta property="og:image:height" content="{{.Height}}">
<meta property="og:image:type" content="{{.Type}}">
<meta property="og:image:alt" content="{{.Alt}}">
{{end}}{{with .X}}<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:image" content="{{.URL}}">
<meta name="twitter:image:alt" content="{{.Alt}}">
{{end}}{{if .LD}}<script type="application/ld+json">
{{.LD}}
</script>
{{end}}`))

type metaImage struct {
	URL, Type, Alt string
	Width, Height  int
}

// metaNote is the comment at the top of meta.html: what made it and where
// its image URLs point, with a warning when they are relative (Open Graph
// and X need absolute URLs). html/template drops comments it parses, so
// the comment is built here, its text escaped and kept free of "--".
func metaNote(engine, base string) template.HTML {
	safe := func(s string) string { return strings.ReplaceAll(html.EscapeString(s), "--", "%2D%2D") }
	if base == "" {
		return template.HTML("<!-- sharecard " + safe(engine) + ": paste into the article's <head>. WARNING: the image URLs below are relative to this folder, " +
			"and Open Graph and X ignore relative og:image and twitter:image URLs: render again with the base-url flag set to the public URL " +
			"of the output folder (https://…), or make them absolute before pasting. -->")
	}
	return template.HTML("<!-- sharecard " + safe(engine) + ": paste into the article's <head>; image URLs are under " + safe(base) + " -->")
}

// MetaHTML returns the Open Graph and X tags and a schema.org NewsArticle
// JSON-LD block for the manifest's images. base is the URL of the
// article's folder (e.g. "https://cdn.example.com/cards/slug/"), joined to
// file names with a slash; empty keeps them relative.
func (m *Manifest) MetaHTML(base string) []byte {
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	mk := func(id string) *metaImage {
		img := m.image(id)
		if img == nil {
			return nil
		}
		return &metaImage{URL: base + img.File, Type: img.Format.MIMEType(), Alt: img.Alt, Width: img.Width, Height: img.Height}
	}
	data := struct {
		Note  template.HTML
		OG, X *metaImage
		LD    template.JS
	}{Note: metaNote(m.Engine, base), OG: mk("og"), X: mk("x-summary-large")}
	if data.X == nil {
		data.X = data.OG
	}
	var images []string
	for _, id := range []string{"google-article-16x9", "google-article-4x3", "google-article-1x1"} {
		if img := m.image(id); img != nil {
			images = append(images, base+img.File)
		}
	}
	if len(images) > 0 && m.Article != nil {
		ld := map[string]any{
			"@context": "https://schema.org", "@type": "NewsArticle",
			"headline": m.Article.Headline, "image": images,
		}
		if m.Article.Published != "" {
			ld["datePublished"] = m.Article.Published
		}
		if m.Article.URL != "" {
			ld["mainEntityOfPage"] = m.Article.URL
		}
		b, _ := json.MarshalIndent(ld, "", "  ")
		// JSON inside <script>: escape "</" so a headline cannot close the tag.
		data.LD = template.JS(strings.ReplaceAll(string(b), "</", `<\/`))
	}
	var buf bytes.Buffer
	if err := metaTmpl.Execute(&buf, data); err != nil {
		panic(fmt.Sprintf("meta template: %v", err)) // static template and plain data
	}
	return buf.Bytes()
}
