// Package samples holds the sample articles and photos that show what the
// layouts do (see README.md in this folder): data only. The layout linter
// renders every layout with them.
package samples

import "embed"

// FS holds every sample's article.yaml and photo.jpg, one folder per sample.
//
//go:embed */article.yaml */photo.jpg
var FS embed.FS
