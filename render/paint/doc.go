// Package paint draws a plan: the photo crop, backdrops, gradients, boxes,
// pictures, text with its pill, and the contrast pass that lays a scrim
// behind text only as far as WCAG AA needs on the actual pixels.
//
// Rule: it reads only the plan and the pixels (photo, pictures, glyph
// outlines), never the layout or the article.
package paint
