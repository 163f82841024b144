// Package samples holds the sample articles and photos that show what the
// layouts do (see README.md in this folder): data only. The layout linter
// renders every layout with them.
//
// Rule: data and the one loader; an article file and its photo come in,
// samples.Sample values go out, and nothing here renders.
package samples
