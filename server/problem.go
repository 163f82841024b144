package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/sharecard/sharecard/fetch"
	"github.com/sharecard/sharecard/jobs"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/strictyaml"
	"github.com/sharecard/sharecard/store"
)

// ProblemTypeBase prefixes every problem's type URI; the README lists the
// types under "Problems".
const ProblemTypeBase = "https://sharecard.dev/problems/"

// ProblemType is the type URI of problems with the given title: the base
// and the title's slug ("Photo too large" ->
// https://sharecard.dev/problems/photo-too-large). One title is one kind
// of problem, so one type; a test checks that no two titles share one.
func ProblemType(title string) string { return ProblemTypeBase + problemSlug(title) }

// problemSlug lower-cases title and joins its runs of letters and digits
// with hyphens.
func problemSlug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// Problem is an error answer in the RFC 9457 problem+json format. Field
// names the request field at fault, so a CMS developer can fix it.
type Problem struct {
	// Type is the problem's type URI; empty means ProblemType(Title).
	Type     string   `json:"type,omitempty"`
	Title    string   `json:"title"`
	Status   int      `json:"status"`
	Detail   string   `json:"detail,omitempty"`
	Field    string   `json:"field,omitempty"`
	Errors   []string `json:"errors,omitempty"`
	Instance string   `json:"instance,omitempty"`
	// RetryAfter, in seconds, is sent as a header with 503 answers.
	RetryAfter int `json:"-"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

// problemFor maps an error to the answer a client gets. This is the one
// place where errors become status codes; anything unexpected is a 500
// whose details stay in the log.
func problemFor(err error) *Problem {
	var p *Problem
	var fe *strictyaml.FieldError
	var mg *render.MissingGlyphsError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &fe):
		out := &Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid article", Field: fe.Field, Detail: fe.Error()}
		for _, e := range strictyaml.FieldErrors(err) {
			out.Errors = append(out.Errors, e.Error())
		}
		return out
	case errors.As(err, &mg):
		// A character no font has would be drawn as a box: never published.
		return &Problem{Status: http.StatusUnprocessableEntity, Title: "Characters no font has", Field: mg.Field, Detail: err.Error()}
	case errors.Is(err, photo.ErrPhotoTooLarge), errors.Is(err, fetch.ErrTooLarge):
		return &Problem{Status: http.StatusRequestEntityTooLarge, Title: "Photo too large", Field: "photo", Detail: err.Error()}
	case errors.Is(err, photo.ErrUnsupportedFormat), errors.Is(err, photo.ErrEmptyPhoto), errors.Is(err, photo.ErrCorruptPhoto):
		return &Problem{Status: http.StatusUnprocessableEntity, Title: "Unusable photo", Field: "photo", Detail: err.Error()}
	case errors.Is(err, fetch.ErrBadURL), errors.Is(err, fetch.ErrForbiddenAddress), errors.Is(err, fetch.ErrTooManyRedirects):
		return &Problem{Status: http.StatusUnprocessableEntity, Title: "Photo URL refused", Field: "photo", Detail: err.Error()}
	case errors.Is(err, fetch.ErrUpstream):
		return &Problem{Status: http.StatusBadGateway, Title: "Photo download failed", Field: "photo", Detail: err.Error()}
	case errors.Is(err, store.ErrUnavailable):
		return &Problem{Status: http.StatusServiceUnavailable, Title: "Storage unavailable", Detail: "the image store cannot be reached; retry shortly", RetryAfter: 10}
	case errors.Is(err, store.ErrNoSpace):
		return &Problem{Status: http.StatusInsufficientStorage, Title: "Storage full", Detail: "the image store has no space left; the operator has been told (see /readyz)", RetryAfter: 60}
	case errors.Is(err, jobs.ErrTooLarge):
		return &Problem{Status: http.StatusRequestEntityTooLarge, Title: "Webhook too large", Detail: err.Error()}
	case errors.Is(err, jobs.ErrUnavailable):
		return &Problem{Status: http.StatusServiceUnavailable, Title: "Job queue unavailable", Detail: "the job queue did not store the webhook in time (see /readyz); retry shortly", RetryAfter: 10}
	case errors.Is(err, store.ErrNotFound):
		return &Problem{Status: http.StatusNotFound, Title: "Not found", Detail: "no such image"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Problem{Status: http.StatusGatewayTimeout, Title: "Timed out", Detail: "the request took longer than the server's deadline"}
	case errors.Is(err, context.Canceled):
		return &Problem{Status: 499, Title: "Client went away"}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Problem{Status: http.StatusRequestEntityTooLarge, Title: "Request too large", Detail: fmt.Sprintf("the body is over the limit of %d bytes", mbe.Limit)}
	}
	return &Problem{Status: http.StatusInternalServerError, Title: "Internal error", Detail: "the error was logged; try again or report it with the request id"}
}

// problem writes err as problem+json and logs it.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if p.Status >= 500 && p.Status != http.StatusServiceUnavailable { // 503 Busy is expected under load
		s.log.Error("request failed", "id", requestID(r.Context()), "path", r.URL.Path, "err", err)
	}
	out := *p
	out.Instance = requestID(r.Context())
	if out.Type == "" {
		out.Type = ProblemType(out.Title)
	}
	if out.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(out.RetryAfter))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(out.Status)
	_ = json.NewEncoder(w).Encode(out)
}
