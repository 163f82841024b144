package render

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

// Limits bound the resources one photo may take. The zero value means the
// defaults: 100 megapixels and 50 MB.
type Limits struct {
	// MaxPixels is the largest width×height accepted; larger photos are
	// refused from their header, before any pixel is decoded.
	MaxPixels int64
	// MaxBytes is the largest encoded photo accepted, in bytes.
	MaxBytes int64
}

// Default limits, used where a field of Limits is zero.
const (
	DefaultMaxPixels = 100_000_000
	DefaultMaxBytes  = 50 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	return l
}
