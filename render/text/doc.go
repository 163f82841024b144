// Package text sets text: fonts, shaping with go-text/typesetting, bidi
// and font fallback, fitting a paragraph into a box with balanced lines,
// drawing the resulting glyphs, and the one rule for text direction.
//
// Rule: text and a style in, lines of positioned glyphs out (plain data);
// drawing glyphs needs only those lines and the font set.
package text
