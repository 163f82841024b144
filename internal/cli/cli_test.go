package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the tests from the repository's root, where the commands'
// relative paths (samples/, layouts/, README.md) are.
func TestMain(m *testing.M) {
	if err := os.Chdir("../.."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
