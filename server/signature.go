package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Scheme is how a webhook source signs its requests.
type Scheme string

// The signature schemes a source may use.
const (
	// SchemeSharecard is sharecard's own: SignatureHeader
	// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">", with one
	// or more v1 values (one per secret while secrets rotate).
	SchemeSharecard Scheme = "sharecard"
	// SchemeStandard is Standard Webhooks (standardwebhooks.com):
	// webhook-id, webhook-timestamp (unix seconds) and webhook-signature,
	// a space-separated list of "v1,<base64 HMAC-SHA256 of
	// "<id>.<timestamp>.<body>">".
	SchemeStandard Scheme = "standard-webhooks"
	// SchemeGitHub is GitHub's X-Hub-Signature-256: "sha256=<hex
	// HMAC-SHA256 of the body>". It carries no time, so no replay window.
	SchemeGitHub Scheme = "github"
	// SchemeGhost is Ghost's X-Ghost-Signature: "sha256=<hex HMAC-SHA256
	// of the body followed by t>, t=<unix milliseconds>".
	SchemeGhost Scheme = "ghost"
)

// schemes lists the schemes, for messages and the docs.
var schemes = []Scheme{SchemeSharecard, SchemeStandard, SchemeGitHub, SchemeGhost}

// Header names of the schemes.
const (
	StandardIDHeader        = "Webhook-Id"
	StandardTimestampHeader = "Webhook-Timestamp"
	StandardSignatureHeader = "Webhook-Signature"
	GitHubSignatureHeader   = "X-Hub-Signature-256"
	GhostSignatureHeader    = "X-Ghost-Signature"
)

// header is the header that carries the scheme's signature.
func (sc Scheme) header() string {
	switch sc {
	case SchemeStandard:
		return StandardSignatureHeader
	case SchemeGitHub:
		return GitHubSignatureHeader
	case SchemeGhost:
		return GhostSignatureHeader
	}
	return SignatureHeader
}

// format says what the scheme's header looks like, for messages.
func (sc Scheme) format() string {
	switch sc {
	case SchemeStandard:
		return "webhook-id, webhook-timestamp (Unix seconds) and webhook-signature \"v1,<base64 HMAC-SHA256 of <id>.<timestamp>.<body>>\""
	case SchemeGitHub:
		return GitHubSignatureHeader + ": sha256=<hex HMAC-SHA256 of the body>"
	case SchemeGhost:
		return GhostSignatureHeader + ": sha256=<hex HMAC-SHA256 of the body followed by t>, t=<Unix milliseconds>"
	}
	return SignatureHeader + ": t=<Unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">"
}

// signedRequest is what a signature header says before the body is read:
// the MACs sent and how to compute the MAC of a body with a secret.
type signedRequest struct {
	scheme Scheme
	macs   [][]byte
	// message returns the bytes the MAC is computed over.
	message func(body []byte) []byte
}

// parseSignature reads the headers of scheme sc, without the body: their
// shape, and for the schemes with a time, that it is within maxSkew of now.
func parseSignature(sc Scheme, h http.Header, now time.Time) (*signedRequest, error) {
	bad := func(format string, args ...any) error {
		return &Problem{Status: http.StatusUnauthorized, Title: "Bad webhook signature", Field: sc.header(),
			Detail: fmt.Sprintf(format, args...)}
	}
	raw := strings.TrimSpace(h.Get(sc.header()))
	if raw == "" {
		return nil, bad("the %s header is missing; this source is configured for the %s scheme: %s", sc.header(), sc, sc.format())
	}
	sr := &signedRequest{scheme: sc}
	var ts string
	var when time.Time
	switch sc {
	case SchemeSharecard:
		var hexes []string
		for _, part := range strings.Split(raw, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "t":
				ts = v
			case "v1":
				hexes = append(hexes, v)
			}
		}
		if ts == "" || len(hexes) == 0 {
			return nil, bad("missing or malformed: expected %s", sc.format())
		}
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil, bad("t is not a Unix time in seconds")
		}
		when = time.Unix(sec, 0)
		for _, x := range hexes {
			mac, err := hex.DecodeString(x)
			if err != nil || len(mac) != sha256.Size {
				return nil, bad("v1 is not 64 hex digits (an HMAC-SHA256)")
			}
			sr.macs = append(sr.macs, mac)
		}
		sr.message = func(body []byte) []byte { return append([]byte(ts+"."), body...) }
	case SchemeStandard:
		id := strings.TrimSpace(h.Get(StandardIDHeader))
		ts = strings.TrimSpace(h.Get(StandardTimestampHeader))
		if id == "" || ts == "" {
			return nil, bad("webhook-id and webhook-timestamp are required with webhook-signature (Standard Webhooks)")
		}
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil, bad("webhook-timestamp %q is not a Unix time in seconds", clip(ts))
		}
		when = time.Unix(sec, 0)
		for _, sig := range strings.Fields(raw) {
			ver, b64, ok := strings.Cut(sig, ",")
			if !ok || ver != "v1" {
				continue // other versions (v1a: asymmetric) are not ours
			}
			mac, err := base64.StdEncoding.DecodeString(b64)
			if err != nil || len(mac) != sha256.Size {
				return nil, bad("a v1 signature is not the base64 of an HMAC-SHA256")
			}
			sr.macs = append(sr.macs, mac)
		}
		if len(sr.macs) == 0 {
			return nil, bad("webhook-signature holds no \"v1,<base64>\" signature")
		}
		sr.message = func(body []byte) []byte { return append([]byte(id+"."+ts+"."), body...) }
	case SchemeGitHub:
		x, ok := strings.CutPrefix(raw, "sha256=")
		mac, err := hex.DecodeString(x)
		if !ok || err != nil || len(mac) != sha256.Size {
			return nil, bad("malformed: expected %s", sc.format())
		}
		sr.macs = [][]byte{mac}
		sr.message = func(body []byte) []byte { return body }
		return sr, nil // no time: no replay window
	case SchemeGhost:
		var x string
		for _, part := range strings.Split(raw, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "sha256":
				x = v
			case "t":
				ts = v
			}
		}
		mac, err := hex.DecodeString(x)
		if ts == "" || err != nil || len(mac) != sha256.Size {
			return nil, bad("malformed: expected %s", sc.format())
		}
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil, bad("t is not a Unix time in milliseconds")
		}
		when = time.UnixMilli(ms)
		sr.macs = [][]byte{mac}
		sr.message = func(body []byte) []byte { return append(append([]byte{}, body...), ts...) }
	default:
		return nil, fmt.Errorf("webhook scheme %q is not implemented", sc)
	}
	switch d := now.Sub(when); {
	case d > maxSkew:
		return nil, bad("the signature is %s old; webhooks older than %s are refused as replays", d.Round(time.Second), maxSkew)
	case d < -maxSkew:
		return nil, bad("the signature's time is %s in the future; more than %s ahead is refused (check the sender's clock)", (-d).Round(time.Second), maxSkew)
	}
	return sr, nil
}

// check reports whether any MAC sent signs body under any of secrets.
func (sr *signedRequest) check(secrets [][]byte, body []byte) error {
	msg := sr.message(body)
	for _, secret := range secrets {
		want := computeMAC(secret, msg)
		for _, mac := range sr.macs {
			if hmac.Equal(mac, want) {
				return nil
			}
		}
	}
	return &Problem{Status: http.StatusUnauthorized, Title: "Bad webhook signature", Field: sr.scheme.header(),
		Detail: "the signature does not match the body under any of this source's secrets"}
}

func computeMAC(secret, msg []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(msg)
	return m.Sum(nil)
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// SignHook returns the SignatureHeader value for body at time now, with
// one v1 value per secret (several while secrets rotate).
func SignHook(secret, body []byte, now time.Time, more ...[]byte) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	out := "t=" + ts
	for _, s := range append([][]byte{secret}, more...) {
		out += ",v1=" + hex.EncodeToString(computeMAC(s, append([]byte(ts+"."), body...)))
	}
	return out
}

// SignGhost returns Ghost's X-Ghost-Signature value for body at time now.
func SignGhost(secret, body []byte, now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	return "sha256=" + hex.EncodeToString(computeMAC(secret, append(append([]byte{}, body...), ts...))) + ", t=" + ts
}

// SignGitHub returns the X-Hub-Signature-256 value for body.
func SignGitHub(secret, body []byte) string {
	return "sha256=" + hex.EncodeToString(computeMAC(secret, body))
}

// SignStandard returns the Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature) for a message id and body at time
// now, with one signature per secret. A secret is the raw key: decode a
// "whsec_" secret with [DecodeSecret] first.
func SignStandard(id string, body []byte, now time.Time, secrets ...[]byte) http.Header {
	ts := strconv.FormatInt(now.Unix(), 10)
	var sigs []string
	for _, s := range secrets {
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(computeMAC(s, append([]byte(id+"."+ts+"."), body...))))
	}
	h := http.Header{}
	h.Set(StandardIDHeader, id)
	h.Set(StandardTimestampHeader, ts)
	h.Set(StandardSignatureHeader, strings.Join(sigs, " "))
	return h
}

// DecodeSecret turns a configured secret into the HMAC key: a Standard
// Webhooks secret "whsec_<base64>" is the key in base64; any other text is
// the key itself.
func DecodeSecret(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return []byte(s), nil
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("a whsec_ secret must be followed by base64 (standard alphabet, with padding)")
	}
	return key, nil
}
