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
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
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

// Compare fails t for each failure found that known does not list and,
// on a full run, for each one known lists that was not found. found maps
// each failure ("name kind") to a description for the message.
func Compare(t testing.TB, file string, known map[[2]string]bool, found map[[2]string]string, full bool) {
	t.Helper()
	for _, k := range slices.SortedFunc(maps.Keys(found), compareKeys) {
		if !known[k] {
			t.Errorf("new failure %s %s %s", k[0], k[1], found[k])
		}
	}
	if !full {
		return
	}
	for _, k := range slices.SortedFunc(maps.Keys(known), compareKeys) {
		if _, ok := found[k]; !ok {
			t.Errorf("%s %s is listed in %s but passes now: remove it from the list (-update-known)", k[0], k[1], file)
		}
	}
}

func compareKeys(a, b [2]string) int {
	if c := strings.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return strings.Compare(a[1], b[1])
}
