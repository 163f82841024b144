package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sharecard/sharecard/server"
)

// verifyCardURL is `sharecard sign --verify URL`: it prints the string the
// server expects the URL's sig to sign and which key signed it, so whoever
// writes a signer can compare strings rather than guess.
func verifyCardURL(rawURL string, stdout io.Writer) error {
	names := []string{"SHARECARD_SIGN_KEY", "SHARECARD_SIGN_KEY_PREVIOUS"}
	keys := make([][]byte, len(names))
	for i, n := range names {
		keys[i] = []byte(os.Getenv(n))
	}
	if len(keys[0]) == 0 {
		return errors.New("set SHARECARD_SIGN_KEY to the key the server uses")
	}
	signing, k, err := server.CheckCardURL(rawURL, keys...)
	if err != nil {
		return fmt.Errorf("--verify: the server answers 400 to this URL: %w", err)
	}
	fmt.Fprintf(stdout, "signed string (HMAC-SHA256, hex, is the sig):\n%s\n", signing)
	if k < 0 {
		return errors.New("the sig does not match SHARECARD_SIGN_KEY or SHARECARD_SIGN_KEY_PREVIOUS: compare the string above with the one your signer signs (docs: Signing card URLs)")
	}
	fmt.Fprintf(stdout, "good: signed with %s\n", names[k])
	return nil
}
