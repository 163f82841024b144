package main

// These tests keep README.md in step with the code: the presets table must
// match render.Presets(), and the layout reference must document every key
// the layout parser (render/layoutparse.go) accepts.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sharecard/render"
)

// TestDocsPresetsTable checks that the table under "## Presets" has one row
// per built-in preset, in the order of render.Presets(), with the values the
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
	presets := render.Presets()
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
		t.Errorf("README presets table is not in the order of render.Presets() (go run . presets):\n got: %v\nwant: %v", ids, want)
	}
}

// docsPresetCells is the README row of p, cell by cell.
func docsPresetCells(p render.Preset) []string {
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	maxBytes, safe, std := "—", "—", ""
	if p.MaxBytes > 0 {
		maxBytes = strconv.Itoa(p.MaxBytes)
	}
	if s := p.Safe; s != (render.Insets{}) {
		safe = fmt.Sprintf("%d %d %d %d", s.Top, s.Right, s.Bottom, s.Left)
	}
	if p.Standard {
		std = "*"
	}
	return []string{
		"`" + p.ID + "`",
		esc(p.Platform) + " — " + esc(p.Placement),
		fmt.Sprintf("%dx%d", p.Width, p.Height),
		string(p.Format), maxBytes, safe, std,
	}
}

// TestDocsLayoutKeys checks that every key the layout parser accepts is
// documented in the layout reference, and every layer key in the table of
// its layer type. The keys are read from render/layoutparse.go: the keysFor
// map and the []string literals passed to p.fields.
func TestDocsLayoutKeys(t *testing.T) {
	layerKeys, fieldKeys := docsParserKeys(t)
	ref := docsSection(t, docsReadme(t), "### Layout file reference")

	all := map[string]bool{}
	for _, keys := range layerKeys {
		for _, k := range keys {
			all[k] = true
		}
	}
	for _, k := range fieldKeys {
		all[k] = true
	}
	for _, k := range docsSorted(all) {
		if !strings.Contains(ref, "`"+k+"`") {
			t.Errorf("layout key %q is accepted by render/layoutparse.go but not documented (as `%s`) in the README layout reference", k, k)
		}
	}

	// Keys every layer type accepts go in one table; the others in the
	// table of their type.
	common := map[string]bool{}
	for _, k := range layerKeys["photo"] {
		common[k] = true
	}
	for _, keys := range layerKeys {
		for k := range common {
			if !slices.Contains(keys, k) {
				delete(common, k)
			}
		}
	}
	docsCheckRows(t, docsSection(t, ref, "#### Keys of every layer"), "every layer", common, nil)
	for kind, keys := range layerKeys {
		own := map[string]bool{}
		for _, k := range keys {
			if !common[k] {
				own[k] = true
			}
		}
		docsCheckRows(t, docsSection(t, ref, "#### `"+kind+"` layer"), kind+" layers", own, fieldKeys)
	}
}

// docsCheckRows checks that sec has a table row "| `key` |" for each key of
// want, and that each such row names a key of want or of extra (the keys of
// nested mappings such as pill).
func docsCheckRows(t *testing.T, sec, what string, want map[string]bool, extra []string) {
	t.Helper()
	rows := map[string]bool{}
	for line := range strings.SplitSeq(sec, "\n") {
		if strings.HasPrefix(line, "| `") {
			k := strings.Trim(docsCells(line)[0], "`")
			rows[k] = true
			if !want[k] && !slices.Contains(extra, k) {
				t.Errorf("README documents key `%s` for %s, but render/layoutparse.go does not accept it there", k, what)
			}
		}
	}
	for _, k := range docsSorted(want) {
		if !rows[k] {
			t.Errorf("README has no row \"| `%s` |\" for %s, which render/layoutparse.go accepts", k, what)
		}
	}
}

// docsParserKeys reads render/layoutparse.go and returns the keys of each
// layer type (from keysFor, by type name as written in layouts) and all the
// keys of the []string literals given to p.fields.
func docsParserKeys(t *testing.T) (map[string][]string, []string) {
	t.Helper()
	const file = "render/layoutparse.go"
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	strs := func(e ast.Expr) []string {
		lit, ok := e.(*ast.CompositeLit)
		if !ok {
			return nil
		}
		var out []string
		for _, el := range lit.Elts {
			if b, ok := el.(*ast.BasicLit); ok && b.Kind == token.STRING {
				s, err := strconv.Unquote(b.Value)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
		}
		return out
	}
	layer := map[string][]string{}
	var fields []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			if len(n.Names) != 1 || n.Names[0].Name != "keysFor" || len(n.Values) != 1 {
				break
			}
			lit, ok := n.Values[0].(*ast.CompositeLit)
			if !ok {
				break
			}
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if id, ok := kv.Key.(*ast.Ident); ok {
					// LayerPhoto -> "photo", the type name used in layouts.
					name := strings.ToLower(strings.TrimPrefix(id.Name, "Layer"))
					layer[name] = strs(kv.Value)
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "fields" && len(n.Args) >= 3 {
				fields = append(fields, strs(n.Args[2])...)
			}
		}
		return true
	})
	if len(layer) < 6 || len(fields) == 0 {
		t.Fatalf("%s: found keys of %d layer types in keysFor and %d keys in p.fields calls; has the parser changed shape? update docs_test.go", file, len(layer), len(fields))
	}
	return layer, fields
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

func docsSorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
