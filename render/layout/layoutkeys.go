package layout

import "slices"

// Keys returns the keys a layout file may use, by the place they may
// be used: "layout" (the top level), "brand", "brand.fonts" (the keys of one
// font role), "typography", "output", "variant", "box", "size", "pill", "preset", "preset.safe",
// and "layer:TYPE" for each layer type as written in layout files (such as
// "layer:text"). Each list is in the parser's order. The lists other than
// the layer ones repeat literals of layoutparse.go; layouts/reference_test.go
// checks them against the parser's own messages. The result is a new map on
// every call, so callers may change it; it is safe for concurrent use.
func Keys() map[string][]string {
	out := map[string][]string{
		"layout":      {"name", "description", "brand", "typography", "output", "variants", "presets"},
		"brand":       {"name", "colors", "fonts", "script_fonts", "logo"},
		"brand.fonts": {"family", "weight", "file"},
		"typography":  {"quotes", "allow_missing_glyphs"},
		"output":      {"jpeg_chroma", "progressive"},
		"variant":     {"name", "purpose", "min_aspect", "max_aspect", "max_short_side", "small_photo", "background", "layers"},
		"box":         {"left", "top", "right", "bottom", "width", "height"},
		"size":        {"max", "min"},
		"pill":        {"color", "padding_x", "padding_y", "radius"},
		"preset":      {"id", "platform", "placement", "purpose", "width", "height", "format", "max_bytes", "safe", "keep_out"},
		"preset.safe": {"top", "right", "bottom", "left"},
	}
	for kind, keys := range keysFor {
		out["layer:"+kind.String()] = slices.Clone(keys)
	}
	return out
}
