package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/lint"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/strictyaml"
	"github.com/sharecard/sharecard/render/text"
)

// cmdLint checks layouts against every preset and the built-in samples and
// prints one "file:line:col: message" line per problem on stdout.
func cmdLint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("layouts", "", "check the layouts in `DIR` (default: ./layouts if it exists, else the built-in ones)")
	sampleDir := fs.String("samples", "", "try the layouts with the articles `DIR`/*/article.yaml (default: the built-in samples)")
	spec := fs.String("preset", "all", "comma-separated preset `ids` to check, or all; each layout's own presets are always checked")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sharecard lint [--layouts DIR] [--samples DIR] [--preset IDS] [FILE.yaml|FOLDER ...]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files, err := layoutArgs("lint", fs.Args())
	if err != nil {
		return err
	}
	presets, err := preset.Select(*spec, nil)
	if err != nil {
		return usageError{err.Error()}
	}
	eng, err := newEngine(0)
	if err != nil {
		return err
	}
	// Samples that share a photo prepare it once, as the server does.
	eng.Photos = render.NewPhotoCache(defaultPhotoCacheMB << 20)
	lays, problems, err := loadForLint(*dir, files, eng.Fonts)
	if err != nil {
		return err
	}
	samples, err := lintSamples(*sampleDir)
	if err != nil {
		return err
	}
	found, err := lint.Check(ctx, eng, lays, lint.Options{Samples: samples, Presets: presets})
	if err != nil {
		return err
	}
	problems = append(problems, found...)
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "sharecard lint: %d problem(s) in %d layout file(s)\n", len(problems), countFiles(problems))
		return errReported
	}
	fmt.Fprintf(stderr, "sharecard lint: %d layout(s) clean on %d preset(s) and %d sample(s)\n", len(lays), len(presets), len(samples))
	return nil
}

// layoutArgs expands the arguments of lint and check into layout files: a
// file stays as typed, a folder gives its *.yaml and *.yml files.
func layoutArgs(cmd string, args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, usageError{fmt.Sprintf("%s: %s: no such file or folder", cmd, a)}
		}
		if !st.IsDir() {
			if ext := filepath.Ext(a); ext != ".yaml" && ext != ".yml" {
				return nil, usageError{fmt.Sprintf("%s takes layout files (*.yaml) or folders of them, not %q", cmd, a)}
			}
			files = append(files, a)
			continue
		}
		var in []string
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, _ := filepath.Glob(filepath.Join(a, pat))
			in = append(in, m...)
		}
		if len(in) == 0 {
			return nil, usageError{fmt.Sprintf("%s: folder %s has no layout files (*.yaml)", cmd, a)}
		}
		slices.Sort(in)
		files = append(files, in...)
	}
	return files, nil
}

// lintSamples loads the sample articles from dir, or the built-in ones.
func lintSamples(dir string) ([]lint.Sample, error) {
	if dir == "" {
		return lint.DefaultSamples()
	}
	return lint.LoadSamples(os.DirFS(dir), filepath.ToSlash(filepath.Clean(dir)))
}

// loadForLint parses the layouts to check: the named files (relative to dir
// when it is given), else every file of dir, else ./layouts when it exists,
// else the built-in layouts.
// Parse errors come back as problems; layouts that parse are returned too.
func loadForLint(dir string, files []string, fset *text.FontSet) (map[string]*layout.Layout, []lint.Problem, error) {
	if len(files) == 0 {
		var lfs fs.FS = layouts.FS
		name := "layouts"
		if dir != "" {
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return nil, nil, fmt.Errorf("--layouts %s: no such folder", dir)
			}
			lfs, name = os.DirFS(dir), filepath.ToSlash(filepath.Clean(dir))
		} else if st, err := os.Stat("layouts"); err == nil && st.IsDir() {
			lfs = os.DirFS("layouts")
		}
		lays, err := layout.Load(lfs, name, fset)
		if err != nil && len(lays) == 0 && len(strictyaml.FieldErrors(err)) == 0 {
			// No folder, or no layout file in it: nothing to lint.
			return nil, nil, fmt.Errorf("layouts in %s: %w", name, err)
		}
		return lays, lint.ParseProblems(err), nil
	}
	// Files are loaded folder by folder, so logos next to them are found
	// and messages keep the paths as typed.
	byDir := map[string]map[string]bool{}
	var dirs []string
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return nil, nil, fmt.Errorf("layout file %s: %w", f, errors.Unwrap(err))
		}
		d := filepath.ToSlash(filepath.Dir(f))
		if dir != "" {
			d = filepath.ToSlash(filepath.Join(dir, filepath.Dir(f)))
		}
		if byDir[d] == nil {
			byDir[d] = map[string]bool{}
			dirs = append(dirs, d)
		}
		byDir[d][filepath.Base(f)] = true
	}
	out := map[string]*layout.Layout{}
	var problems []lint.Problem
	for _, d := range dirs {
		lays, err := layout.Load(onlyFiles{os.DirFS(d), byDir[d]}, d, fset)
		problems = append(problems, lint.ParseProblems(err)...)
		for name, l := range lays {
			if _, dup := out[name]; dup {
				name = l.File
			}
			out[name] = l
		}
	}
	return out, problems, nil
}

// onlyFiles is a folder in which only the named layout files are listed;
// other files (logos) stay readable.
type onlyFiles struct {
	fs.FS
	keep map[string]bool
}

// ReadDir lists name with every *.yaml/*.yml file not asked for left out.
func (o onlyFiles) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.FS, name)
	if err != nil || name != "." {
		return entries, err
	}
	var out []fs.DirEntry
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if (ext == ".yaml" || ext == ".yml") && !o.keep[e.Name()] {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

func countFiles(ps []lint.Problem) int {
	seen := map[string]bool{}
	for _, p := range ps {
		seen[p.File] = true
	}
	return len(seen)
}
