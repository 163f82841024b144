package render_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// notImported lists, for a stage, packages it must not import although
// they come earlier: paint reads only the plan and the pixels.
var notImported = map[string][]string{
	"render/paint": {"render/layout", "render/article"},
}

// stageRank orders the packages under render/ along the pipeline: a
// package may import only packages of a lower rank (data flows one way,
// and no arrow points back up the pipeline). Packages of one rank are
// independent of each other.
var stageRank = map[string]int{
	"render/strictyaml":        0,
	"render/photo/hostilejpeg": 0, // test and benchmark input only
	"render/photo/jpegscale":   1, // the scaled JPEG decoder, below photo
	"render/encode/jpegenc":    1, // the JPEG encoder, below encode
	"render/article":           1,
	"render/preset":            1,
	"render/photo":             2,
	"render/text":              2,
	"render/layout":            3,
	"render/plan":              4,
	"render/paint":             5,
	"render/encode":            5,
	"render":                   6,
	"render/publish":           7,
}

// TestImportDirection parses every Go file under render/ and checks its
// imports of this module: nothing under render/ imports the packages
// built on it (lint, studio, server, layoutset, store, fetch, jobs, the
// commands), and stage packages import only earlier stages. Test files
// may also use the data packages fonts, layouts and samples, and the
// test-support packages render/internal/rendertest and internal/testwait.
func TestImportDirection(t *testing.T) {
	const module = "github.com/sharecard/sharecard/"
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		pkg := path.Join("render", filepath.ToSlash(filepath.Dir(p)))
		test := strings.HasSuffix(p, "_test.go")
		internal := strings.HasPrefix(pkg, "render/internal/")
		rank, staged := stageRank[pkg]
		if !staged && !internal {
			t.Errorf("%s: package %s has no place in stageRank: add it at its stage of the pipeline", p, pkg)
		}
		seen[pkg] = true
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			dep, ok := strings.CutPrefix(ip, module)
			if !ok {
				continue
			}
			depRank, depStaged := stageRank[dep]
			switch {
			case dep == pkg:
				// an external test package of its own package
			case test && (dep == "fonts" || dep == "layouts" || dep == "samples" || dep == "internal/testwait" || dep == "render" || strings.HasPrefix(dep, "render/")):
				// tests may use the data packages, testwait and any stage
			case !test && dep == "samples" && pkg == "render/internal/rendertest":
			case !test && internal && (depStaged || dep == "fonts" || dep == "layouts" || dep == "samples"):
			case !test && slices.Contains(notImported[pkg], dep):
				t.Errorf("%s imports %s: %s must not depend on it (see notImported in imports_test.go)", p, ip, pkg)
			case !test && staged && depStaged && depRank < rank:
			default:
				t.Errorf("%s imports %s: against the pipeline (see stageRank in imports_test.go)", p, ip)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range stageRank {
		if !seen[pkg] {
			t.Errorf("stageRank names %s, which has no Go files", pkg)
		}
	}
}
