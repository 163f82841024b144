package cli

// These tests keep README.md in step with the code: the presets table must
// match preset.All(). The layout reference, layouts/README.md, is
// checked by the tests of package layouts.

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/preset"
)

// TestDocsPresetsTable checks that the table under "## Presets" has one row
// per built-in preset, in the order of preset.All(), with the values the
// code has. Regenerate rows from `go run . presets --json`.
func TestDocsPresetsTable(t *testing.T) {
	sec := docsSection(t, docsReadme(t), "## Presets")
	var ids []string
	rows := map[string][]string{}
	for line := range strings.SplitSeq(sec, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := docsCells(line)
		id := strings.Trim(cells[0], "`")
		ids = append(ids, id)
		rows[id] = cells
	}
	presets := preset.All()
	var want []string
	for _, p := range presets {
		want = append(want, p.ID)
		got, ok := rows[p.ID]
		if !ok {
			t.Errorf("README presets table has no row \"| `%s` |\" (%dx%d)", p.ID, p.Width, p.Height)
			continue
		}
		exp := docsPresetCells(p)
		if !slices.Equal(got, exp) {
			t.Errorf("README presets row for %s is out of date:\n got: | %s |\nwant: | %s |", p.ID, strings.Join(got, " | "), strings.Join(exp, " | "))
		}
	}
	extra := false
	for _, id := range ids {
		if !slices.Contains(want, id) {
			extra = true
			t.Errorf("README presets table has a row for %q, which is not a built-in preset", id)
		}
	}
	if !extra && !slices.Equal(ids, want) && len(ids) == len(want) {
		t.Errorf("README presets table is not in the order of preset.All() (go run . presets):\n got: %v\nwant: %v", ids, want)
	}
}

// docsPresetCells is the README row of p, cell by cell.
func docsPresetCells(p preset.Preset) []string {
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	maxBytes, safe, std := "—", "—", ""
	if p.MaxBytes > 0 {
		maxBytes = strconv.Itoa(p.MaxBytes)
	}
	if s := p.Safe; s != (preset.Insets{}) {
		safe = fmt.Sprintf("%d %d %d %d", s.Top, s.Right, s.Bottom, s.Left)
	}
	if p.Standard {
		std = "*"
	}
	return []string{
		"`" + p.ID + "`",
		esc(p.Platform) + " — " + esc(p.Placement),
		fmt.Sprintf("%dx%d", p.Width, p.Height),
		string(p.Format), maxBytes, safe, p.PurposeOrCard(), p.KeepOutString(), std,
	}
}

func docsReadme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// docsSection returns the part of a Markdown doc from the heading line that
// starts with heading up to the next heading of the same or a higher level,
// ignoring lines inside fenced code blocks.
func docsSection(t *testing.T, doc, heading string) string {
	t.Helper()
	level := len(heading) - len(strings.TrimLeft(heading, "#"))
	lines := strings.Split(doc, "\n")
	start, fenced := -1, false
	for i, line := range lines {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		if start >= 0 {
			if l := len(line) - len(strings.TrimLeft(line, "#")); l <= level {
				return strings.Join(lines[start:i], "\n")
			}
		} else if strings.HasPrefix(line, heading) {
			start = i
		}
	}
	if start < 0 {
		t.Fatalf("README.md has no heading %q", heading)
	}
	return strings.Join(lines[start:], "\n")
}

// docsCells splits a Markdown table row into trimmed cells; "\|" is part of
// a cell.
func docsCells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}
