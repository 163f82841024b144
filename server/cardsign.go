package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/sharecard/sharecard/render/preset"
)

// Card URL signatures.
//
// The sig parameter of a card URL is the lowercase hex HMAC-SHA256, under
// the signing key, of the card's signing string:
//
//	<path> "\n" <canonical query>
//
// path is the URL's percent-decoded path (/v1/card/standard/og.jpg). The
// canonical query is built from the decoded parameters, sig left out:
// each name and value is normalised to Unicode NFC, then percent-encoded
// byte by byte, keeping only the RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~) and writing every other byte as %XX with
// uppercase hex digits (a space is %20, never +); the name=value pairs are
// sorted by encoded name, then encoded value (plain byte order: the
// encoded strings are ASCII, so every language sorts them alike) and
// joined with &. A parameter without = has the empty value.
//
// The string does not depend on how the client encoded its query (PHP's
// http_build_query, Node's URLSearchParams, Python's urlencode and Go's
// url.Values.Encode all give URLs that verify), only on the values.
// docs/readme-signing.md and integrations/signers/vectors.json publish the
// definition and test vectors for signers in other languages.

// cardSigningString returns the string a card URL's sig signs (see the
// package notes above), and the same string without NFC normalisation
// when that differs (else ""), for signers that cannot normalise. q is the
// decoded query; sig is left out. It refuses a name given twice (the
// order of repeated values is not signed, and only the first is read) and
// names or values that are not UTF-8.
func cardSigningString(path string, q url.Values) (canon, raw string, err error) {
	names := make([]string, 0, len(q))
	for k, vs := range q {
		if len(vs) > 1 {
			return "", "", fmt.Errorf("parameter %q appears %d times; give each card parameter once", k, len(vs))
		}
		if !utf8.ValidString(k) {
			return "", "", fmt.Errorf("parameter name %q is not UTF-8; percent-encode the UTF-8 bytes of the text", k)
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return "", "", fmt.Errorf("parameter %s: value %q is not UTF-8; percent-encode the UTF-8 bytes of the text", k, v)
			}
		}
		if k != "sig" {
			names = append(names, k)
		}
	}
	canon = canonicalPairs(q, names, true)
	if raw = canonicalPairs(q, names, false); raw == canon {
		raw = ""
	} else {
		raw = path + "\n" + raw
	}
	return path + "\n" + canon, raw, nil
}

// canonicalPairs encodes, sorts and joins the pairs of names (see
// cardSigningString); nfc normalises each name and value first.
func canonicalPairs(q url.Values, names []string, nfc bool) string {
	enc := func(s string) string {
		if nfc {
			s = norm.NFC.String(s)
		}
		return encodeUnreserved(s)
	}
	pairs := make([][2]string, 0, len(names))
	for _, k := range names {
		for _, v := range q[k] {
			pairs = append(pairs, [2]string{enc(k), enc(v)})
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p[0])
		b.WriteByte('=')
		b.WriteString(p[1])
	}
	return b.String()
}

// encodeUnreserved percent-encodes every byte of s but the RFC 3986
// unreserved characters, with uppercase hex digits.
func encodeUnreserved(s string) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}

// cardMAC is the HMAC-SHA256 of msg under key.
func cardMAC(key []byte, msg string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}

// cardSigKeys returns the keys a card URL may be signed with: the current
// key, then the previous one during a rotation.
func (c *Config) cardSigKeys() [][]byte {
	var keys [][]byte
	for _, k := range [][]byte{c.SignKey, c.SignKeyPrevious} {
		if len(k) > 0 {
			keys = append(keys, k)
		}
	}
	return keys
}

// verifyCardSig reports whether sig (hex) signs the card at path with
// query q under one of keys. Besides the signing string (NFC, and as sent
// for signers that cannot normalise), it accepts the form of the URLs
// signed before the canonical string was defined, path "?" Go's
// url.Values.Encode of the query, so those URLs keep working.
func verifyCardSig(keys [][]byte, path string, q url.Values, sig string) (bool, error) {
	canon, raw, err := cardSigningString(path, q)
	if err != nil {
		return false, err
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return false, nil
	}
	msgs := []string{canon, path + "?" + canonicalQuery(q)}
	if raw != "" {
		msgs = append(msgs, raw)
	}
	ok := false
	for _, k := range keys {
		for _, m := range msgs {
			// No early return: the time taken does not tell which key or
			// form matched.
			if hmac.Equal(got, cardMAC(k, m)) {
				ok = true
			}
		}
	}
	return ok, nil
}

// SignCardURL returns the signed URL of a card: base is the service's
// public address (e.g. https://cards.example.com), params the card's
// query (headline, section, caption, credit, lang, photo, breaking; any
// sig in params is dropped, and only the first value of a name is used).
// The query is written by url.Values.Encode, as before the canonical
// string was defined, so the URLs look as they did; the signature covers
// the values (see cardSigningString), so either form verifies.
func SignCardURL(key []byte, base, layout, preset string, format preset.Format, params url.Values) string {
	file := preset + "." + format.Ext()
	path := "/v1/card/" + layout + "/" + file
	q := make(url.Values, len(params))
	for k, vs := range params {
		if k != "sig" && len(vs) > 0 {
			// Text that is not UTF-8 cannot be signed: sign what a reader
			// would show, the bad bytes replaced, rather than return a URL
			// that cannot verify.
			q[strings.ToValidUTF8(k, "\uFFFD")] = []string{strings.ToValidUTF8(vs[0], "\uFFFD")}
		}
	}
	msg, _, _ := cardSigningString(path, q) // cannot fail: one valid UTF-8 value per name
	sig := hex.EncodeToString(cardMAC(key, msg))
	query := q.Encode()
	if query != "" {
		query += "&"
	}
	return strings.TrimSuffix(base, "/") + "/v1/card/" + url.PathEscape(layout) + "/" + file + "?" + query + "sig=" + sig
}

// CheckCardURL checks the signature of a card URL (absolute, or a path
// with its query) as the server does, for debugging a signer: it returns
// the string the server expects to be signed, and the index in keys of
// the key that signed the URL, or -1 when none did. err reports a URL or
// query the server refuses with 400.
func CheckCardURL(rawURL string, keys ...[]byte) (signing string, key int, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", -1, err
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", -1, fmt.Errorf("the query does not parse: %w", err)
	}
	if signing, _, err = cardSigningString(u.Path, q); err != nil {
		return "", -1, err
	}
	for i, k := range keys {
		if ok, _ := verifyCardSig([][]byte{k}, u.Path, q, q.Get("sig")); ok && len(k) > 0 {
			return signing, i, nil
		}
	}
	return signing, -1, nil
}
