package cli

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/server"
)

// `sharecard sign` offers every card parameter the server reads (breaking
// included) and prints the URL the server's own signer gives.
func TestSign_EveryCardParameter(t *testing.T) {
	t.Setenv("SHARECARD_SIGN_KEY", "test-key")
	args := []string{"sign", "--base-url", "https://cards.example"}
	want := url.Values{}
	for _, p := range server.CardParams() {
		v := "value of " + p
		if p == "breaking" {
			v = "true"
		}
		args = append(args, "--"+p, v)
		want.Set(p, v)
	}
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	signed := server.SignCardURL([]byte("test-key"), "https://cards.example", "standard", "og", preset.FormatJPEG, want)
	if got := strings.TrimSpace(stdout); got != signed {
		t.Errorf("sign printed\n%s\nwant\n%s", got, signed)
	}
}
