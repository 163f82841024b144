package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/store"
)

var (
	keyPattern  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	filePattern = regexp.MustCompile(`^([a-z0-9][a-z0-9-]*)\.(jpg|png|webp|json)$`)
)

// handleImage serves GET (and HEAD) /v1/images/{key}/{file}. A store
// error other than not found answers 503 with Retry-After: the image may
// well exist, and a 404 would be cached.
func (s *Server) handleImage(w http.ResponseWriter, r *http.Request) {
	key, file := r.PathValue("key"), r.PathValue("file")
	if !keyPattern.MatchString(key) || !filePattern.MatchString(file) {
		s.problem(w, r, &Problem{Status: http.StatusNotFound, Title: "Not found", Detail: "image URLs look like /v1/images/<32 hex digits>/<preset>.<jpg|png|webp>"})
		return
	}
	setTags(w, key)
	if !s.serveStored(w, r, key+"/"+file, "images") {
		s.problem(w, r, store.ErrNotFound)
	}
}

// serveStored answers from the store with caching headers, Range and
// conditional support; it reports false (writing nothing) when the object
// is not stored. Any other store error is answered (503: the store is
// unavailable, never a miss to render again) and reported true. Lookups
// are counted as cache hits or misses of route, unless route is empty.
func (s *Server) serveStored(w http.ResponseWriter, r *http.Request, name, route string) bool {
	obj, err := s.store.Open(r.Context(), name)
	if err != nil {
		if err = storeReadError(r.Context(), name, err); !errors.Is(err, store.ErrNotFound) {
			// The client went away, the deadline passed, or the store
			// cannot be reached: answer that rather than render as if the
			// image were missing.
			s.problem(w, r, err)
			return true
		}
		if route != "" {
			s.metrics.cache.WithLabelValues(route, "miss").Inc()
		}
		return false
	}
	defer obj.Body.Close()
	if route != "" {
		s.metrics.cache.WithLabelValues(route, "hit").Inc()
	}
	h := w.Header()
	h.Set("ETag", obj.ETag)
	h.Set("Cache-Control", immutable)
	if obj.ContentType != "" {
		h.Set("Content-Type", obj.ContentType)
	}
	http.ServeContent(w, r, "", obj.ModTime, obj.Body)
	return true
}

// Cache-Control of the answers: content-addressed objects never change;
// a card URL's redirect is kept briefly and may be served stale.
const (
	immutable = "public, max-age=31536000, immutable"
	// cardRedirect lets a CDN keep a card's redirect 5 minutes, serve it
	// stale for an hour while it asks again, and for a week while this
	// service answers errors: the image it points to is immutable and
	// stays stored, so a stale redirect is never wrong, only late to
	// follow a layout change.
	cardRedirect = "public, max-age=300, stale-while-revalidate=3600, stale-if-error=604800"
)

// Card URL parameters, besides sig.
var cardParams = []string{"headline", "card_headline", "section", "caption", "credit", "lang", "photo", "breaking"}

// CardParams returns the parameters a card URL may carry besides sig, in
// the order [SignCardURL] documents them; the slice is a copy.
func CardParams() []string { return slices.Clone(cardParams) }

// handleCard serves a signed on-demand card:
// GET /v1/card/{layout}/{preset}.{ext}?headline=...&photo=...&sig=...
//
// The answer is a 302 to the content-addressed /v1/images/{key}/{file},
// rendering and storing the image first when it is new. The key hashes the
// engine version (render.Version), the layout's digest (its file and
// assets), the file name and the signed query, so the image URL names
// exactly the bytes it serves and is cached for a year as immutable, while
// the card URL, whose target moves when the layout or the engine changes,
// is cached briefly (cardRedirect). Crawlers (Facebook, X, LinkedIn,
// Slack) follow redirects for og:image. The alternative, answering the
// card URL with the image under a finite max-age and an ETag, would make a
// CDN revalidate every card every few minutes and keep two copies of each
// image; the redirect is as simple and lets the image be cached for good.
//
// Identical concurrent misses render once (coalesce).
func (s *Server) handleCard(w http.ResponseWriter, r *http.Request) {
	layoutName, file := r.PathValue("layout"), r.PathValue("file")
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.problem(w, r, &Problem{Status: http.StatusBadRequest, Title: "Bad query", Detail: "the card URL's query does not parse (" + err.Error() + "); separate parameters with & and percent-encode %, & and = inside values"})
		return
	}
	ok, err := verifyCardSig(s.cfg.cardSigKeys(), r.URL.Path, q, q.Get("sig"))
	if err != nil {
		s.problem(w, r, &Problem{Status: http.StatusBadRequest, Title: "Bad query", Detail: err.Error()})
		return
	}
	if !ok {
		s.problem(w, r, &Problem{Status: http.StatusForbidden, Title: "Bad signature", Field: "sig", Detail: "the sig parameter is missing or does not match; make card URLs with `sharecard sign` or a signer from integrations/signers (docs: Signing card URLs)"})
		return
	}
	canon := canonicalQuery(q)
	m := filePattern.FindStringSubmatch(file)
	if m == nil || m[2] == "json" {
		s.problem(w, r, &Problem{Status: http.StatusNotFound, Title: "Not found", Detail: "card URLs end in /<preset>.<jpg|png|webp>"})
		return
	}
	l, err := s.layout(layoutName)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	// The key depends on the layout, the file name and the query only, so a
	// stored card is found before the preset table is built: only a card
	// that rendered before (so whose preset is valid) can be stored.
	key := cardKey(render.Version, l.Digest, file, canon)
	name := key + "/" + file
	setTags(w, key, "layout-"+l.Name)
	_, err = s.store.Stat(r.Context(), name)
	switch err = storeReadError(r.Context(), name, err); {
	case err == nil:
		s.metrics.cache.WithLabelValues("card", "hit").Inc()
	case errors.Is(err, store.ErrNotFound):
		s.metrics.cache.WithLabelValues("card", "miss").Inc()
		if err := s.renderCard(r.Context(), l, m[1], m[2], q, name); err != nil {
			s.problem(w, r, err)
			return
		}
	default:
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", cardRedirect)
	http.Redirect(w, r, s.cfg.BaseURL+"/v1/images/"+name, http.StatusFound)
}

// cardKey is the key of a card's image. version is render.Version, a
// parameter so that a test can show an older engine's images are never
// served under a newer key.
func cardKey(version, layoutDigest, file, canon string) string {
	sum := sha256.Sum256([]byte(version + "\x00" + layoutDigest + "\x00" + file + "\x00" + canon))
	return hex.EncodeToString(sum[:16])
}

// renderCard renders a card and stores it under name; concurrent requests
// for the same card share one render.
func (s *Server) renderCard(ctx context.Context, l *layout.Layout, presetID, ext string, q url.Values, name string) error {
	ps, err := preset.Select(presetID, l.Presets)
	if err != nil {
		return &Problem{Status: http.StatusNotFound, Title: "Unknown preset", Field: "preset", Detail: err.Error()}
	}
	format, _ := preset.ParseFormat(ext)
	a, err := cardArticle(q)
	if err != nil {
		return err
	}
	_, err = s.flight.do(ctx, s.cfg.Timeout, "one\x00"+name, func(ctx context.Context) (any, error) {
		// Look again: a render may have stored it since the lookup in
		// handleCard.
		if _, err := s.store.Stat(ctx, name); !errors.Is(err, store.ErrNotFound) {
			return nil, storeReadError(ctx, name, err)
		}
		// Take a place in the render pool before fetching the photo: when
		// the pool is full the answer is an immediate 503, without a
		// download.
		t, err := s.pool.reserve(ctx)
		if err != nil {
			return nil, err
		}
		held := &heldTicket{t: t}
		defer held.release()
		req := &renderRequest{article: a, layout: l, presets: ps, format: format, held: held, maxWait: s.cfg.MaxQueueWait}
		if a.Photo != "" {
			if req.photo, err = s.photoBytes(ctx, a.Photo); err != nil {
				return nil, err
			}
		}
		_, err = s.renderPut(ctx, req, name)
		return nil, err
	})
	return err
}

// cardArticle builds the article of a card from its query, through the
// same validation as article files.
func cardArticle(q url.Values) (*article.Article, error) {
	fields := map[string]any{}
	for _, k := range cardParams {
		if v := q.Get(k); v != "" {
			fields[k] = v
		}
	}
	if b, ok := fields["breaking"]; ok {
		fields["breaking"] = b == "true" || b == "1"
	}
	for k := range q {
		if k != "sig" && !slices.Contains(cardParams, k) {
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Unknown parameter", Field: k, Detail: "card parameters are " + strings.Join(cardParams, ", ") + " and sig"}
		}
	}
	data, _ := json.Marshal(fields)
	return article.ParseRemote("query", data)
}

// canonicalQuery is the form of a card query its image key hashes, and
// the form card URLs were signed in before cardSigningString: every
// parameter but sig, sorted by name (url.Values.Encode sorts),
// URL-encoded. Do not change it: the keys of stored cards depend on it.
func canonicalQuery(q url.Values) string {
	c := make(url.Values, len(q))
	for k, v := range q {
		if k != "sig" {
			c[k] = v
		}
	}
	return c.Encode()
}
