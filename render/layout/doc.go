// Package layout holds the designer's layouts: the model, the strict YAML
// parser with line-numbered errors and suggestions, the keys a layout may
// use, the choice of variant for a canvas and whether a layer applies to
// an article.
//
// Rule: YAML becomes a validated, immutable Layout once; later stages
// read the Layout and never parse again.
package layout
