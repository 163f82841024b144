package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sharecard/sharecard/jobs"
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
		s.refuse(w, r, errNoQueue)
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
	src, ok := h.s.cfg.hookSource(source)
	if !ok {
		h.s.refuse(w, r, &Problem{Status: http.StatusNotFound, Title: "Unknown webhook source", Field: "source", Detail: fmt.Sprintf("no source %q is configured (define it in the hooks file, --hooks, or set SHARECARD_HOOK_SECRET_%s)", source, strings.ToUpper(source))})
		return
	}
	// Everything that can be checked without the body is checked before
	// it is read: the signature's shape and age, and the declared length.
	signed, err := parseSignature(requestScheme(src, r.Header), r.Header, time.Now())
	if p, ok := err.(*Problem); ok && len(src.Schemes) > 1 && r.Header.Get(p.Field) == "" {
		var alts []string
		for _, sc := range src.Schemes[1:] {
			alts = append(alts, fmt.Sprintf("%s (%s scheme)", sc.header(), sc))
		}
		p.Detail += "; this source also accepts " + strings.Join(alts, ", ")
	}
	if err != nil {
		h.s.refuse(w, r, err)
		return
	}
	limit := h.bodyCap()
	fix := fmt.Sprintf("the job queue takes at most %d bytes per job; send only the post that changed (or raise max_payload on the NATS server)", h.payloadLimit())
	if err := checkLength(r, limit, "the webhook body", fix); err != nil {
		h.s.refuse(w, r, err)
		return
	}
	br := h.s.newBodyReader(w, r, limit, "the webhook body", fix)
	body, err := io.ReadAll(br)
	br.done()
	if err != nil {
		h.s.refuse(w, r, asBadRequest(err))
		return
	}
	if err := signed.check(src.Secrets, body); err != nil {
		h.s.problem(w, r, err)
		return
	}
	a, ignored, err := mapSource(src, body)
	if err != nil {
		h.s.problem(w, r, err)
		return
	}
	if ignored != "" {
		// Not an error: the CMS must not retry, and no job is made.
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ignored": true, "reason": ignored})
		return
	}
	aj, _ := json.Marshal(a)
	sum := sha256.Sum256(append([]byte(source+"\x00"), aj...))
	id := hex.EncodeToString(sum[:16])
	payload, _ := json.Marshal(hookJob{Source: source, Article: aj})
	if maxPayload := h.payloadLimit(); int64(len(payload)) > maxPayload {
		h.s.problem(w, r, &Problem{Status: http.StatusRequestEntityTooLarge, Title: "Webhook too large",
			Detail: fmt.Sprintf("the job made from this webhook has %d bytes, over the job queue's limit of %d; send shorter fields (or raise max_payload on the NATS server)", len(payload), maxPayload)})
		return
	}
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

// requestScheme is the scheme a request to src is checked with: the
// first of the source's schemes whose header the request carries, else
// the first (whose missing header is then the error).
func requestScheme(src *HookSource, h http.Header) Scheme {
	if len(src.Schemes) == 0 {
		return SchemeSharecard
	}
	for _, sc := range src.Schemes {
		if h.Get(sc.header()) != "" {
			return sc
		}
	}
	return src.Schemes[0]
}

// defaultHookPayload is the job payload limit assumed when the queue does
// not tell its own: the embedded NATS server's.
const defaultHookPayload = 8 << 20

// payloadLimit is the largest job payload the queue accepts.
func (h *hooks) payloadLimit() int64 {
	if q, ok := h.queue.(interface{ MaxPayload() int64 }); ok {
		if n := q.MaxPayload(); n > 0 {
			return n
		}
	}
	return defaultHookPayload
}

// bodyCap is the largest webhook body read: Config.MaxHookBytes, by
// default the queue's payload limit (a job carries only the article
// mapped from the body, which is smaller but for HTML turned to escaped
// text), never more than MaxBodyBytes.
func (h *hooks) bodyCap() int64 {
	n := h.s.cfg.MaxHookBytes
	if n <= 0 {
		n = h.payloadLimit()
	}
	return min(n, h.s.cfg.MaxBodyBytes)
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
		"manifest": st.Result, "created": st.Created, "updated": st.Updated, "callback": st.Callback,
	})
}
