package server

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"
)

// signAs signs body as a sender of scheme sc does, with secret at time at.
func signAs(sc Scheme, secret, body []byte, at time.Time) http.Header {
	h := http.Header{}
	switch sc {
	case SchemeSharecard:
		h.Set(SignatureHeader, SignHook(secret, body, at))
	case SchemeStandard:
		h = SignStandard("msg_2Lh9", body, at, secret)
	case SchemeGitHub:
		h.Set(GitHubSignatureHeader, SignGitHub(secret, body))
	case SchemeGhost:
		h.Set(GhostSignatureHeader, SignGhost(secret, body, at))
	}
	return h
}

// verify checks h and body in the handler's two steps.
func verify(sc Scheme, secrets [][]byte, h http.Header, body []byte, now time.Time) error {
	sr, err := parseSignature(sc, h, now)
	if err != nil {
		return err
	}
	return sr.check(secrets, body)
}

// TestSignature_Schemes: every scheme accepts a good signature, one under
// any configured secret (rotation), and refuses a wrong secret, a changed
// body, a missing header and (where the scheme has a time) a replay.
func TestSignature_Schemes(t *testing.T) {
	now := time.Unix(1_796_000_000, 0)
	body := []byte(`{"post":{"current":{"title":"Signed"}}}`)
	current, old := []byte("current-secret"), []byte("old-secret")
	for _, sc := range schemes {
		tests := []struct {
			name    string
			h       http.Header
			body    []byte
			secrets [][]byte
			want    string // "" for accepted, else a part of the error
		}{
			{"good", signAs(sc, current, body, now), body, [][]byte{current}, ""},
			{"rotated: signed with the old secret", signAs(sc, old, body, now), body, [][]byte{current, old}, ""},
			{"rotated: signed with the new secret", signAs(sc, current, body, now), body, [][]byte{current, old}, ""},
			{"retired secret", signAs(sc, old, body, now), body, [][]byte{current}, "does not match"},
			{"wrong secret", signAs(sc, []byte("guess"), body, now), body, [][]byte{current}, "does not match"},
			{"body changed", signAs(sc, current, body, now), append([]byte(" "), body...), [][]byte{current}, "does not match"},
			{"missing", http.Header{}, body, [][]byte{current}, "missing"},
		}
		if sc != SchemeGitHub {
			tests = append(tests,
				struct {
					name    string
					h       http.Header
					body    []byte
					secrets [][]byte
					want    string
				}{"replayed", signAs(sc, current, body, now.Add(-6*time.Minute)), body, [][]byte{current}, "refused as replays"},
				struct {
					name    string
					h       http.Header
					body    []byte
					secrets [][]byte
					want    string
				}{"from the future", signAs(sc, current, body, now.Add(6*time.Minute)), body, [][]byte{current}, "in the future"},
			)
		}
		for _, tc := range tests {
			t.Run(string(sc)+"/"+tc.name, func(t *testing.T) {
				err := verify(sc, tc.secrets, tc.h, tc.body, now)
				if tc.want == "" {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one saying %q", err, tc.want)
				}
				if p := problemFor(err); p.Status != http.StatusUnauthorized || p.Field != sc.header() {
					t.Errorf("problem status %d field %q, want 401 at %s", p.Status, p.Field, sc.header())
				}
			})
		}
	}
}

// TestSignature_Vectors pins each scheme's message layout with values
// computed apart from this code (Python's hmac module) from the public
// descriptions: Ghost's webhook trigger, the Standard Webhooks spec,
// GitHub's docs.
func TestSignature_Vectors(t *testing.T) {
	body := []byte(`{"a":1}`)
	at := time.UnixMilli(1_700_000_000_123)
	secret := []byte("s3cret")
	tests := []struct {
		name, got, want string
	}{
		// HMAC-SHA256("s3cret", `{"a":1}` + "1700000000123")
		{"ghost", SignGhost(secret, body, at), "sha256=ed36a8bdc4c87fce9645a7748790cf3603f717ddcf49d544884d60e044808d0a, t=1700000000123"},
		// HMAC-SHA256("s3cret", "1700000000." + `{"a":1}`)
		{"sharecard", SignHook(secret, body, at), "t=1700000000,v1=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"},
		{"github", SignGitHub(secret, body), "sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d"},
		{"standard", SignStandard("msg_1", body, at, secret).Get(StandardSignatureHeader),
			"v1,JTnXZsicQmbYBUKbG0PXd2OqV6VmCFiMTEvW8yxopSo="},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, tc.got, tc.want)
		}
	}
	// A published value: the HMAC-SHA256 test vector of RFC 4231 case 2.
	if got := hexMAC([]byte("Jefe"), "what do ya want for nothing?"); got != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Errorf("RFC 4231 case 2: %s", got)
	}
}

func hexMAC(secret []byte, msg string) string {
	return strings.TrimPrefix(SignGitHub(secret, []byte(msg)), "sha256=")
}

// TestSignature_StandardSecret: a whsec_ secret is base64; the list in
// webhook-signature may hold other versions and several v1 values.
func TestSignature_StandardSecret(t *testing.T) {
	key, err := DecodeSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("raw key bytes")))
	if err != nil || string(key) != "raw key bytes" {
		t.Fatalf("DecodeSecret: %q %v", key, err)
	}
	if _, err := DecodeSecret("whsec_%%%"); err == nil {
		t.Error("a whsec_ secret that is not base64 is accepted")
	}
	now := time.Unix(1_796_000_000, 0)
	body := []byte(`{}`)
	h := SignStandard("msg_1", body, now, []byte("other"), key)
	h.Set(StandardSignatureHeader, "v1a,bm90IG91cnM= "+h.Get(StandardSignatureHeader))
	if err := verify(SchemeStandard, [][]byte{key}, h, body, now); err != nil {
		t.Errorf("second v1 of three: %v", err)
	}
	h.Del(StandardIDHeader)
	if err := verify(SchemeStandard, [][]byte{key}, h, body, now); err == nil || !strings.Contains(err.Error(), "webhook-id") {
		t.Errorf("without webhook-id: %v", err)
	}
}

// TestSignature_Malformed: headers of the wrong shape are 401 with a
// message that says the expected shape, never a panic.
func TestSignature_Malformed(t *testing.T) {
	now := time.Unix(1_796_000_000, 0)
	tests := []struct {
		sc          Scheme
		header, val string
		want        string
	}{
		{SchemeSharecard, SignatureHeader, "t=1796000000", "expected"},
		{SchemeSharecard, SignatureHeader, "t=x,v1=00", "Unix time"},
		{SchemeSharecard, SignatureHeader, "t=1796000000,v1=zz", "64 hex digits"},
		{SchemeGhost, GhostSignatureHeader, "sha256=abc", "expected"},
		{SchemeGhost, GhostSignatureHeader, "sha256=" + strings.Repeat("0", 64) + ", t=soon", "milliseconds"},
		{SchemeGitHub, GitHubSignatureHeader, "sha1=" + strings.Repeat("0", 40), "expected"},
		{SchemeStandard, StandardSignatureHeader, "v1,!!!", "base64"},
	}
	for _, tc := range tests {
		t.Run(string(tc.sc)+"/"+tc.val, func(t *testing.T) {
			h := http.Header{}
			h.Set(tc.header, tc.val)
			h.Set(StandardIDHeader, "msg_1")
			h.Set(StandardTimestampHeader, "1796000000")
			_, err := parseSignature(tc.sc, h, now)
			if err == nil || !strings.Contains(err.Error(), tc.want) || problemFor(err).Status != http.StatusUnauthorized {
				t.Fatalf("error %v, want a 401 saying %q", err, tc.want)
			}
		})
	}
}

// FuzzParseSignature: no header value makes the parser panic, and one it
// accepts is checked without panicking.
func FuzzParseSignature(f *testing.F) {
	now := time.Unix(1_796_000_000, 0)
	f.Add("ghost", SignGhost([]byte("k"), []byte("{}"), now))
	f.Add("sharecard", SignHook([]byte("k"), []byte("{}"), now, []byte("k2")))
	f.Add("github", SignGitHub([]byte("k"), []byte("{}")))
	f.Add("standard-webhooks", SignStandard("m", []byte("{}"), now, []byte("k")).Get(StandardSignatureHeader))
	f.Add("ghost", "sha256=, t=")
	f.Fuzz(func(t *testing.T, scheme, value string) {
		h := http.Header{}
		sc := Scheme(scheme)
		h.Set(sc.header(), value)
		h.Set(StandardIDHeader, "m")
		h.Set(StandardTimestampHeader, "1796000000")
		sr, err := parseSignature(sc, h, now)
		if err != nil {
			return
		}
		_ = sr.check([][]byte{[]byte("k")}, []byte("{}"))
	})
}
