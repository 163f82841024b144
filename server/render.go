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
	"time"

	"sharecard/render"
	"sharecard/render/article"
	"sharecard/render/layout"
	"sharecard/render/preset"
	"sharecard/render/publish"
)

// renderRequest is an article with its photo bytes, ready to render.
type renderRequest struct {
	article *article.Article
	photo   []byte
	layout  *layout.Layout
	presets []preset.Preset
	format  preset.Format
	ticket  *ticket // a place in the pool taken before the photo was fetched, or nil
}

// handleRender serves POST /v1/render: with ?preset=ID the answer is that
// image; without, every selected preset is rendered and stored and the
// answer is the manifest with a URL per image.
func (s *Server) handleRender(w http.ResponseWriter, r *http.Request) {
	req, err := s.readRenderRequest(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	key := contentKey(req.article, req.photo, req.layout, req.format)
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
	s.renderStoreServe(w, r, req, name)
}

// renderStoreServe renders a single-preset request, stores the image under
// name and answers with it.
func (s *Server) renderStoreServe(w http.ResponseWriter, r *http.Request, req *renderRequest, name string) {
	res, err := s.render(r.Context(), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	o := res.Outputs[0]
	if err := s.store.Put(r.Context(), name, o.Data, o.Format.MIMEType()); err != nil {
		s.problem(w, r, fmt.Errorf("store %s: %w", name, err))
		return
	}
	// The rendered bytes are served as they are, without reading them
	// back: the store's ETag is derived from the bytes alone (store.ETag),
	// so this answer carries the same ETag later requests get.
	writeImage(w, r, o.Data, o.Format.MIMEType(), o.SHA256)
}

// renderAll renders every selected preset, stores the images and the
// manifest, and returns the manifest JSON. A stored manifest is a cache hit.
func (s *Server) renderAll(ctx context.Context, req *renderRequest, key, route string) ([]byte, error) {
	manifestKey := key + "/manifest.json"
	if obj, err := s.store.Open(ctx, manifestKey); err == nil {
		defer obj.Body.Close()
		s.metrics.cache.WithLabelValues(route, "hit").Inc()
		return io.ReadAll(obj.Body)
	}
	s.metrics.cache.WithLabelValues(route, "miss").Inc()
	if req.presets == nil {
		ps, err := preset.Select("", req.layout.Presets)
		if err != nil {
			return nil, err
		}
		req.presets = ps
	}
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
		if stored, err := s.readStored(ctx, name); err == nil {
			sum := sha256.Sum256(stored)
			m.Images[i].Bytes, m.Images[i].SHA256 = len(stored), hex.EncodeToString(sum[:])
		} else if err := s.store.Put(ctx, name, o.Data, o.Format.MIMEType()); err != nil {
			return nil, fmt.Errorf("store %s: %w", name, err)
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

// readStored returns a stored object's bytes.
func (s *Server) readStored(ctx context.Context, name string) ([]byte, error) {
	obj, err := s.store.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer obj.Body.Close()
	return io.ReadAll(obj.Body)
}

// render runs one job on the bounded pool.
func (s *Server) render(ctx context.Context, req *renderRequest) (*render.Result, error) {
	if req.ticket != nil { // a place taken before the photo was fetched
		defer req.ticket.release()
		if err := req.ticket.wait(ctx, s.cfg.MaxQueueWait); err != nil {
			return nil, err
		}
	} else {
		release, err := s.pool.acquire(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	res, err := s.engine.Render(ctx, render.Job{Article: req.article, Photo: req.photo, Layout: req.layout, Presets: req.presets, Format: req.format})
	if res != nil {
		s.metrics.observe(res.Timings, err)
	} else {
		s.metrics.observe(render.Timings{}, err)
	}
	return res, err
}

// readRenderRequest parses the body (JSON, YAML or multipart) and fetches
// or decodes the photo.
func (s *Server) readRenderRequest(r *http.Request) (*renderRequest, error) {
	ctype, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var (
		articleData []byte
		photo       []byte
		err         error
	)
	switch {
	case ctype == "multipart/form-data":
		articleData, photo, err = readMultipart(r, params["boundary"])
	case ctype == "application/json", ctype == "application/yaml", ctype == "application/x-yaml", ctype == "text/yaml", ctype == "":
		if articleData, err = io.ReadAll(r.Body); err != nil {
			// A body that ends before its Content-Length is the client's
			// mistake, as in multipart bodies: 400, not 500.
			err = asBadRequest(err)
		}
	default:
		return nil, &Problem{Status: http.StatusUnsupportedMediaType, Title: "Unsupported body", Detail: fmt.Sprintf("send the article as application/json, application/yaml or multipart/form-data, not %q", ctype)}
	}
	if err != nil {
		return nil, err
	}
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
	}
	return req, nil
}

// photoBytes returns the photo given in an article: a data: URI or an
// http(s) URL fetched through the guarded fetcher.
func (s *Server) photoBytes(ctx context.Context, ref string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(ref, "data:"); ok {
		meta, payload, found := strings.Cut(rest, ",")
		if !found || !strings.HasSuffix(meta, ";base64") {
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid photo", Field: "photo", Detail: "a data: photo must be base64, like data:image/jpeg;base64,/9j/4AAQ..."}
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(payload))
		if err != nil {
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid photo", Field: "photo", Detail: "the base64 photo does not decode: " + err.Error()}
		}
		return data, nil
	}
	return s.fetcher.Get(ctx, ref)
}

// readMultipart reads the "article" and "photo" parts of a form.
func readMultipart(r *http.Request, boundary string) (article, photo []byte, err error) {
	if boundary == "" {
		return nil, nil, &Problem{Status: http.StatusBadRequest, Title: "Invalid multipart body", Detail: "the Content-Type has no boundary"}
	}
	mr := multipart.NewReader(r.Body, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read multipart body: %w", asBadRequest(err))
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, asBadRequest(err)
		}
		switch part.FormName() {
		case "article":
			article = data
		case "photo":
			photo = data
		default:
			return nil, nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Unknown form field", Field: part.FormName(), Detail: "the form takes two parts: article (JSON or YAML) and photo (the image file)"}
		}
	}
	if article == nil {
		return nil, nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Missing article", Field: "article", Detail: "the form needs an article part (JSON or YAML)"}
	}
	return article, photo, nil
}

// asBadRequest keeps body-size errors (413) and turns other read errors
// into 400.
func asBadRequest(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &Problem{Status: http.StatusBadRequest, Title: "Invalid body", Detail: err.Error()}
}

// contentKey addresses everything rendered from the same inputs: the
// article's fields, the photo's bytes, the layout (file and assets), the
// format and the engine version. A re-publish of the same content hits the
// store; a changed headline gets new URLs.
func contentKey(a *article.Article, photo []byte, l *layout.Layout, f preset.Format) string {
	h := sha256.New()
	art := *a
	art.Photo = ""
	aj, _ := json.Marshal(art)
	ph := sha256.Sum256(photo)
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%x\x00", render.Version, l.Digest, f, aj, ph)
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
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
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
	var v any
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
