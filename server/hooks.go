package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sharecard/jobs"
)

// Queue is the durable job queue webhooks are handed to (see package jobs).
type Queue interface {
	Enqueue(ctx context.Context, id string, payload []byte) (created bool, err error)
	Status(ctx context.Context, id string) (jobs.Status, error)
	Stats(ctx context.Context) (queued, running, failed int, err error)
	Ready() bool
}

// hooks handles CMS webhooks.
type hooks struct {
	s     *Server
	queue Queue
}

// SignatureHeader carries a webhook's signature: "t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<raw body>" under the source's secret>".
const SignatureHeader = "X-Sharecard-Signature"

// maxSkew is how old (or how far in the future) a signed webhook may be;
// older ones are refused as replays.
const maxSkew = 5 * time.Minute

var errNoQueue = &Problem{Status: http.StatusServiceUnavailable, Title: "Webhooks unavailable", Detail: "this server runs without a job queue", RetryAfter: 30}

func (s *Server) handleHook(w http.ResponseWriter, r *http.Request) {
	if s.hooks == nil {
		s.problem(w, r, errNoQueue)
		return
	}
	s.hooks.serve(w, r)
}

func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	if s.hooks == nil {
		s.problem(w, r, errNoQueue)
		return
	}
	s.hooks.status(w, r)
}

// hookJob is what a webhook's job carries through the queue.
type hookJob struct {
	Source  string          `json:"source"`
	Article json.RawMessage `json:"article"`
}

func (h *hooks) serve(w http.ResponseWriter, r *http.Request) {
	source := r.PathValue("source")
	secret, ok := h.s.cfg.HookSecrets[source]
	if !ok {
		h.s.problem(w, r, &Problem{Status: http.StatusNotFound, Title: "Unknown webhook source", Field: "source", Detail: fmt.Sprintf("no secret is configured for %q (set SHARECARD_HOOK_SECRET_%s)", source, strings.ToUpper(source))})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.s.problem(w, r, asBadRequest(err))
		return
	}
	if err := verifyHook(secret, r.Header.Get(SignatureHeader), body, time.Now()); err != nil {
		h.s.problem(w, r, err)
		return
	}
	a, err := mapPayload(source, body, h.s.cfg.HookMappings[source])
	if err != nil {
		h.s.problem(w, r, err)
		return
	}
	aj, _ := json.Marshal(a)
	sum := sha256.Sum256(append([]byte(source+"\x00"), aj...))
	id := hex.EncodeToString(sum[:16])
	payload, _ := json.Marshal(hookJob{Source: source, Article: aj})
	created, err := h.queue.Enqueue(r.Context(), id, payload)
	if err != nil {
		h.s.problem(w, r, fmt.Errorf("enqueue job: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", h.s.cfg.BaseURL+"/v1/jobs/"+id)
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]any{"job": id, "created": created, "status": h.s.cfg.BaseURL + "/v1/jobs/" + id})
}

// verifyHook checks a webhook's signature and age.
func verifyHook(secret []byte, header string, body []byte, now time.Time) error {
	bad := func(detail string) error {
		return &Problem{Status: http.StatusUnauthorized, Title: "Bad webhook signature", Field: SignatureHeader, Detail: detail}
	}
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	if ts == "" || sig == "" {
		return bad("missing or malformed: expected t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return bad("t is not a Unix time in seconds")
	}
	switch d := now.Sub(time.Unix(sec, 0)); {
	case d > maxSkew:
		return bad(fmt.Sprintf("the signature is %s old; webhooks older than %s are refused as replays", d.Round(time.Second), maxSkew))
	case d < -maxSkew:
		return bad(fmt.Sprintf("the signature's time t is %s in the future; more than %s ahead is refused (check the sender's clock)", (-d).Round(time.Second), maxSkew))
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, hookMAC(secret, ts, body)) {
		return bad("the signature does not match the body")
	}
	return nil
}

func hookMAC(secret []byte, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return mac.Sum(nil)
}

// SignHook returns the SignatureHeader value for body at time now.
func SignHook(secret, body []byte, now time.Time) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(hookMAC(secret, ts, body))
}

func (h *hooks) status(w http.ResponseWriter, r *http.Request) {
	st, err := h.queue.Status(r.Context(), r.PathValue("id"))
	if errors.Is(err, jobs.ErrNotFound) || errors.Is(err, jobs.ErrInvalidID) {
		h.s.problem(w, r, &Problem{Status: http.StatusNotFound, Title: "Unknown job", Detail: "no job with this id"})
		return
	}
	if err != nil {
		h.s.problem(w, r, fmt.Errorf("job status: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": st.ID, "state": st.State, "attempts": st.Attempts, "error": st.Error,
		"manifest": st.Result, "created": st.Created, "updated": st.Updated,
	})
}
