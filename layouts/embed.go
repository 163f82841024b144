// Package layouts holds the built-in layout files that designers edit:
// data only. See README.md in this folder for the format.
package layouts

import "embed"

// FS holds the built-in layouts (*.yaml), the images they use (*.png)
// and the example brand fonts of the reference (fonts/).
//
//go:embed *.yaml *.png fonts
var FS embed.FS
