// Package paint draws a plan: the photo crop, backdrops, gradients, boxes,
// pictures, text with its pill, and the contrast passes measured on the
// pixels: a scrim feathered on every edge behind text only as far as WCAG
// AA needs, and for logos with `contrast: auto` the light-background logo,
// a plate or a scrim (see ChooseLogo). Enlarged photos and canvases under
// 400 px get light unsharp masking (see Sharpen).
//
// Rule: it reads only the plan and the pixels (photo, pictures, glyph
// outlines), never the layout or the article.
package paint
