package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/sharecard/sharecard/render/preset"
)

// signerVectors are integrations/signers/vectors.json.
type signerVectors struct {
	Vectors []struct {
		Name          string            `json:"name"`
		Key           string            `json:"key"`
		Path          string            `json:"path"`
		Params        map[string]string `json:"params"`
		SigningString string            `json:"signing_string"`
		Sig           string            `json:"sig"`
	} `json:"vectors"`
}

func loadVectors(t *testing.T) signerVectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "integrations", "signers", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v signerVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("vectors.json: %v", err)
	}
	if len(v.Vectors) == 0 {
		t.Fatal("vectors.json has no vectors")
	}
	return v
}

func paramsOf(m map[string]string) url.Values {
	q := url.Values{}
	for k, v := range m {
		q.Set(k, v)
	}
	return q
}

// TestCardSigningString_Vectors checks the Go signer and verifier against
// the published vectors (computed by the Python reference signer).
func TestCardSigningString_Vectors(t *testing.T) {
	for _, v := range loadVectors(t).Vectors {
		t.Run(v.Name, func(t *testing.T) {
			q := paramsOf(v.Params)
			got, _, err := cardSigningString(v.Path, q)
			if err != nil {
				t.Fatal(err)
			}
			if got != v.SigningString {
				t.Errorf("signing string\n%q\nwant\n%q", got, v.SigningString)
			}
			if sig := hex.EncodeToString(cardMAC([]byte(v.Key), got)); sig != v.Sig {
				t.Errorf("sig %s, want %s", sig, v.Sig)
			}
			q.Set("sig", v.Sig)
			if ok, err := verifyCardSig([][]byte{[]byte(v.Key)}, v.Path, q, v.Sig); !ok || err != nil {
				t.Errorf("verify: %v %v", ok, err)
			}
			m := cardPathPattern.FindStringSubmatch(v.Path)
			if m == nil {
				t.Fatalf("vector path %q is not a card path", v.Path)
			}
			format, _ := preset.ParseFormat(m[3])
			u, err := url.Parse(SignCardURL([]byte(v.Key), "https://cards.example/", m[1], m[2], format, paramsOf(v.Params)))
			if err != nil {
				t.Fatal(err)
			}
			if want := paramsOf(v.Params).Encode(); !strings.HasPrefix(u.RawQuery, want) || u.Query().Get("sig") != v.Sig {
				t.Errorf("SignCardURL query %q, want %q then sig=%s", u.RawQuery, want, v.Sig)
			}
		})
	}
}

var cardPathPattern = regexp.MustCompile(`^/v1/card/([a-z0-9-]+)/([a-z0-9-]+)\.(jpg|png|webp)$`)

// trickyHeadlines are the headlines every signer must get right.
var trickyHeadlines = []string{
	"Plain words",
	"~ * ' ( ) + & = #",
	"100% sure? a/b; c:d, e!f $g @h [i] {j} |k| ^l^ `m` \"n\" <o> \\p",
	"ارتفاع أسعار الفائدة مجددا",
	"東京で桜が満開 🌸🎉",
	"Cafe\u0301 de Flore", // decomposed é
	"  leading and trailing spaces  ",
	"tab\tand\nnewline",
}

// TestVerifyCardSig_AnyEncoder: a signature holds however the client
// encodes its query (Go, PHP, Node and Python encoders, lowercase hex
// escapes, another order), because the signed string is rebuilt from the
// decoded values.
func TestVerifyCardSig_AnyEncoder(t *testing.T) {
	key := []byte("test-key")
	const path = "/v1/card/standard/og.jpg"
	formEncode := func(q url.Values, keep string) string { // + for space; keep lists the unencoded extras
		var parts []string
		for _, k := range []string{"headline", "section", "sig"} {
			enc := func(s string) string {
				var b strings.Builder
				for _, c := range []byte(s) {
					switch {
					case c == ' ':
						b.WriteByte('+')
					case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0:
						b.WriteByte(c)
					default:
						b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
					}
				}
				return b.String()
			}
			parts = append(parts, enc(k)+"="+enc(q.Get(k)))
		}
		return strings.Join(parts, "&")
	}
	encoders := []struct {
		name string
		enc  func(url.Values) string
	}{
		{"go url.Values.Encode", func(q url.Values) string { return q.Encode() }},
		{"php http_build_query", func(q url.Values) string { return formEncode(q, "-._") }},
		{"node URLSearchParams", func(q url.Values) string { return formEncode(q, "*-._") }},
		{"python urlencode", func(q url.Values) string { return formEncode(q, "-._~") }},
		{"lowercase hex, reversed", func(q url.Values) string {
			parts := strings.Split(q.Encode(), "&")
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
			return regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(strings.Join(parts, "&"), strings.ToLower)
		}},
	}
	for _, h := range trickyHeadlines {
		params := url.Values{"headline": {h}, "section": {"News & Views"}}
		msg, _, err := cardSigningString(path, params)
		if err != nil {
			t.Fatal(err)
		}
		sig := hex.EncodeToString(cardMAC(key, msg))
		for _, e := range encoders {
			t.Run(e.name+"/"+h, func(t *testing.T) {
				signed := url.Values{"headline": {h}, "section": {"News & Views"}, "sig": {sig}}
				q, err := url.ParseQuery(e.enc(signed))
				if err != nil {
					t.Fatal(err)
				}
				if ok, err := verifyCardSig([][]byte{key}, path, q, q.Get("sig")); !ok || err != nil {
					t.Errorf("query %q does not verify: %v", e.enc(signed), err)
				}
			})
		}
	}
}

// TestVerifyCardSig covers rotation, the URLs signed before the canonical
// string, tampering and bad queries.
func TestVerifyCardSig(t *testing.T) {
	const path = "/v1/card/standard/og.jpg"
	cur, prev, other := []byte("current-key"), []byte("previous-key"), []byte("unknown-key")
	params := url.Values{"headline": {"Rates ~ rise *again*"}, "section": {"Economy"}}
	sign := func(key []byte, path string, q url.Values) string {
		msg, _, err := cardSigningString(path, q)
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(cardMAC(key, msg))
	}
	legacy := func(key []byte) string { // the form before issue 12
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(path + "?" + params.Encode()))
		return hex.EncodeToString(mac.Sum(nil))
	}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for n, vs := range params {
			q[n] = append([]string(nil), vs...)
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	tests := []struct {
		name    string
		keys    [][]byte
		path    string
		q       url.Values
		sig     string
		want    bool
		wantErr string
	}{
		{"current key", [][]byte{cur, prev}, path, params, sign(cur, path, params), true, ""},
		{"previous key", [][]byte{cur, prev}, path, params, sign(prev, path, params), true, ""},
		{"previous key once rotation is over", [][]byte{cur}, path, params, sign(prev, path, params), false, ""},
		{"unknown key", [][]byte{cur, prev}, path, params, sign(other, path, params), false, ""},
		{"no key configured", nil, path, params, sign(cur, path, params), false, ""},
		{"legacy URL, current key", [][]byte{cur}, path, params, legacy(cur), true, ""},
		{"legacy URL, previous key", [][]byte{cur, prev}, path, params, legacy(prev), true, ""},
		{"uppercase hex sig", [][]byte{cur}, path, params, strings.ToUpper(sign(cur, path, params)), true, ""},
		{"tampered value", [][]byte{cur}, path, with("section", "Sport"), sign(cur, path, params), false, ""},
		{"added parameter", [][]byte{cur}, path, with("breaking", "true"), sign(cur, path, params), false, ""},
		{"removed parameter", [][]byte{cur}, path, with("section", ""), sign(cur, path, params), false, ""},
		{"other path", [][]byte{cur}, "/v1/card/standard/x.jpg", params, sign(cur, path, params), false, ""},
		{"missing sig", [][]byte{cur}, path, params, "", false, ""},
		{"short sig", [][]byte{cur}, path, params, sign(cur, path, params)[:32], false, ""},
		{"sig not hex", [][]byte{cur}, path, params, "zz" + sign(cur, path, params)[2:], false, ""},
		{"repeated parameter", [][]byte{cur}, path, url.Values{"headline": {"a", "b"}}, sign(cur, path, url.Values{"headline": {"a"}}), false, `parameter "headline" appears 2 times`},
		{"value not UTF-8", [][]byte{cur}, path, url.Values{"headline": {"caf\xe9"}}, sign(cur, path, params), false, "not UTF-8"},
		{"name not UTF-8", [][]byte{cur}, path, url.Values{"h\xff": {"x"}}, sign(cur, path, params), false, "not UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := verifyCardSig(tc.keys, tc.path, tc.q, tc.sig)
			if ok != tc.want {
				t.Errorf("verify = %v, want %v", ok, tc.want)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestVerifyCardSig_UnnormalisedSigner: a signer that cannot normalise
// (PHP without intl) signs decomposed text as it is; that verifies too.
func TestVerifyCardSig_UnnormalisedSigner(t *testing.T) {
	const path = "/v1/card/standard/og.jpg"
	key := []byte("k")
	h := "Cafe\u0301"
	sig := hex.EncodeToString(cardMAC(key, path+"\nheadline="+encodeUnreserved(h)))
	if ok, err := verifyCardSig([][]byte{key}, path, url.Values{"headline": {h}}, sig); !ok || err != nil {
		t.Errorf("unnormalised signature: %v %v", ok, err)
	}
	// The NFC signature holds whether the URL carries NFC or NFD text.
	sig = hex.EncodeToString(cardMAC(key, path+"\nheadline="+encodeUnreserved(norm.NFC.String(h))))
	for _, v := range []string{h, norm.NFC.String(h)} {
		if ok, err := verifyCardSig([][]byte{key}, path, url.Values{"headline": {v}}, sig); !ok || err != nil {
			t.Errorf("NFC signature, URL text %+q: %v %v", v, ok, err)
		}
	}
}

// TestCard_SignedQueries checks the card route end to end: URLs encoded
// the PHP, Node and Go ways and signed with either key are served; a
// repeated parameter or a broken escape is 400, a wrong key 403.
func TestCard_SignedQueries(t *testing.T) {
	_, ts := newTestServer(t, Config{SignKey: []byte("current-key"), SignKeyPrevious: []byte("previous-key")})
	const path = "/v1/card/standard/og.jpg"
	headline := "~ * ' ( ) + & = # Café 東京"
	sig := func(key string) string {
		msg, _, err := cardSigningString(path, url.Values{"headline": {headline}})
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(cardMAC([]byte(key), msg))
	}
	phpStyle := func(key string) string { // http_build_query: + for space, ~ * ' ( ) encoded
		q := strings.NewReplacer("~", "%7E", "%20", "+").Replace(strings.SplitN(SignCardURL([]byte(key), "", "standard", "og", preset.FormatJPEG, url.Values{"headline": {headline}}), "?", 2)[1])
		return q
	}
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"SignCardURL", strings.SplitN(SignCardURL([]byte("current-key"), "", "standard", "og", preset.FormatJPEG, url.Values{"headline": {headline}}), "?", 2)[1], http.StatusFound},
		{"php style", phpStyle("current-key"), http.StatusFound},
		{"go Encode, previous key", url.Values{"headline": {headline}, "sig": {sig("previous-key")}}.Encode(), http.StatusFound},
		{"unknown key", url.Values{"headline": {headline}, "sig": {sig("unknown-key")}}.Encode(), http.StatusForbidden},
		{"repeated parameter", url.Values{"headline": {headline, "x"}, "sig": {sig("current-key")}}.Encode(), http.StatusBadRequest},
		{"broken escape", "headline=100%&sig=" + sig("current-key"), http.StatusBadRequest},
		{"semicolon", "headline=a;b&sig=" + sig("current-key"), http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, noRedirect, ts.URL+path+"?"+tc.query)
			if resp.StatusCode != tc.want {
				t.Errorf("GET ?%s = %d %s, want %d", tc.query, resp.StatusCode, body, tc.want)
			}
			if tc.want == http.StatusBadRequest && !bytes.Contains(body, []byte("detail")) {
				t.Errorf("400 without a detail: %s", body)
			}
		})
	}
}

// FuzzCardSigningString: any query either is refused with an error or
// gives a signing string whose query, parsed again, gives the same string,
// and SignCardURL's URLs verify.
func FuzzCardSigningString(f *testing.F) {
	for _, s := range []string{"", "headline=a+b", "a=1&b=2&a=3", "h=%7E%2a~*", "h=Cafe%CC%81", "h=%ff", "h", "=x", "sig=1&h=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		const path = "/v1/card/standard/og.jpg"
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		msg, _, err := cardSigningString(path, q)
		if err != nil {
			return
		}
		q2, err := url.ParseQuery(strings.TrimPrefix(msg, path+"\n"))
		if err != nil {
			t.Fatalf("canonical query %q does not parse: %v", msg, err)
		}
		if msg2, _, err := cardSigningString(path, q2); err != nil || msg2 != msg {
			t.Fatalf("canonical query not stable: %q -> %q (%v)", msg, msg2, err)
		}
		u, err := url.Parse(SignCardURL([]byte("k"), "https://c.example", "standard", "og", preset.FormatJPEG, q))
		if err != nil {
			t.Fatal(err)
		}
		q3, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := verifyCardSig([][]byte{[]byte("k")}, u.Path, q3, q3.Get("sig")); !ok || err != nil {
			t.Fatalf("SignCardURL(%q) = %s does not verify: %v", raw, u, err)
		}
	})
}

// TestSigners_CrossLanguage runs the reference signers in PHP, JavaScript
// and Python on the vectors and on tricky headlines: their signatures
// must equal Go's, and their URLs (canonical, and encoded by the
// language's own query encoder) must pass the Go verifier.
func TestSigners_CrossLanguage(t *testing.T) {
	type sigCase struct {
		Key    string            `json:"key"`
		Base   string            `json:"base"`
		Layout string            `json:"layout"`
		Preset string            `json:"preset"`
		Ext    string            `json:"ext"`
		Params map[string]string `json:"params"`
	}
	var cases []sigCase
	for _, v := range loadVectors(t).Vectors {
		m := cardPathPattern.FindStringSubmatch(v.Path)
		cases = append(cases, sigCase{v.Key, "https://cards.example/", m[1], m[2], m[3], v.Params})
	}
	for _, h := range trickyHeadlines {
		cases = append(cases, sigCase{"rotating-key-2026", "https://cards.example", "standard", "og", "jpg",
			map[string]string{"headline": h, "section": "Monde & Société", "photo": "https://img.example/a b.jpg?x=1&y=2", "breaking": "true"}})
	}
	input, err := json.Marshal(map[string]any{"cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "integrations", "signers")
	// php -n loads no extensions: the signer without intl, which signs
	// text as it is (the server accepts that too).
	signers := []struct {
		name, tool string
		args       []string
	}{
		{"php", "php", []string{filepath.Join(dir, "php", "sharecard_sign.php")}},
		{"php-no-intl", "php", []string{"-n", filepath.Join(dir, "php", "sharecard_sign.php")}},
		{"js", "node", []string{filepath.Join(dir, "js", "sharecard-sign.js")}},
		{"python", "python3", []string{filepath.Join(dir, "python", "sharecard_sign.py")}},
	}
	for _, s := range signers {
		t.Run(s.name, func(t *testing.T) {
			tool := signerTool(t, s.tool)
			cmd := exec.Command(tool, s.args...)
			cmd.Stdin = bytes.NewReader(input)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", s.tool, strings.Join(s.args, " "), err, stderr.Bytes())
			}
			var got struct {
				Results []struct {
					SigningString string `json:"signing_string"`
					Sig           string `json:"sig"`
					URL           string `json:"url"`
					NativeURL     string `json:"native_url"`
				} `json:"results"`
			}
			if err := json.Unmarshal(out, &got); err != nil || len(got.Results) != len(cases) {
				t.Fatalf("output: %v, %d results for %d cases\n%s", err, len(got.Results), len(cases), out)
			}
			nfc := s.tool != "php" || phpHasIntl(tool, s.args[0] == "-n")
			for i, c := range cases {
				r := got.Results[i]
				path := "/v1/card/" + c.Layout + "/" + c.Preset + "." + c.Ext
				want, _, err := cardSigningString(path, paramsOf(c.Params))
				if err != nil {
					t.Fatal(err)
				}
				wantSig := hex.EncodeToString(cardMAC([]byte(c.Key), want))
				normalised := true
				for _, v := range c.Params {
					normalised = normalised && norm.NFC.IsNormalString(v)
				}
				if (nfc || normalised) && (r.SigningString != want || r.Sig != wantSig) {
					t.Errorf("case %d %q: signing string %q sig %s\nwant %q sig %s", i, c.Params["headline"], r.SigningString, r.Sig, want, wantSig)
				}
				for _, raw := range []string{r.URL, r.NativeURL} {
					u, err := url.Parse(raw)
					if err != nil {
						t.Errorf("case %d: URL %q: %v", i, raw, err)
						continue
					}
					q, err := url.ParseQuery(u.RawQuery)
					if err != nil {
						t.Errorf("case %d: query of %q: %v", i, raw, err)
						continue
					}
					if ok, err := verifyCardSig([][]byte{[]byte("current"), []byte(c.Key)}, u.Path, q, q.Get("sig")); !ok || err != nil {
						t.Errorf("case %d: %s does not verify (%v)", i, raw, err)
					}
				}
			}
		})
	}
}

// signerTool returns the path of an external tool, skipping the test when
// it is missing unless SHARECARD_REQUIRE_TOOLS=1 (as in CI).
func signerTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("SHARECARD_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is not installed and SHARECARD_REQUIRE_TOOLS=1: install it (Debian: see the README's test section)", name)
		}
		t.Skipf("%s is not installed; skipping (set SHARECARD_REQUIRE_TOOLS=1 to make this a failure)", name)
	}
	return p
}

// phpHasIntl reports whether php (with -n when noIni) has the intl
// extension (for NFC).
func phpHasIntl(php string, noIni bool) bool {
	args := []string{"-r", `echo class_exists("Normalizer") ? "yes" : "no";`}
	if noIni {
		args = append([]string{"-n"}, args...)
	}
	out, err := exec.Command(php, args...).Output()
	return err == nil && string(out) == "yes"
}
