// Package preset is the table of platforms sharecard writes for: each
// preset's size, format, byte limit and safe area, with its sources, and
// how presets are selected, merged with a layout's own and validated.
//
// Rule: data about platforms only; no pixels, no text, no layouts.
package preset
