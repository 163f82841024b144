package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestProblemType(t *testing.T) {
	for _, tc := range []struct{ title, want string }{
		{"Photo too large", "photo-too-large"},
		{"Not found", "not-found"},
		{"Characters no font has", "characters-no-font-has"},
		{"  Bad -- signature!  ", "bad-signature"},
		{"Ünïcode titel", "ünïcode-titel"},
		{"", "unknown"},
		{"!!!", "unknown"},
	} {
		t.Run(tc.title, func(t *testing.T) {
			if got := ProblemType(tc.title); got != ProblemTypeBase+tc.want {
				t.Errorf("ProblemType(%q) = %q, want %q", tc.title, got, ProblemTypeBase+tc.want)
			}
		})
	}
}

// TestProblemTypes_Distinct reads every Problem{Title: "..."} in the
// package's source and checks that two different titles never share a
// type URI, and that a problem giving its own Type does not take another
// title's.
func TestProblemTypes_Distinct(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	byType := map[string]string{} // type URI -> title
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			lit, ok := node.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "Problem" {
				return true
			}
			var title, typ string
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				val, ok := kv.Value.(*ast.BasicLit)
				if key == nil || !ok || val.Kind != token.STRING {
					continue
				}
				s, _ := strconv.Unquote(val.Value)
				switch key.Name {
				case "Title":
					title = s
				case "Type":
					typ = s
				}
			}
			if title == "" {
				return true
			}
			if typ == "" {
				typ = ProblemType(title)
			}
			n++
			if prev, ok := byType[typ]; ok && prev != title {
				t.Errorf("%s: titles %q and %q share the type %s", fset.Position(lit.Pos()), prev, title, typ)
			}
			byType[typ] = title
			return true
		})
	}
	if n < 10 {
		t.Fatalf("found only %d problems with a literal title; is the scan broken?", n)
	}
}
