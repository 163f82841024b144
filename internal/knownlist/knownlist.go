// Package knownlist reads the known-failure lists of the matrix tests
// (corpuscheck, compositioncheck): one "name kind" pair a line, # starting
// a comment. A matrix test fails on a failure not listed and, on its full
// run, on a listed one that no longer happens, so a list only shrinks.
//
// Rule: test support only; nothing in the product imports it.
package knownlist

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Read reads the list in file, each kind one of kinds; what names the
// first word of a line in messages ("entry", "photo"). A missing file is
// an empty list.
func Read(file string, kinds []string, what string) (map[[2]string]bool, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return map[[2]string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[[2]string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		w := strings.Fields(line)
		if len(w) == 0 {
			continue
		}
		if len(w) != 2 || !slices.Contains(kinds, w[1]) {
			return nil, fmt.Errorf("%s:%d: want \"%s kind\" with kind one of %s", file, n, what, strings.Join(kinds, ", "))
		}
		out[[2]string{w[0], w[1]}] = true
	}
	return out, sc.Err()
}
