package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"sharecard/render"
	"sharecard/render/article"
	"sharecard/render/preset"
	"sharecard/store"
)

var (
	keyPattern  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	filePattern = regexp.MustCompile(`^([a-z0-9][a-z0-9-]*)\.(jpg|png|webp|json)$`)
)

// handleImage serves GET (and HEAD) /v1/images/{key}/{file}.
func (s *Server) handleImage(w http.ResponseWriter, r *http.Request) {
	key, file := r.PathValue("key"), r.PathValue("file")
	if !keyPattern.MatchString(key) || !filePattern.MatchString(file) {
		s.problem(w, r, &Problem{Status: http.StatusNotFound, Title: "Not found", Detail: "image URLs look like /v1/images/<32 hex digits>/<preset>.<jpg|png|webp>"})
		return
	}
	if !s.serveStored(w, r, key+"/"+file, "images") {
		s.problem(w, r, store.ErrNotFound)
	}
}

// serveStored answers from the store with caching headers, Range and
// conditional support; it reports false (writing nothing) when the object
// is not stored. Lookups are counted as cache hits or misses of route,
// unless route is empty (serving what was just rendered).
func (s *Server) serveStored(w http.ResponseWriter, r *http.Request, name, route string) bool {
	obj, err := s.store.Open(r.Context(), name)
	if err != nil && r.Context().Err() != nil {
		// The client went away or the deadline passed: answer that, rather
		// than going on to render as if the image were missing.
		s.problem(w, r, r.Context().Err())
		return true
	}
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("store open failed", "key", name, "err", err)
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
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	if obj.ContentType != "" {
		h.Set("Content-Type", obj.ContentType)
	}
	http.ServeContent(w, r, "", obj.ModTime, obj.Body)
	return true
}

// Card URL parameters, besides sig.
var cardParams = []string{"headline", "section", "caption", "credit", "lang", "photo", "breaking"}

// CardParams returns the parameters a card URL may carry besides sig, in
// the order [SignCardURL] documents them; the slice is a copy.
func CardParams() []string { return slices.Clone(cardParams) }

// handleCard serves a signed on-demand card:
// GET /v1/card/{layout}/{preset}.{ext}?headline=...&photo=...&sig=...
// The same parameters give the same key, so a second request is served
// from the store without rendering.
func (s *Server) handleCard(w http.ResponseWriter, r *http.Request) {
	layoutName, file := r.PathValue("layout"), r.PathValue("file")
	q := r.URL.Query()
	canon := canonicalQuery(q)
	if len(s.cfg.SignKey) == 0 || !validSignature(s.cfg.SignKey, r.URL.Path, canon, q.Get("sig")) {
		s.problem(w, r, &Problem{Status: http.StatusForbidden, Title: "Bad signature", Field: "sig", Detail: "the sig parameter is missing or does not match; make card URLs with `sharecard sign`"})
		return
	}
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
	// stored card is served before the preset table is built: only a card
	// that rendered before (so whose preset is valid) can be stored.
	sum := sha256.Sum256([]byte(render.Version + "\x00" + l.Digest + "\x00" + file + "\x00" + canon))
	name := hex.EncodeToString(sum[:16]) + "/" + file
	if s.serveStored(w, r, name, "card") {
		return
	}
	ps, err := preset.Select(m[1], l.Presets)
	if err != nil {
		s.problem(w, r, &Problem{Status: http.StatusNotFound, Title: "Unknown preset", Field: "preset", Detail: err.Error()})
		return
	}
	format, _ := preset.ParseFormat(m[2])
	a, err := cardArticle(q)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	// Take a place in the render pool before fetching the photo: when the
	// pool is full the answer is an immediate 503, without a download.
	t, err := s.pool.reserve()
	if err != nil {
		s.problem(w, r, err)
		return
	}
	defer t.release()
	req := &renderRequest{article: a, layout: l, presets: ps, format: format, ticket: t}
	if a.Photo != "" {
		if req.photo, err = s.photoBytes(r.Context(), a.Photo); err != nil {
			s.problem(w, r, err)
			return
		}
	}
	s.renderStoreServe(w, r, req, name)
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

// canonicalQuery is the signed form of a card query: every parameter but
// sig, sorted by name (url.Values.Encode sorts), URL-encoded.
func canonicalQuery(q url.Values) string {
	c := make(url.Values, len(q))
	for k, v := range q {
		if k != "sig" {
			c[k] = v
		}
	}
	return c.Encode()
}

// cardMAC is the HMAC-SHA256 of a card's path and canonical query.
func cardMAC(key []byte, path, canon string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(path + "?" + canon))
	return mac.Sum(nil)
}

// validSignature reports whether sig (hex) signs path and canon.
func validSignature(key []byte, path, canon, sig string) bool {
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) == 0 {
		return false
	}
	return hmac.Equal(got, cardMAC(key, path, canon))
}

// SignCardURL returns the signed URL of a card: base is the service's
// public address (e.g. https://cards.example.com), params the card's
// query (headline, section, caption, credit, lang, photo, breaking).
func SignCardURL(key []byte, base, layout, preset string, format preset.Format, params url.Values) string {
	path := "/v1/card/" + url.PathEscape(layout) + "/" + preset + "." + format.Ext()
	canon := canonicalQuery(params) // drops any sig in params
	sig := hex.EncodeToString(cardMAC(key, path, canon))
	return strings.TrimSuffix(base, "/") + path + "?" + canon + "&sig=" + sig
}
