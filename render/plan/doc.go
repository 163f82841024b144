// Package plan decides everything about one card before a pixel is drawn:
// the variant, every layer's box, colours, pill and picture, how the text
// breaks, and which part of the photo is shown (the crop that keeps
// subjects whole and out from under the text).
//
// Rule: no pixels in or out; a Plan is plain data that round-trips through
// JSON, and each planned layer names its file:line:col in the layout.
package plan
