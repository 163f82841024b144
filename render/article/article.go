package article

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/sharecard/sharecard/render/strictyaml"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

// Article is the story to render, as read from an article file by
// [Parse]. Text fields are trimmed; all but Summary, Caption and
// Photo are on one line with single spaces.
type Article struct {
	// Headline is the story's title; it is required.
	Headline string `json:"headline" yaml:"headline"`
	// CardHeadline, when set, is the headline the cards show instead of
	// Headline: a shorter or differently worded title written for social
	// cards. Layout layers bound to the headline field use it; the slug,
	// the manifest and the page's meta tags keep Headline.
	CardHeadline string `json:"card_headline,omitempty" yaml:"card_headline,omitempty"`
	// Section is the kicker shown above the headline, e.g. "Politics". The
	// key "kicker" is accepted as an alias in article files.
	Section string `json:"section,omitempty" yaml:"section,omitempty"`
	// Summary is the standfirst or dek; it may hold line breaks.
	Summary string `json:"summary,omitempty" yaml:"summary,omitempty"`
	// Caption describes the photo; it may hold line breaks.
	Caption string `json:"caption,omitempty" yaml:"caption,omitempty"`
	// PhotoAlt describes the photo for readers who cannot see it: the
	// alt text the CMS keeps (Ghost's feature_image_alt, WordPress's
	// alt_text). The images' alt text uses it before the caption.
	PhotoAlt string `json:"photo_alt,omitempty" yaml:"photo_alt,omitempty"`
	// Credit names the photographer or agency.
	Credit string `json:"credit,omitempty" yaml:"credit,omitempty"`
	// Byline names the authors.
	Byline string `json:"byline,omitempty" yaml:"byline,omitempty"`
	// Published is the publication date, as RFC 3339 or YYYY-MM-DD.
	Published string `json:"published,omitempty" yaml:"published,omitempty"`
	// URL is the story's absolute http or https address.
	URL string `json:"url,omitempty" yaml:"url,omitempty"`
	// Lang is the story's BCP 47 language tag, e.g. "en" or "pt-BR".
	Lang string `json:"lang,omitempty" yaml:"lang,omitempty"`
	// Photo is the photo's path, relative to the article file.
	Photo string `json:"photo,omitempty" yaml:"photo,omitempty"`
	// Focus is the point of the photo crops keep in view; nil means none
	// given.
	Focus *FocusPoint `json:"focus,omitempty" yaml:"focus,omitempty"`
	// Layout names the layout to use; empty means the default.
	Layout string `json:"layout,omitempty" yaml:"layout,omitempty"`
	// Breaking marks breaking news.
	Breaking bool `json:"breaking,omitempty" yaml:"breaking,omitempty"`
}

// Keys lists the keys an article file may hold, in the order of the
// Article fields.
func Keys() []string {
	return []string{"headline", "card_headline", "section", "kicker", "summary", "caption", "photo_alt", "credit", "byline",
		"published", "url", "lang", "photo", "focus", "layout", "breaking"}
}

// Fields returns the names [Article.Field] accepts, for layout
// bindings.
func Fields() []string {
	return []string{"headline", "section", "summary", "caption", "credit", "byline", "published", "url"}
}

// Field returns the text field called name, for layout bindings; ok is
// false when name is not one of [Fields].
func (a *Article) Field(name string) (value string, ok bool) {
	switch name {
	case "headline":
		return a.Headline, true
	case "section":
		return a.Section, true
	case "summary":
		return a.Summary, true
	case "caption":
		return a.Caption, true
	case "credit":
		return a.Credit, true
	case "byline":
		return a.Byline, true
	case "published":
		return a.Published, true
	case "url":
		return a.URL, true
	}
	return "", false
}

// CardText returns the text a card shows for the field called name: the
// card headline for "headline" when the article has one, else the field
// itself (see [Article.Field]). source is the article field the text
// comes from, "card_headline" or name, for messages.
func (a *Article) CardText(name string) (value, source string, ok bool) {
	if name == "headline" && a.CardHeadline != "" {
		return a.CardHeadline, "card_headline", true
	}
	value, ok = a.Field(name)
	return value, name, ok
}

// Parse reads an article from YAML or JSON data. file names the data
// in error messages. Every problem found is reported at once, each as a
// [*FieldError] with its line and column, joined with errors.Join in file
// order; use [FieldErrors] to list them. A text field longer than its
// limit ([MaxHeadline] and the other Max constants) is one of those
// problems, naming the field, its length and the limit.
func Parse(file string, data []byte) (*Article, error) {
	return parseArticle(file, data, false)
}

// ParseRemote reads an article sent over the network (to the HTTP
// service): like [Parse], but photo may also be an http(s) URL or a
// base64 data: URI, since there is no article folder to be relative to.
func ParseRemote(file string, data []byte) (*Article, error) {
	return parseArticle(file, data, true)
}

func parseArticle(file string, data []byte, remote bool) (*Article, error) {
	top, err := strictyaml.ParseMapping(file, "article", data)
	if err != nil {
		return nil, err
	}
	l := &strictyaml.Collector{File: file}
	a := &Article{}
	var headline, section *yaml.Node
	headlineReported := false
	strictyaml.Fields(top, "", Keys(), l, func(key string, keyNode, value *yaml.Node) {
		switch key {
		case "headline":
			headline = value
		case "section", "kicker":
			if section != nil {
				l.Add(keyNode, key, "both section and kicker are set (kicker is another name for section); keep one")
				return
			}
			section = value
		}
		before := len(l.List)
		a.set(key, value, l, remote)
		headlineReported = headlineReported || (key == "headline" && len(l.List) > before)
	})
	if a.Headline == "" && !headlineReported {
		at, why := headline, "must not be blank"
		if headline == nil {
			at, why = top, "is missing; add a line such as `headline: Storm closes the coast road`"
		}
		l.Add(at, "headline", "headline is required: it %s", why)
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

// set stores the value of one key of an article file into a, reporting
// problems to l.
func (a *Article) set(key string, value *yaml.Node, l *strictyaml.Collector, remote bool) {
	oneLine := map[string]*string{
		"headline": &a.Headline, "card_headline": &a.CardHeadline, "section": &a.Section, "kicker": &a.Section,
		"credit": &a.Credit, "byline": &a.Byline, "layout": &a.Layout, "photo_alt": &a.PhotoAlt,
		"published": &a.Published, "url": &a.URL, "lang": &a.Lang, "photo": &a.Photo,
	}
	switch key {
	case "summary", "caption":
		dst := &a.Summary
		if key == "caption" {
			dst = &a.Caption
		}
		s, ok := textValue(key, value, l)
		if !ok {
			return
		}
		if msg := checkLength(key, s, remote); msg != "" {
			l.Add(value, key, "%s", msg)
			return
		}
		*dst = s
	case "focus":
		a.Focus = parseFocus(value, l)
	case "breaking":
		a.Breaking, _ = strictyaml.ScalarBool(value, key, l)
	default:
		dst := oneLine[key] // Fields passes only the keys of Keys
		s, ok := textValue(key, value, l)
		if !ok {
			return
		}
		if key != "photo" { // a path is kept as written
			s = strings.Join(strings.Fields(s), " ")
		}
		if msg := checkLength(key, s, remote); msg != "" {
			l.Add(value, key, "%s", msg)
			return
		}
		if msg := checkArticleValue(key, s, remote); msg != "" {
			l.Add(value, key, "%s", msg)
			return
		}
		*dst = s
	}
}

// textValue reads a text field: line breaks are normalized to \n,
// surrounding white space (and zero-width spaces) is trimmed, and control
// characters are refused.
func textValue(key string, value *yaml.Node, l *strictyaml.Collector) (string, bool) {
	s, ok := strictyaml.ScalarText(value, key, l)
	if !ok {
		return "", false
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			l.Add(value, key, "the text holds the invisible control character %U; remove it", r)
			return "", false
		}
	}
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' // zero-width space, BOM
	}), true
}

// checkArticleValue validates the fields with a syntax; it returns "" when
// s is fine, else what is wrong.
func checkArticleValue(key, s string, remote bool) string {
	if s == "" {
		return ""
	}
	switch key {
	case "published":
		if _, err := time.Parse(time.RFC3339, s); err == nil {
			return ""
		}
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return ""
		}
		return fmt.Sprintf("expected a date as YYYY-MM-DD or an RFC 3339 time such as 2024-05-01T14:30:00Z, found %q", strictyaml.Clip(s, 40))
	case "url":
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Sprintf("expected an absolute http or https address such as https://example.com/news/story, found %q", strictyaml.Clip(s, 60))
		}
	case "lang":
		if _, err := language.Parse(s); err != nil {
			return fmt.Sprintf("expected a BCP 47 language tag such as \"en\", \"pt-BR\" or \"ar\", found %q", strictyaml.Clip(s, 40))
		}
	case "photo":
		if remote {
			if strings.HasPrefix(s, "data:") {
				return ""
			}
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Sprintf("expected the photo as an https URL or a data:image/...;base64 URI, found %q", strictyaml.Clip(s, 60))
			}
			return ""
		}
		if strings.Contains(s, "://") {
			return "expected a file path relative to the article file, found a URL; download the photo next to the article"
		}
	}
	return ""
}

// parseFocus reads the focus mapping {x: 0.5, y: 0.3}; null gives nil.
func parseFocus(n *yaml.Node, l *strictyaml.Collector) *FocusPoint {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.Add(n, "focus", "expected a mapping such as {x: 0.5, y: 0.3}, found %s", strictyaml.DescribeNode(n))
		return nil
	}
	var f FocusPoint
	var gotX, gotY bool
	before := len(l.List)
	strictyaml.Fields(n, "focus", []string{"x", "y"}, l, func(key string, _, value *yaml.Node) {
		dst := &f.X
		gotX = gotX || key == "x"
		if key == "y" {
			dst, gotY = &f.Y, true
		}
		field := "focus." + key
		v, ok := strictyaml.ScalarFloat(value, field, l)
		if ok && !(v >= 0 && v <= 1) {
			l.Add(value, field, "expected a number from 0 to 1 (0 = left/top edge, 1 = right/bottom edge), found %s", value.Value)
		}
		*dst = v
	})
	if !gotX || !gotY {
		l.Add(n, "focus", "focus needs both x and y, e.g. {x: 0.5, y: 0.3}")
		return nil
	}
	if len(l.List) > before {
		return nil
	}
	return &f
}

// maxSlugLen is the longest slug [Article.Slug] returns, in bytes.
const maxSlugLen = 60

// Slug returns a lower-case ASCII name for the article, made of letters,
// digits and hyphens, for folder and file names. It comes from the last
// segment of URL when that is a readable name, else from the headline with
// accents removed; a headline without Latin letters (Arabic, Chinese, ...)
// gives a stable "article-" name with a hash of the headline. Slugs are at
// most 60 bytes, cut at a word boundary.
func (a *Article) Slug() string {
	if s := slugFromURL(a.URL); s != "" {
		return s
	}
	if s := slugify(a.Headline); hasASCIILetter(s) {
		return s
	}
	h := fnv.New32a()
	h.Write([]byte(a.Headline))
	return fmt.Sprintf("article-%08x", h.Sum32())
}

// slugFromURL returns the slug of the last path segment of raw, or "" when
// that segment is missing or is not a readable name (a number, "index.html").
func slugFromURL(raw string) string {
	u, err := url.Parse(raw)
	if raw == "" || err != nil {
		return ""
	}
	seg := path.Base(strings.TrimRight(u.Path, "/"))
	switch ext := strings.ToLower(path.Ext(seg)); ext {
	case ".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".amp":
		seg = strings.TrimSuffix(seg, seg[len(seg)-len(ext):])
	}
	s := slugify(seg)
	switch s {
	case "index", "default", "article", "story", "news", "amp", "home":
		return ""
	}
	if !hasASCIILetter(s) {
		return ""
	}
	return s
}

// slugify lower-cases s, removes accents, spells out letters that have no
// accent-free form (ß, æ, ø, ł, ...), drops apostrophes and joins the
// remaining words with single hyphens, cut to maxSlugLen at a hyphen.
func slugify(s string) string {
	var b strings.Builder
	pendingDash := false
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) || r == '\'' || r == '’' {
			continue
		}
		t := transliterate(unicode.ToLower(r))
		if t == "" {
			pendingDash = b.Len() > 0
			continue
		}
		if pendingDash {
			b.WriteByte('-')
			pendingDash = false
		}
		b.WriteString(t)
	}
	out := b.String()
	if len(out) <= maxSlugLen {
		return out
	}
	if cut := strings.LastIndexByte(out[:maxSlugLen+1], '-'); cut > 0 {
		return out[:cut]
	}
	return out[:maxSlugLen]
}

// transliterate returns the ASCII spelling of a lower-case, decomposed rune:
// itself for a-z and 0-9, a spelling for Latin letters without one, "" for
// anything else.
func transliterate(r rune) string {
	if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
		return string(r)
	}
	switch r {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ø':
		return "o"
	case 'ł':
		return "l"
	case 'đ', 'ð':
		return "d"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	case 'ħ':
		return "h"
	}
	return ""
}

// hasASCIILetter reports whether s holds a letter a-z.
func hasASCIILetter(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' })
}
