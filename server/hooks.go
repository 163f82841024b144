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
	secret, ok := h.s.cfg.HookSecrets[source]
	if !ok {
		h.s.refuse(w, r, &Problem{Status: http.StatusNotFound, Title: "Unknown webhook source", Field: "source", Detail: fmt.Sprintf("no secret is configured for %q (set SHARECARD_HOOK_SECRET_%s)", source, strings.ToUpper(source))})
		return
	}
	// Everything that can be checked without the body is checked before
	// it is read: the signature's shape and age, and the declared length.
	ts, sig, err := parseHookSignature(r.Header.Get(SignatureHeader), time.Now())
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
	if err := checkHookMAC(secret, ts, sig, body); err != nil {
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

// checkHookMAC checks that mac, from a signature parseHookSignature
// accepted with time ts, signs body.
func checkHookMAC(secret []byte, ts string, mac, body []byte) error {
	if !hmac.Equal(mac, hookMAC(secret, ts, body)) {
		return badSignature("the signature does not match the body")
	}
	return nil
}

func badSignature(detail string) error {
	return &Problem{Status: http.StatusUnauthorized, Title: "Bad webhook signature", Field: SignatureHeader, Detail: detail}
}

// parseHookSignature checks what the signature header says without the
// body: its shape, and that its time is within maxSkew of now. It returns
// the time as sent and the MAC.
func parseHookSignature(header string, now time.Time) (ts string, mac []byte, err error) {
	var sig string
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
		return "", nil, badSignature("missing or malformed: expected t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", nil, badSignature("t is not a Unix time in seconds")
	}
	switch d := now.Sub(time.Unix(sec, 0)); {
	case d > maxSkew:
		return "", nil, badSignature(fmt.Sprintf("the signature is %s old; webhooks older than %s are refused as replays", d.Round(time.Second), maxSkew))
	case d < -maxSkew:
		return "", nil, badSignature(fmt.Sprintf("the signature's time t is %s in the future; more than %s ahead is refused (check the sender's clock)", (-d).Round(time.Second), maxSkew))
	}
	if mac, err = hex.DecodeString(sig); err != nil || len(mac) != sha256.Size {
		return "", nil, badSignature("v1 is not 64 hex digits (an HMAC-SHA256)")
	}
	return ts, mac, nil
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
		"manifest": st.Result, "created": st.Created, "updated": st.Updated, "callback": st.Callback,
	})
}
