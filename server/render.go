package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/publish"
	"github.com/sharecard/sharecard/store"
)

// renderRequest is an article with its photo bytes, ready to render.
type renderRequest struct {
	article *article.Article
	photo   []byte
	layout  *layout.Layout
	presets []preset.Preset
	format  preset.Format
	held    *heldTicket   // a place in the pool taken before the body was read or the photo fetched, or nil
	maxWait time.Duration // how long the render may wait for a worker (0: no bound)
}

// heldTicket is a pool place that passes from a request to the render
// that runs for it, perhaps in another goroutine (see coalesce): whoever
// takes it releases it, and release gives it back only if nobody took it.
type heldTicket struct {
	mu sync.Mutex
	t  *ticket
}

func (h *heldTicket) take() *ticket {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.t
	h.t = nil
	return t
}

func (h *heldTicket) release() {
	if t := h.take(); t != nil {
		t.release()
	}
}

// handleRender serves POST /v1/render: with ?preset=ID the answer is that
// image; without, every selected preset is rendered and stored and the
// answer is the manifest with a URL per image.
//
// The request takes its place in the render pool before its body is read:
// when the pool is full it is refused at once with 503, Retry-After and
// Connection: close, without reading (or draining) the body. The body is
// read under the article and photo caps and the minimum upload rate.
func (s *Server) handleRender(w http.ResponseWriter, r *http.Request) {
	kind, limit, err := s.renderBody(r)
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	t, err := s.pool.reserve(r.Context())
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	held := &heldTicket{t: t}
	defer held.release()
	body := s.newBodyReader(w, r, limit.total, limit.what, limit.fix)
	req, err := s.readRenderRequest(r, body, kind)
	body.done()
	if err != nil {
		if body.err != nil || !body.sawEOF() {
			s.refuse(w, r, err)
		} else {
			s.problem(w, r, err)
		}
		return
	}
	req.held, req.maxWait = held, s.cfg.MaxQueueWait
	key := contentKey(req.article, req.photo, req.layout, req.format)
	setTags(w, key, "layout-"+req.layout.Name)
	if single := r.URL.Query().Get("preset"); single != "" {
		s.renderOne(w, r, req, key, single)
		return
	}
	m, err := s.renderAll(r.Context(), req, key, "render")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", s.cfg.BaseURL+"/v1/images/"+key+"/manifest.json")
	w.Write(m)
}

// bodyKind is how a POST /v1/render body is sent.
type bodyKind int

const (
	bodyArticle   bodyKind = iota // JSON or YAML, the photo a URL or a data: URI
	bodyMultipart                 // an article part and a photo part
)

// bodyLimit is the cap of a POST /v1/render body and what a 413 says.
type bodyLimit struct {
	total     int64
	what, fix string
}

// photoCap is the largest photo accepted, in bytes.
func (s *Server) photoCap() int64 {
	if s.cfg.Limits.MaxBytes > 0 {
		return s.cfg.Limits.MaxBytes
	}
	return photo.DefaultMaxBytes
}

// base64Len is the length of n bytes in base64 with padding.
func base64Len(n int64) int64 { return (n + 2) / 3 * 4 }

// renderBody checks a POST /v1/render's Content-Type and Content-Length,
// before anything is read, and returns the body's cap.
func (s *Server) renderBody(r *http.Request) (bodyKind, bodyLimit, error) {
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	art, ph := s.cfg.MaxArticleBytes, s.photoCap()
	var kind bodyKind
	var lim bodyLimit
	switch ctype {
	case "multipart/form-data":
		kind = bodyMultipart
		lim = bodyLimit{total: art + ph + 64<<10, what: "the multipart body",
			fix: fmt.Sprintf("the article part may have %d bytes and the photo part %d; send a smaller photo", art, ph)}
	case "application/json", "application/yaml", "application/x-yaml", "text/yaml", "":
		kind = bodyArticle
		lim = bodyLimit{total: art + base64Len(ph) + 256, what: "the article body",
			fix: fmt.Sprintf("an article may have %d bytes, plus a data: photo of %d bytes (%d in base64); send a larger photo as a URL, or in a multipart form", art, ph, base64Len(ph))}
	default:
		return 0, lim, &Problem{Status: http.StatusUnsupportedMediaType, Title: "Unsupported body", Detail: fmt.Sprintf("send the article as application/json, application/yaml or multipart/form-data, not %q", ctype)}
	}
	lim.total = min(lim.total, s.cfg.MaxBodyBytes)
	return kind, lim, checkLength(r, lim.total, lim.what, lim.fix)
}

// renderOne answers with one preset's image, rendering it unless the store
// has it already.
func (s *Server) renderOne(w http.ResponseWriter, r *http.Request, req *renderRequest, key, id string) {
	ps, err := preset.Select(id, req.layout.Presets)
	if err != nil || len(ps) != 1 {
		s.problem(w, r, &Problem{Status: http.StatusUnprocessableEntity, Title: "Unknown preset", Field: "preset", Detail: errText(err, "give exactly one preset id")})
		return
	}
	req.presets = ps
	name := key + "/" + fileName(ps[0], req.format)
	if s.serveStored(w, r, name, "render") {
		return
	}
	img, err := s.renderStore(r.Context(), req, name)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	// The rendered bytes are served as they are, without reading them
	// back: the store's ETag is derived from the bytes alone (store.ETag),
	// so this answer carries the same ETag later requests get.
	writeImage(w, r, img.data, img.ctype, img.sha)
}

// renderedImage is one image just rendered and stored; it is shared, read
// only, by the requests a render was coalesced for.
type renderedImage struct {
	data       []byte
	ctype, sha string
}

// renderStore renders a single-preset request and stores the image under
// name. Identical concurrent requests share one render (see coalesce).
func (s *Server) renderStore(ctx context.Context, req *renderRequest, name string) (*renderedImage, error) {
	v, err := s.flight.do(ctx, s.cfg.Timeout, "one\x00"+name, func(ctx context.Context) (any, error) {
		// A request that missed just as an earlier render was storing the
		// image comes here after that render's flight ended: look again.
		if data, ctype, err := s.readStored(ctx, name); err == nil {
			sum := sha256.Sum256(data)
			return &renderedImage{data: data, ctype: ctype, sha: hex.EncodeToString(sum[:])}, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		o, err := s.renderPut(ctx, req, name)
		if err != nil {
			return nil, err
		}
		return &renderedImage{data: o.Data, ctype: o.Format.MIMEType(), sha: o.SHA256}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*renderedImage), nil
}

// renderPut renders a single-preset request and stores its image under
// name.
func (s *Server) renderPut(ctx context.Context, req *renderRequest, name string) (*render.Output, error) {
	res, err := s.render(ctx, req)
	if err != nil {
		return nil, err
	}
	o := &res.Outputs[0]
	if err := s.store.Put(ctx, name, o.Data, o.Format.MIMEType()); err != nil {
		return nil, fmt.Errorf("store %s: %w", name, err)
	}
	return o, nil
}

// renderAll renders every selected preset, stores the images and the
// manifest, and returns the manifest JSON. A stored manifest is a cache
// hit; identical concurrent misses share one render (see coalesce).
func (s *Server) renderAll(ctx context.Context, req *renderRequest, key, route string) ([]byte, error) {
	manifestKey := key + "/manifest.json"
	data, _, err := s.readStored(ctx, manifestKey)
	if err == nil {
		s.metrics.cache.WithLabelValues(route, "hit").Inc()
		return data, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.metrics.cache.WithLabelValues(route, "miss").Inc()
	if req.presets == nil {
		ps, err := preset.Select("", req.layout.Presets)
		if err != nil {
			return nil, err
		}
		req.presets = ps
	}
	ids := make([]string, len(req.presets))
	for i, p := range req.presets {
		ids[i] = p.ID
	}
	v, err := s.flight.do(ctx, s.cfg.Timeout, "all\x00"+manifestKey+"\x00"+strings.Join(ids, ","), func(ctx context.Context) (any, error) {
		// Look again: a render may have stored it since the lookup above.
		data, _, err := s.readStored(ctx, manifestKey)
		if !errors.Is(err, store.ErrNotFound) {
			return data, err
		}
		return s.renderAllMiss(ctx, req, key, manifestKey)
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

func (s *Server) renderAllMiss(ctx context.Context, req *renderRequest, key, manifestKey string) ([]byte, error) {
	res, err := s.render(ctx, req)
	if err != nil {
		return nil, err
	}
	art := *req.article
	if strings.HasPrefix(art.Photo, "data:") {
		art.Photo = "" // the upload is in the images; do not echo megabytes of base64
	}
	m := publish.New(&art, req.layout.Name, res)
	for i := range res.Outputs {
		o := &res.Outputs[i]
		name := key + "/" + o.FileName()
		// Image URLs are immutable: an image stored before (say by a
		// ?preset= request) is kept, and the manifest describes it.
		stored, _, err := s.readStored(ctx, name)
		switch {
		case err == nil:
			sum := sha256.Sum256(stored)
			m.Images[i].Bytes, m.Images[i].SHA256 = len(stored), hex.EncodeToString(sum[:])
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		default:
			if err := s.store.Put(ctx, name, o.Data, o.Format.MIMEType()); err != nil {
				return nil, fmt.Errorf("store %s: %w", name, err)
			}
		}
		m.Images[i].URL = s.cfg.BaseURL + "/v1/images/" + name
	}
	data := m.JSON()
	// The manifest goes last: once it exists, every image it lists does.
	if err := s.store.Put(ctx, manifestKey, data, "application/json"); err != nil {
		return nil, fmt.Errorf("store %s: %w", manifestKey, err)
	}
	return data, nil
}

// readStored returns a stored object's bytes and content type. An error
// other than store.ErrNotFound (or the context's) wraps
// store.ErrUnavailable (see storeReadError): it is never taken for a miss.
func (s *Server) readStored(ctx context.Context, name string) ([]byte, string, error) {
	obj, err := s.store.Open(ctx, name)
	if err != nil {
		return nil, "", storeReadError(ctx, name, err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		return nil, "", storeReadError(ctx, name, err)
	}
	return data, obj.ContentType, nil
}

// storeReadError classifies an error reading key from the store: not
// found and the request's own end (cancelled, deadline) stay what they
// are; anything else means the store is unavailable (a 503 with
// Retry-After, not a miss that would render and then fail to store).
func storeReadError(ctx context.Context, key string, err error) error {
	switch {
	case err == nil, errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrUnavailable), errors.Is(err, store.ErrBadKey):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("%w: read %s: %w", store.ErrUnavailable, key, err)
}

// render runs one job on the bounded pool, in the place the request took
// before its body was read (or a new one), waiting at most req.maxWait.
func (s *Server) render(ctx context.Context, req *renderRequest) (*render.Result, error) {
	t := req.held.take()
	if t == nil {
		var err error
		if t, err = s.pool.reserve(ctx); err != nil {
			return nil, err
		}
	}
	defer t.release()
	if err := t.wait(ctx, req.maxWait); err != nil {
		return nil, err
	}
	res, err := s.engine.Render(ctx, render.Job{Article: req.article, Photo: req.photo, Layout: req.layout, Presets: req.presets, Format: req.format})
	if res != nil {
		s.metrics.observe(res.Timings, err)
	} else {
		s.metrics.observe(render.Timings{}, err)
	}
	s.tracing.traceRender(ctx, res, err)
	return res, err
}

// readRenderRequest reads and parses the body (JSON, YAML or multipart)
// from body, and fetches or decodes the photo.
func (s *Server) readRenderRequest(r *http.Request, body *bodyReader, kind bodyKind) (*renderRequest, error) {
	var (
		articleData []byte
		photo       []byte
		err         error
	)
	if kind == bodyMultipart {
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		articleData, photo, err = s.readMultipart(body, params["boundary"], r.ContentLength)
	} else {
		if articleData, err = readAllSized(body, r.ContentLength); err != nil {
			// A body that ends before its Content-Length is the client's
			// mistake, as in multipart bodies: 400, not 500.
			err = asBadRequest(err)
		} else {
			err = s.checkArticleSize(articleData)
		}
	}
	body.done() // no deadline while the photo is fetched below
	if err != nil {
		return nil, err
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype == "application/json" {
		if err := strictJSON(articleData); err != nil {
			return nil, err
		}
	}
	a, err := article.ParseRemote("body", articleData)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	name := q.Get("layout")
	if name == "" {
		name = a.Layout
	}
	l, err := s.layout(name)
	if err != nil {
		return nil, err
	}
	req := &renderRequest{article: a, photo: photo, layout: l}
	if f := q.Get("format"); f != "" {
		if req.format, err = preset.ParseFormat(f); err != nil {
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Unknown format", Field: "format", Detail: err.Error()}
		}
	}
	if list := q.Get("presets"); list != "" {
		if req.presets, err = preset.Select(list, l.Presets); err != nil {
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Unknown preset", Field: "presets", Detail: err.Error()}
		}
	}
	// The photo last: a request with a bad layout, format or preset list
	// is refused without a download.
	if req.photo == nil && a.Photo != "" {
		if req.photo, err = s.photoBytes(r.Context(), a.Photo); err != nil {
			return nil, err
		}
		if strings.HasPrefix(a.Photo, "data:") {
			// The base64 text (4/3 of the photo) is not needed any more:
			// keys hash the photo's bytes, and manifests do not echo it.
			a.Photo = "data:"
		}
	}
	return req, nil
}

// readAllSized reads r to its end into a buffer sized by hint (a
// Content-Length, already checked against the cap; -1 when unknown), so
// that a large body is not copied again at each doubling of the buffer.
func readAllSized(r io.Reader, hint int64) ([]byte, error) {
	if hint < 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, hint+1) // +1: room to read the EOF
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than announced: grow
		}
	}
}

// checkArticleSize refuses, before it is parsed, a JSON or YAML body over
// MaxArticleBytes once its data: photo (counted against the photo cap
// instead) is set aside.
func (s *Server) checkArticleSize(data []byte) error {
	rest := int64(len(data) - dataURISpan(data))
	if rest > s.cfg.MaxArticleBytes {
		return &Problem{Status: http.StatusRequestEntityTooLarge, Title: "Article too large", Field: "body",
			Detail: fmt.Sprintf("the article, without a data: photo, has %d bytes, over the limit of %d; an article needs far less (its fields have their own length limits)", rest, s.cfg.MaxArticleBytes)}
	}
	return nil
}

// dataURISpan is the length of the first data: URI in a JSON or YAML
// body: from "data:" through its base64 payload (JSON escapes and line
// breaks included), or 0 without one.
func dataURISpan(body []byte) int {
	i := bytes.Index(body, []byte("data:"))
	if i < 0 {
		return 0
	}
	comma := bytes.IndexByte(body[i:], ',')
	if comma < 0 || comma > 256 {
		return 0
	}
	j := i + comma + 1
	for j < len(body) && isBase64Text(body[j]) {
		j++
	}
	return j - i
}

func isBase64Text(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '+' || c == '/' || c == '=' || c == '\\' || c == '\n' || c == '\r' || c == ' ' || c == '\t'
}

// photoBytes returns the photo given in an article: a data: URI or an
// http(s) URL fetched through the guarded fetcher.
func (s *Server) photoBytes(ctx context.Context, ref string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(ref, "data:"); ok {
		meta, payload, found := strings.Cut(rest, ",")
		if !found || !strings.HasSuffix(meta, ";base64") {
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid photo", Field: "photo", Detail: "a data: photo must be base64, like data:image/jpeg;base64,/9j/4AAQ..."}
		}
		payload = strings.TrimSpace(payload)
		if n := int64(base64.StdEncoding.DecodedLen(len(payload))); n > s.photoCap()+2 {
			return nil, &Problem{Status: http.StatusRequestEntityTooLarge, Title: "Photo too large", Field: "photo",
				Detail: fmt.Sprintf("the data: photo has about %d bytes, over the limit of %d; send a smaller photo", n, s.photoCap())}
		}
		data, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid photo", Field: "photo", Detail: "the base64 photo does not decode: " + err.Error()}
		}
		return data, nil
	}
	return s.fetcher.Get(ctx, ref)
}

// readMultipart reads the "article" and "photo" parts of a form, each
// under its own cap: MaxArticleBytes and the photo cap.
// length is the body's Content-Length (-1 when unknown), a size hint.
func (s *Server) readMultipart(body io.Reader, boundary string, length int64) (article, photo []byte, err error) {
	if boundary == "" {
		return nil, nil, &Problem{Status: http.StatusBadRequest, Title: "Invalid multipart body", Detail: "the Content-Type has no boundary"}
	}
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read multipart body: %w", asBadRequest(err))
		}
		var limit int64
		var dst *[]byte
		switch part.FormName() {
		case "article":
			limit, dst = s.cfg.MaxArticleBytes, &article
		case "photo":
			limit, dst = s.photoCap(), &photo
		default:
			return nil, nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Unknown form field", Field: part.FormName(), Detail: "the form takes two parts: article (JSON or YAML) and photo (the image file)"}
		}
		if *dst != nil {
			return nil, nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Repeated form field", Field: part.FormName(), Detail: "send each of article and photo once"}
		}
		hint := int64(-1) // an article part is small: no hint
		if dst == &photo {
			hint = min(length, limit+1)
		}
		data, err := readAllSized(io.LimitReader(part, limit+1), hint)
		if err != nil {
			return nil, nil, asBadRequest(err)
		}
		if int64(len(data)) > limit {
			what, fix := "the article part", "an article needs far less (its fields have their own length limits)"
			if dst == &photo {
				what, fix = "the photo part", "send a smaller photo"
			}
			p := tooLarge(limit, what, fix)
			p.Field = part.FormName()
			return nil, nil, p
		}
		*dst = data
	}
	if article == nil {
		return nil, nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Missing article", Field: "article", Detail: "the form needs an article part (JSON or YAML)"}
	}
	return article, photo, nil
}

// asBadRequest keeps the answers of the body reader (413, 408) and
// body-size errors, and turns other read errors into 400.
func asBadRequest(err error) error {
	var mbe *http.MaxBytesError
	var p *Problem
	if errors.As(err, &mbe) || errors.As(err, &p) {
		return err
	}
	return &Problem{Status: http.StatusBadRequest, Title: "Invalid body", Detail: err.Error()}
}

// contentKey addresses everything rendered from the same inputs: the
// article's fields, the photo's bytes, the layout (file and assets), the
// format and the engine version. A re-publish of the same content hits the
// store; a changed headline gets new URLs.
func contentKey(a *article.Article, photo []byte, l *layout.Layout, f preset.Format) string {
	return versionedKey(render.Version, a, photo, l, f)
}

// versionedKey is contentKey for an engine version, a parameter so that a
// test can show an older engine's images are never served under a newer
// key.
func versionedKey(version string, a *article.Article, photo []byte, l *layout.Layout, f preset.Format) string {
	h := sha256.New()
	art := *a
	art.Photo = ""
	aj, _ := json.Marshal(art)
	ph := sha256.Sum256(photo)
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%x\x00", version, l.Digest, f, aj, ph)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func fileName(p preset.Preset, f preset.Format) string {
	if f == "" {
		f = p.Format
	}
	return p.ID + "." + f.Ext()
}

// writeImage answers with image bytes just rendered, with the headers,
// Range and conditional support of serveStored. sha is the hex SHA-256 of
// data; its first 128 bits are the ETag, as store.ETag makes it.
func writeImage(w http.ResponseWriter, r *http.Request, data []byte, ctype, sha string) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", `"`+sha[:32]+`"`)
	h.Set("Cache-Control", immutable)
	http.ServeContent(w, r, "", time.Now(), bytes.NewReader(data))
}

func errText(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}

// strictJSON refuses what encoding/json refuses (trailing commas, empty
// values) in a body sent as application/json, which the YAML parser
// behind the article reader would accept, with the line and column.
func strictJSON(data []byte) error {
	// Into an empty struct: the syntax is checked without copying the
	// values (a data: photo may be tens of megabytes).
	var v struct{}
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return nil // other problems are reported by the article reader
	}
	line, col := 1, 1
	for _, b := range data[:max(0, min(int(se.Offset)-1, len(data)))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid JSON", Field: "body",
		Detail: fmt.Sprintf("body:%d:%d: %v", line, col, err)}
}
