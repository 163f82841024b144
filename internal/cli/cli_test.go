package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
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

// TestParseFlagsInterspersed: flags may follow the arguments; "--" ends
// them; "-" is an argument.
func TestParseFlagsInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		out  string
		pos  []string
	}{
		{[]string{"a.yaml", "--out", "x"}, "x", []string{"a.yaml"}},
		{[]string{"--out", "x", "a.yaml", "b.yaml"}, "x", []string{"a.yaml", "b.yaml"}},
		{[]string{"a.yaml", "--out=y", "b.yaml"}, "y", []string{"a.yaml", "b.yaml"}},
		{[]string{"-", "--out", "z"}, "z", []string{"-"}},
		{[]string{"a.yaml", "--", "--out", "w"}, "", []string{"a.yaml", "--out", "w"}},
		{nil, "", nil},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		out := fs.String("out", "", "")
		if err := parseFlags(fs, tc.args); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if *out != tc.out || !slices.Equal(fs.Args(), tc.pos) && !(len(fs.Args()) == 0 && len(tc.pos) == 0) {
			t.Errorf("%q: out %q args %q, want %q %q", tc.args, *out, fs.Args(), tc.out, tc.pos)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := parseFlags(fs, []string{"a.yaml", "--nope"}); !errors.As(err, new(usageError)) {
		t.Errorf("unknown flag after an argument: %v, want a usage error", err)
	}
}
