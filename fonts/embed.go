// Package fonts holds the font files that sharecard embeds as its default
// typefaces: Noto Sans (regular and bold), Noto Serif (bold) and Noto Sans
// Arabic (regular and bold), all under the SIL Open Font License 1.1 (see
// OFL.txt and README.md in this directory).
//
// The package is data only: parse the files with text.LoadFonts(fonts.FS).
package fonts

import "embed"

// FS holds every *.ttf file of this directory at its top level.
//
//go:embed *.ttf
var FS embed.FS
