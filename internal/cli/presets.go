package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

func cmdPresets(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("presets", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ps := preset.All()
	if *asJSON {
		b, err := json.MarshalIndent(ps, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTD\tPLATFORM\tSIZE\tFORMAT\tMAX BYTES\tSAFE (T R B L)\tPURPOSE\tKEEP-OUT")
	for _, p := range ps {
		std, max := "", "-"
		if p.Standard {
			std = "*"
		}
		if p.MaxBytes > 0 {
			max = fmt.Sprint(p.MaxBytes)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%dx%d\t%s\t%s\t%d %d %d %d\t%s\t%s\n", p.ID, std, p.Platform, p.Width, p.Height, p.Format, max, p.Safe.Top, p.Safe.Right, p.Safe.Bottom, p.Safe.Left, p.PurposeOrCard(), p.KeepOutString())
	}
	return tw.Flush()
}

// cmdCheck validates layout files (the arguments: files or folders; by
// default ./layouts when it exists, else the built-in layouts) and prints
// one "file:line:col: problem" line per problem.
func cmdCheck(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files, err := layoutArgs("check", fs.Args())
	if err != nil {
		return err
	}
	fset, err := text.LoadFonts(fonts.FS)
	if err != nil {
		return err
	}
	lays, problems, err := loadForLint("", files, fset)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return errReported
	}
	name := "built-in layouts"
	switch {
	case len(files) > 0:
		name = strings.Join(fs.Args(), ", ")
	case isDir("layouts"):
		name = "layouts"
	}
	return reportLayouts(stdout, name, lays, nil)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func reportLayouts(stdout io.Writer, name string, lays map[string]*layout.Layout, err error) error {
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d layout(s) OK: %v\n", name, len(lays), layout.Names(lays))
	return nil
}
