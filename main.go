// Command sharecard renders share images for news articles: every Open
// Graph, X, Instagram, YouTube and TV size from one article file.
//
//	sharecard render [flags] ARTICLE...   write out/<slug>/<preset>.<ext>, manifest.json, meta.html
//	sharecard presets [--json]            list the built-in presets
//	sharecard check [DIR]                 validate layout files
//	sharecard lint [FILE.yaml...]         check layouts on every preset and sample
//	sharecard serve [flags]               the HTTP service
//	sharecard sign [flags]                print a signed card URL
//	sharecard studio [flags]              live preview of the layouts
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sharecard/sharecard/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
