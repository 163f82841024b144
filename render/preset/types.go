package preset

import (
	"fmt"
	"strings"
)

// Format is an output image encoding.
type Format string

// The output formats sharecard writes.
const (
	FormatJPEG Format = "jpeg"
	FormatPNG  Format = "png"
	FormatWebP Format = "webp"
)

// ParseFormat parses a format name as used in flags and layout files
// ("jpeg", "jpg", "png", "webp"), case-insensitively.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "jpeg", "jpg":
		return FormatJPEG, nil
	case "png":
		return FormatPNG, nil
	case "webp":
		return FormatWebP, nil
	}
	return "", fmt.Errorf("unknown image format %q (use jpeg, png or webp)", s)
}

// Ext returns the file-name extension for f, without the dot.
func (f Format) Ext() string {
	if f == FormatJPEG {
		return "jpg"
	}
	return string(f)
}

// MIMEType returns the media type of f, as used in og:image:type.
func (f Format) MIMEType() string {
	return "image/" + string(f)
}

// Insets are distances in pixels from each edge of a canvas, used for the
// safe area that a platform's own UI may cover.
type Insets struct {
	Top    int `json:"top"`
	Right  int `json:"right"`
	Bottom int `json:"bottom"`
	Left   int `json:"left"`
}
