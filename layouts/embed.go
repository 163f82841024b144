// Package layouts holds the built-in layout files that designers edit:
// data only. See README.md in this folder for the format.
package layouts

import "embed"

// FS holds the built-in layouts (*.yaml) and the images they use (*.png).
//
//go:embed *.yaml *.png
var FS embed.FS
