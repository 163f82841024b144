// Package fonts holds the font files that sharecard embeds as its default
// typefaces: the Noto families for every script sharecard sets (Latin,
// Greek, Cyrillic, Arabic and Nastaliq Urdu, Hebrew, the Indic scripts,
// Myanmar, Thai, Lao, Khmer, Ethiopic, Chinese, Japanese and Korean) and
// Noto Color Emoji, all under the SIL Open Font License 1.1 (see OFL.txt
// and README.md in this directory).
//
// The package is data only: index the files with text.LoadFonts(fonts.FS),
// which parses each font the first time it is used.
package fonts

import "embed"

// FS holds every *.ttf and *.ttc file of this directory at its top level.
//
//go:embed *.ttf *.ttc
var FS embed.FS
