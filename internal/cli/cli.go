package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sharecard/sharecard/internal/version"
)

// usageError is a mistake in how the command was called; main prints its
// hint and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage: sharecard <command> [flags]

commands:
  render ARTICLE...   render share images for article files (or folders of them)
  presets             list built-in presets (--json for machine-readable output)
  check [PATH...]     validate layout files or folders (default: ./layouts if it exists, else the built-in ones)
  lint [PATH...]      check layouts against every preset and the samples (safe area, contrast, fit, faces)
  serve               run the HTTP service (CMS webhooks, og:image card URLs)
  sign                print a signed card URL for the service
  studio              live preview of the layouts in every preset, for designers
  version             print the version, commit and Go version (also --version)
  healthcheck         exit 0 if the service on SHARECARD_ADDR answers /healthz (for containers)

Run "sharecard <command> -h" for the flags of a command.
`

// Run is the whole program: it runs the command args name (without the
// program name) and returns the exit code: 0 done, 1 failed, 2 misused.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "render":
		err = cmdRender(ctx, args[1:], stdout, stderr)
	case "presets":
		err = cmdPresets(args[1:], stdout)
	case "check":
		err = cmdCheck(args[1:], stdout)
	case "lint":
		err = cmdLint(ctx, args[1:], stdout, stderr)
	case "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr)
	case "sign":
		err = cmdSign(args[1:], stdout, stderr)
	case "studio":
		err = cmdStudio(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		return healthcheck(args[1:], os.Getenv("SHARECARD_ADDR"), stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version.Get())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "sharecard: %v\n\n%s", err, usage)
		return 2
	case errors.Is(err, errReported):
		return 1
	default:
		fmt.Fprintf(stderr, "sharecard: %v\n", err)
		return 1
	}
}

// errReported means the details were already printed.
var errReported = errors.New("failed")

// errHelp means -h was asked for and the usage was printed.
var errHelp = errors.New("help")

// parseFlags parses a command's flags: -h gives errHelp (the usage is
// printed), a mistake a usageError (exit 2). Flags may come before, between
// or after the arguments (`render article.yaml --out x`); "--" ends the
// flags, and "-" is an argument (standard input). fs.Args() holds the
// arguments afterwards, in order.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp
			}
			return usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// Leave the arguments in fs.Args().
	return fs.Parse(append([]string{"--"}, pos...))
}
