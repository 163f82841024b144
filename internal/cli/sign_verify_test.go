package cli

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/server"
)

// `sharecard sign --verify URL` prints the signed string and names the
// key that signed the URL, or fails saying what to compare.
func TestSign_Verify(t *testing.T) {
	t.Setenv("SHARECARD_SIGN_KEY", "new-key")
	t.Setenv("SHARECARD_SIGN_KEY_PREVIOUS", "old-key")
	params := url.Values{"headline": {"Rates ~ rise *again*"}}
	tests := []struct {
		name     string
		url      string
		wantCode int
		want     string
	}{
		{"current key", server.SignCardURL([]byte("new-key"), "https://c.example", "standard", "og", preset.FormatJPEG, params), 0, "good: signed with SHARECARD_SIGN_KEY\n"},
		{"previous key", server.SignCardURL([]byte("old-key"), "https://c.example", "standard", "og", preset.FormatJPEG, params), 0, "good: signed with SHARECARD_SIGN_KEY_PREVIOUS\n"},
		{"php style encoding", strings.NewReplacer("~", "%7E", "%20", "+").Replace(server.SignCardURL([]byte("new-key"), "https://c.example", "standard", "og", preset.FormatJPEG, params)), 0, "good: signed with SHARECARD_SIGN_KEY\n"},
		{"other key", server.SignCardURL([]byte("wrong"), "https://c.example", "standard", "og", preset.FormatJPEG, params), 1, "does not match"},
		{"repeated parameter", "https://c.example/v1/card/standard/og.jpg?headline=a&headline=b&sig=00", 1, `"headline" appears 2 times`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "sign", "--verify", tc.url)
			if code != tc.wantCode || !strings.Contains(stdout+stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, tc.wantCode, tc.want)
			}
			if code == 0 && !strings.Contains(stdout, "/v1/card/standard/og.jpg\nheadline=Rates%20~%20rise%20%2Aagain%2A\n") {
				t.Errorf("stdout does not show the signed string: %q", stdout)
			}
		})
	}
}
