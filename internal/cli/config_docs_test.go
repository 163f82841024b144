package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDocsConfigurationTable keeps README's "## Configuration" table in
// step with the service: every flag `sharecard serve -h` lists has a row,
// every row's flag exists, and every SHARECARD_* environment variable the
// code reads (a string literal outside tests) is in the table.
func TestDocsConfigurationTable(t *testing.T) {
	sec := docsSection(t, docsReadme(t), "## Configuration")
	tableFlags := map[string]bool{}
	var tableText strings.Builder
	for line := range strings.SplitSeq(sec, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| flag") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := docsCells(line)
		tableText.WriteString(line + "\n")
		for _, m := range regexp.MustCompile("`--([a-z0-9-]+)`").FindAllStringSubmatch(cells[0], -1) {
			tableFlags[m[1]] = true
		}
	}
	if len(tableFlags) == 0 {
		t.Fatal(`README.md has no "## Configuration" table with flags`)
	}

	// The flags, as serve's usage lists them.
	var errb bytes.Buffer
	if err := cmdServe(context.Background(), []string{"-h"}, &bytes.Buffer{}, &errb); err != errHelp {
		t.Fatalf("serve -h: %v", err)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllStringSubmatch(errb.String(), -1) {
		flags = append(flags, m[1])
	}
	if len(flags) < 5 {
		t.Fatalf("serve -h lists %d flags:\n%s", len(flags), errb.String())
	}
	for _, f := range flags {
		if !tableFlags[f] {
			t.Errorf("README Configuration table has no row for serve's --%s", f)
		}
	}
	for f := range tableFlags {
		if !slices.Contains(flags, f) {
			t.Errorf("README Configuration table lists --%s, which serve does not have", f)
		}
	}

	// The environment variables the code reads.
	env := map[string]bool{}
	// Read through os.Getenv, os.LookupEnv or serve's env* helpers (other
	// SHARECARD_ strings, such as the job stream's name, are not variables).
	lit := regexp.MustCompile(`(?:Getenv|LookupEnv|env[A-Za-z]*)\("(SHARECARD_[A-Z0-9_]+)"`)
	for _, dir := range []string{".", "internal/cli", "server", "jobs", "store", "fetch", "render"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
				env[m[1]] = true
			}
		}
	}
	for v := range env {
		if v == "SHARECARD_REQUIRE_TOOLS" {
			continue // tests only
		}
		if !strings.Contains(tableText.String(), "`"+v) {
			t.Errorf("README Configuration table does not mention %s, which the code reads", v)
		}
	}
}
