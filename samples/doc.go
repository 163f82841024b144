// Package samples holds the sample articles and photos that show what the
// layouts do (see README.md in this folder), and the one loader and
// selection of samples that the CLI, lint and the studio share. The layout
// linter renders every layout with them.
//
// Rule: an article file and its photo (capped) come in, Sample values go
// out; nothing here renders.
package samples
