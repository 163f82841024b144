package samples

import "embed"

// FS holds every sample's article.yaml and photo.jpg, one folder per sample.
//
//go:embed */article.yaml */photo.jpg
var FS embed.FS
