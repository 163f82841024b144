package layout

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image"
	"image/color"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/strictyaml"
	"github.com/sharecard/sharecard/render/text"

	"gopkg.in/yaml.v3"
)

// Parse compiles one layout file. file names it in messages; assets
// (the logo and image layers) are read from fsys, relative to the file.
// fonts, when not nil, is used to reject unknown font families. Every
// problem of the file is reported, each as "file:line:col: field: message".
func Parse(file string, data []byte, assets fs.FS, fonts *text.FontSet) (*Layout, error) {
	return parseLayout(file, file, data, assets, fonts)
}

// parseLayout parses the file called name inside assets; display is the
// name used in messages (e.g. with its folder).
func parseLayout(display, name string, data []byte, assets fs.FS, fonts *text.FontSet) (*Layout, error) {
	p := &layoutParser{errs: strictyaml.Collector{File: display}, assets: assets, fonts: fonts, dir: path.Dir(name), digest: sha256.New()}
	p.digest.Write(data)
	top, err := strictyaml.ParseMapping(display, "layout", data)
	if err != nil {
		return nil, err
	}
	if err := strictyaml.RefuseAliases(display, top, "layouts"); err != nil {
		return nil, err
	}
	l := p.layout(top)
	if err := p.errs.Err(); err != nil {
		return nil, err
	}
	l.File = display
	l.Digest = hex.EncodeToString(p.digest.Sum(nil))
	return l, nil
}

// layoutParser compiles one layout file, collecting every problem.
type layoutParser struct {
	errs   strictyaml.Collector
	dir    string // folder of the file inside assets
	assets fs.FS
	fonts  *text.FontSet
	digest hash.Hash // the file and every asset it reads
	images map[string]image.Image
	files  []text.FontFile // font files read, in file order
}

func (p *layoutParser) fail(n *yaml.Node, field, format string, args ...any) {
	p.errs.Add(n, field, format, args...)
}

// fields walks a mapping node, calling handle for each known key and
// reporting unknown, duplicate and misplaced keys.
func (p *layoutParser) fields(n *yaml.Node, at string, known []string, handle func(key string, v *yaml.Node)) {
	strictyaml.Fields(n, at, known, &p.errs, func(key string, _, v *yaml.Node) { handle(key, v) })
}

func (p *layoutParser) layout(n *yaml.Node) *Layout {
	l := &Layout{Brand: Brand{Colors: map[string]color.NRGBA{}, Fonts: map[string]FontRef{}}, Images: map[string]image.Image{}}
	p.images = l.Images
	var variants, brand *yaml.Node
	p.fields(n, "", []string{"name", "description", "brand", "typography", "output", "variants", "presets"}, func(k string, v *yaml.Node) {
		switch k {
		case "name":
			l.Name = p.str(v, k)
			if l.Name != "" && !idPattern.MatchString(l.Name) {
				p.fail(v, k, "%q is not a usable name: use lower-case letters, digits and dashes", l.Name)
			}
		case "description":
			l.Description = p.str(v, k)
		case "brand":
			brand = v
		case "typography":
			l.Typography = p.typography(v)
		case "output":
			l.Output = p.output(v)
		case "variants":
			variants = v
		case "presets":
			l.Presets = p.presets(v)
		}
	})
	if n.Kind != yaml.MappingNode {
		return l
	}
	if l.Name == "" {
		p.fail(n, "name", "name is required (the name editors pass to --layout)")
	}
	if brand != nil {
		p.brand(brand, &l.Brand)
		p.layerFonts(brand, l)
	}
	if variants == nil {
		p.fail(n, "variants", "variants is required: a list of at least one variant with layers")
		return l
	}
	if variants.Kind != yaml.SequenceNode || len(variants.Content) == 0 {
		p.fail(variants, "variants", "want a non-empty list of variants, found %s", strictyaml.DescribeNode(variants))
		return l
	}
	for i, vn := range variants.Content {
		l.Variants = append(l.Variants, p.variant(vn, fmt.Sprintf("variants[%d]", i), &l.Brand))
	}
	return l
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (p *layoutParser) brand(n *yaml.Node, b *Brand) {
	p.fields(n, "brand", []string{"name", "colors", "fonts", "script_fonts", "logo"}, func(k string, v *yaml.Node) {
		at := "brand." + k
		switch k {
		case "name":
			b.Name = p.str(v, at)
		case "colors":
			p.colors(v, at, b)
		case "fonts":
			p.brandFonts(v, at, b)
		case "script_fonts":
			p.scriptFonts(v, at)
		case "logo":
			b.Logo = p.image(v, at)
			if b.Logo != nil {
				b.LogoName = v.Value
			}
		}
	})
}

func (p *layoutParser) colors(n *yaml.Node, at string, b *Brand) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, at, "want a mapping of colour names to \"#RRGGBB\" values, found %s", strictyaml.DescribeNode(n))
		return
	}
	for j := 0; j+1 < len(n.Content); j += 2 {
		name, val := n.Content[j].Value, n.Content[j+1]
		if col, ok := p.hexColor(val, at+"."+name); ok {
			b.Colors[name] = col
		}
	}
}

func (p *layoutParser) brandFonts(n *yaml.Node, at string, b *Brand) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, at, "want a mapping of font roles (e.g. headline) to {family, weight}, found %s", strictyaml.DescribeNode(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		role, v := n.Content[i].Value, n.Content[i+1]
		f := FontRef{Weight: 400}
		var familyNode, weightNode *yaml.Node
		hasFile := mapValue(v, "file") != nil // family and weight are then checked against the file
		p.fields(v, at+"."+role, []string{"family", "weight", "file"}, func(k string, v *yaml.Node) {
			switch k {
			case "file":
				if ff, info, ok := p.fontFile(v, at+"."+role+".file"); ok {
					f.File, f.Family, f.Weight = ff.Name, info.Family, info.Weight
				}
			case "family":
				familyNode = v
				if hasFile {
					return // checked against the file below
				}
				f.Family = p.str(v, at+"."+role+".family")
				if p.fonts != nil && f.Family != "" && !p.fonts.HasFamily(f.Family) {
					msg := fmt.Sprintf("font family %q is not in fonts/", f.Family)
					if s := strictyaml.Suggest(f.Family, p.fonts.Families()); s != "" {
						msg += fmt.Sprintf(" (did you mean %q?)", s)
					} else {
						msg += " (available: " + strings.Join(p.fonts.Families(), ", ") + ")"
					}
					p.fail(v, at+"."+role+".family", "%s", msg)
				}
			case "weight":
				weightNode = v
				if hasFile {
					return // checked against the file below
				}
				f.Weight = p.intRange(v, at+"."+role+".weight", 100, 900)
			}
		})
		if f.File != "" {
			p.checkFileFont(at+"."+role, &f, familyNode, weightNode)
		} else if f.Family == "" && !hasFile {
			p.fail(v, at+"."+role+".family", "family (a built-in font family) or file (a font file beside the layout) is required")
		}
		b.Fonts[role] = f
	}
}

func (p *layoutParser) variant(n *yaml.Node, at string, b *Brand) Variant {
	v := Variant{Background: color.NRGBA{0x10, 0x14, 0x1a, 0xff}}
	var layers *yaml.Node
	p.fields(n, at, []string{"name", "purpose", "min_aspect", "max_aspect", "max_short_side", "small_photo", "background", "layers"}, func(k string, val *yaml.Node) {
		f := at + "." + k
		switch k {
		case "name":
			v.Name = p.str(val, f)
		case "purpose":
			v.Purpose = p.purpose(val, f)
		case "small_photo":
			v.SmallPhoto = p.boolean(val, f)
		case "min_aspect":
			v.MinAspect = p.floatRange(val, f, 0, 100)
		case "max_aspect":
			v.MaxAspect = p.floatRange(val, f, 0, 100)
		case "max_short_side":
			v.MaxShortSide = p.intRange(val, f, 1, 100000)
		case "background":
			v.Background, _ = p.colorRef(val, f, b)
		case "layers":
			layers = val
		}
	})
	if v.MaxAspect > 0 && v.MaxAspect <= v.MinAspect {
		p.fail(n, at+".max_aspect", "max_aspect (%g) must be larger than min_aspect (%g)", v.MaxAspect, v.MinAspect)
	}
	if layers == nil || layers.Kind != yaml.SequenceNode || len(layers.Content) == 0 {
		p.fail(orNode(layers, n), at+".layers", "want a non-empty list of layers")
		return v
	}
	for i, ln := range layers.Content {
		v.Layers = append(v.Layers, p.layer(ln, fmt.Sprintf("%s.layers[%d]", at, i), b))
	}
	return v
}

func orNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}

// keysFor lists the keys each layer type accepts.
var keysFor = map[LayerKind][]string{
	LayerPhoto:    {"type", "box", "in", "bleed", "when", "min_short_side", "backdrop"},
	LayerGradient: {"type", "box", "in", "bleed", "when", "min_short_side", "from", "to", "direction"},
	LayerBox:      {"type", "box", "placements", "in", "bleed", "when", "min_short_side", "color", "radius"},
	LayerText:     {"type", "box", "placements", "in", "bleed", "when", "min_short_side", "field", "text", "font", "weight", "size", "max_lines", "line_height", "align", "valign", "case", "tracking", "color", "contrast", "pill"},
	LayerImage:    {"type", "box", "placements", "in", "bleed", "when", "min_short_side", "src", "align", "contrast", "src_on_light", "plate"},
	LayerBadge:    {"type", "box", "placements", "in", "bleed", "when", "min_short_side", "text", "field", "font", "weight", "size", "align", "valign", "case", "tracking", "color", "pill"},
}

func (p *layoutParser) layer(n *yaml.Node, at string, b *Brand) Layer {
	ly := Layer{Line: n.Line, Col: n.Column, MaxLines: 3, LineHeight: 1.15, Color: color.NRGBA{255, 255, 255, 255}, Font: FontRef{Family: "Noto Sans", Weight: 700}}
	if n.Kind != yaml.MappingNode {
		p.fail(n, at, "want a layer mapping with a type, found %s", strictyaml.DescribeNode(n))
		return ly
	}
	typ := mapValue(n, "type")
	if typ == nil {
		p.fail(n, at+".type", "type is required (one of photo, gradient, box, text, image, badge)")
		return ly
	}
	kind, ok := layerKindNames[typ.Value]
	if !ok {
		msg := fmt.Sprintf("unknown layer type %q", typ.Value)
		if s := strictyaml.Suggest(typ.Value, sortedKeys(layerKindNames)); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		p.fail(typ, at+".type", "%s (one of photo, gradient, box, text, image, badge)", msg)
		return ly
	}
	ly.Kind = kind
	if kind == LayerBadge {
		ly.MaxLines = 1
		ly.Pill = &Pill{Color: color.NRGBA{0xc8, 0x10, 0x2e, 0xff}, PadX: Length{0.35, UnitFrac}, PadY: Length{0.12, UnitFrac}, Radius: Length{0.15, UnitFrac}}
	}
	if f, ok := b.Fonts["headline"]; ok && (kind == LayerText || kind == LayerBadge) {
		ly.Font = f
	}
	ly.MaxSize, ly.MinSize = Length{8, UnitVmin}, Length{4, UnitVmin}
	sizeSet := false
	var fontRef *FontRef
	weight := 0
	p.fields(n, at, keysFor[kind], func(k string, v *yaml.Node) {
		f := at + "." + k
		switch k {
		case "type":
		case "box":
			ly.Box = p.box(v, f)
		case "placements":
			ly.Placements = p.placements(v, f)
		case "in":
			switch p.str(v, f) {
			case "canvas":
				ly.In = RefCanvas
			case "safe":
				ly.In = RefSafe
			default:
				p.fail(v, f, "want canvas or safe, found %q", v.Value)
			}
		case "bleed":
			ly.Bleed = p.boolean(v, f)
		case "when":
			ly.When = p.str(v, f)
			if ly.When != WhenBreaking && !slices.Contains(article.Fields(), ly.When) {
				p.fail(v, f, "%s", unknownField(ly.When))
			}
		case "min_short_side":
			ly.MinShortSide = p.intRange(v, f, 0, 100000)
		case "backdrop":
			if p.str(v, f) == "blur" {
				ly.Backdrop = BackdropBlur
			} else if c, ok := p.colorRef(v, f, b); ok {
				ly.Backdrop, ly.BackdropColor = BackdropColor, c
			}
		case "from":
			ly.From, _ = p.colorRef(v, f, b)
		case "to":
			ly.To, _ = p.colorRef(v, f, b)
		case "direction":
			ly.Dir = p.direction(v, f)
		case "color":
			ly.Color, _ = p.colorRef(v, f, b)
		case "radius":
			ly.Radius = p.length(v, f)
		case "field":
			ly.Field = p.str(v, f)
			if _, ok := (&article.Article{}).Field(ly.Field); !ok {
				p.fail(v, f, "%s", unknownField(ly.Field))
			}
		case "text":
			ly.Text = p.str(v, f)
		case "font":
			role := p.str(v, f)
			ref, ok := b.Fonts[role]
			if !ok {
				msg := fmt.Sprintf("font %q is not defined under brand.fonts", role)
				if s := strictyaml.Suggest(role, sortedKeys(b.Fonts)); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				p.fail(v, f, "%s", msg)
			}
			fontRef = &ref
		case "weight":
			weight = p.intRange(v, f, 100, 900)
		case "size":
			sizeSet = true
			p.fields(v, f, []string{"max", "min"}, func(k string, sv *yaml.Node) {
				if k == "max" {
					ly.MaxSize = p.textLength(sv, f+".max")
				} else {
					ly.MinSize = p.textLength(sv, f+".min")
				}
			})
		case "max_lines":
			ly.MaxLines = p.intRange(v, f, 1, 8)
		case "line_height":
			ly.LineHeight = p.floatRange(v, f, 0.8, 3)
		case "align":
			a, err := text.ParseAlign(p.str(v, f))
			if err != nil {
				p.fail(v, f, "want start, center, end, left or right, found %q", v.Value)
			}
			ly.Align = a
		case "valign":
			ly.VAlign = p.valign(v, f)
		case "case":
			switch p.str(v, f) {
			case "upper":
				ly.Upper = true
			case "none", "":
			default:
				p.fail(v, f, "want upper or none, found %q", v.Value)
			}
		case "tracking":
			ly.Tracking = p.floatRange(v, f, -0.2, 1)
		case "contrast":
			switch p.str(v, f) {
			case "auto":
				ly.Contrast = true
			case "none":
			default:
				p.fail(v, f, "want auto or none, found %q", v.Value)
			}
		case "pill":
			ly.Pill = p.pill(v, f, b, ly.Pill)
		case "src":
			ly.Image = p.imageRef(v, f, b)
			if ly.Image != nil {
				ly.ImageName = v.Value
				if v.Value == "logo" {
					ly.ImageName = b.LogoName
				}
			}
		case "src_on_light":
			if v.Kind == yaml.ScalarNode && v.Value == "logo" {
				p.fail(v, f, "want a file next to the layout (the logo to draw on light backgrounds), not logo")
				return
			}
			ly.SrcOnLight = p.image(v, f)
			if ly.SrcOnLight != nil {
				ly.SrcOnLightName = v.Value
			}
		case "plate":
			ly.Plate, ly.HasPlate = p.colorRef(v, f, b)
		}
	})
	if fontRef != nil {
		ly.Font = *fontRef
	}
	if weight != 0 {
		ly.Font.Weight = weight
	}
	p.checkLayer(n, at, &ly, sizeSet)
	return ly
}

func (p *layoutParser) checkLayer(n *yaml.Node, at string, ly *Layer, sizeSet bool) {
	switch ly.Kind {
	case LayerText:
		if (ly.Field == "") == (ly.Text == "") {
			p.fail(n, at, "a text layer needs exactly one of field (an article field) or text (literal text)")
		}
	case LayerBadge:
		if ly.Text == "" && ly.Field == "" {
			p.fail(n, at+".text", "a badge needs text, e.g. text: BREAKING")
		}
	case LayerImage:
		if mapValue(n, "src") == nil {
			p.fail(n, at+".src", "an image layer needs src: a PNG/JPEG path next to the layout, or logo for the brand logo")
		}
		for _, k := range []string{"src_on_light", "plate"} {
			if v := mapValue(n, k); v != nil && !ly.Contrast {
				p.fail(v, at+"."+k, "%s is used only with contrast: auto; add contrast: auto to the layer", k)
			}
		}
	}
	if sizeSet && ly.MinSize.Unit == ly.MaxSize.Unit && ly.MinSize.V > ly.MaxSize.V {
		p.fail(n, at+".size", "size.min (%g) is larger than size.max (%g)", ly.MinSize.V, ly.MaxSize.V)
	}
}

func unknownField(name string) string {
	known := append(article.Fields(), WhenBreaking)
	msg := fmt.Sprintf("unknown article field %q", name)
	if s := strictyaml.Suggest(name, known); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + " (known: " + strings.Join(known, ", ") + ")"
}

func (p *layoutParser) pill(n *yaml.Node, at string, b *Brand, def *Pill) *Pill {
	pl := Pill{Color: color.NRGBA{0, 0, 0, 0xcc}, PadX: Length{0.3, UnitFrac}, PadY: Length{0.1, UnitFrac}, Radius: Length{0.12, UnitFrac}}
	if def != nil {
		pl = *def
	}
	p.fields(n, at, []string{"color", "padding_x", "padding_y", "radius"}, func(k string, v *yaml.Node) {
		f := at + "." + k
		switch k {
		case "color":
			pl.Color, _ = p.colorRef(v, f, b)
		case "padding_x":
			pl.PadX = p.emLength(v, f)
		case "padding_y":
			pl.PadY = p.emLength(v, f)
		case "radius":
			pl.Radius = p.emLength(v, f)
		}
	})
	return &pl
}

func (p *layoutParser) box(n *yaml.Node, at string) BoxSpec {
	var b BoxSpec
	p.fields(n, at, []string{"left", "top", "right", "bottom", "width", "height"}, func(k string, v *yaml.Node) {
		l := p.length(v, at+"."+k)
		switch k {
		case "left":
			b.Left = &l
		case "top":
			b.Top = &l
		case "right":
			b.Right = &l
		case "bottom":
			b.Bottom = &l
		case "width":
			b.Width = &l
		case "height":
			b.Height = &l
		}
	})
	if b.Left != nil && b.Right != nil && b.Width != nil {
		p.fail(n, at, "give at most two of left, width and right")
	}
	if b.Top != nil && b.Bottom != nil && b.Height != nil {
		p.fail(n, at, "give at most two of top, height and bottom")
	}
	return b
}

// placements parses a list of boxes, each with the keys of box: a
// layer's alternative boxes, or a preset's keep-out zones.
func (p *layoutParser) placements(n *yaml.Node, at string) []BoxSpec {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.fail(n, at, "want a non-empty list of boxes such as [{left: 5%%, top: 5%%, width: 40%%, height: 20%%}], found %s", strictyaml.DescribeNode(n))
		return nil
	}
	if len(n.Content) > maxPlacements {
		p.fail(n, at, "at most %d boxes, found %d", maxPlacements, len(n.Content))
		return nil
	}
	out := make([]BoxSpec, 0, len(n.Content))
	for i, bn := range n.Content {
		f := fmt.Sprintf("%s[%d]", at, i)
		if bn.Kind != yaml.MappingNode {
			p.fail(bn, f, "want a box mapping with left, top, right, bottom, width or height, found %s", strictyaml.DescribeNode(bn))
			continue
		}
		out = append(out, p.box(bn, f))
	}
	return out
}

// maxPlacements is the most boxes a placements or keep_out list may hold.
const maxPlacements = 8

// purpose parses a variant's purpose: card, clean or identity.
func (p *layoutParser) purpose(n *yaml.Node, at string) string {
	s := p.str(n, at)
	if slices.Contains(preset.Purposes(), s) {
		return s
	}
	if n.Kind == yaml.ScalarNode {
		msg := fmt.Sprintf("unknown purpose %q: want card, clean or identity", n.Value)
		if sg := strictyaml.Suggest(s, preset.Purposes()); sg != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", sg)
		}
		p.fail(n, at, "%s", msg)
	}
	return ""
}

func (p *layoutParser) presets(n *yaml.Node) []preset.Preset {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "presets", "want a list of presets, found %s", strictyaml.DescribeNode(n))
		return nil
	}
	var out []preset.Preset
	for i, pn := range n.Content {
		at := fmt.Sprintf("presets[%d]", i)
		pr := preset.Preset{Platform: "Layout", Format: preset.FormatJPEG, Standard: true}
		var keepOut []BoxSpec
		var keepNode *yaml.Node
		p.fields(pn, at, []string{"id", "platform", "placement", "purpose", "width", "height", "format", "max_bytes", "safe", "keep_out"}, func(k string, v *yaml.Node) {
			f := at + "." + k
			switch k {
			case "keep_out":
				keepOut, keepNode = p.placements(v, f), v
			case "purpose":
				pr.Purpose = p.purpose(v, f)
			case "id":
				pr.ID = p.str(v, f)
			case "platform":
				pr.Platform = p.str(v, f)
			case "placement":
				pr.Placement = p.str(v, f)
			case "width":
				pr.Width = p.intRange(v, f, 16, 8192)
			case "height":
				pr.Height = p.intRange(v, f, 16, 8192)
			case "format":
				ff, err := preset.ParseFormat(p.str(v, f))
				if err != nil {
					p.fail(v, f, "%v", err)
				}
				pr.Format = ff
			case "max_bytes":
				pr.MaxBytes = p.intRange(v, f, 0, 1<<31-1)
			case "safe":
				p.fields(v, f, []string{"top", "right", "bottom", "left"}, func(k string, sv *yaml.Node) {
					px := p.intRange(sv, f+"."+k, 0, 8192)
					switch k {
					case "top":
						pr.Safe.Top = px
					case "right":
						pr.Safe.Right = px
					case "bottom":
						pr.Safe.Bottom = px
					case "left":
						pr.Safe.Left = px
					}
				})
			}
		})
		pr.Formats = []preset.Format{pr.Format}
		canvas := image.Rect(0, 0, pr.Width, pr.Height)
		for j, b := range keepOut {
			r := b.Resolve(canvas, float64(min(pr.Width, pr.Height))).Intersect(canvas)
			if r.Empty() {
				p.fail(keepNode.Content[j], fmt.Sprintf("%s.keep_out[%d]", at, j), "the zone is empty or outside the %dx%d canvas", pr.Width, pr.Height)
				continue
			}
			pr.KeepOut = append(pr.KeepOut, r)
		}
		if err := pr.Validate(); err != nil {
			p.fail(pn, at, "%v", err)
			continue
		}
		out = append(out, pr)
	}
	return out
}

func (p *layoutParser) imageRef(n *yaml.Node, at string, b *Brand) image.Image {
	if n.Value == "logo" {
		if b.Logo == nil {
			p.fail(n, at, "src: logo needs brand.logo to name a logo file")
		}
		return b.Logo
	}
	return p.image(n, at)
}

// image reads and decodes a PNG/JPEG asset next to the layout file.
func (p *layoutParser) image(n *yaml.Node, at string) image.Image {
	name := p.str(n, at)
	if name == "" {
		return nil
	}
	if p.assets == nil {
		p.fail(n, at, "cannot read %q: no asset folder given", name)
		return nil
	}
	full := path.Join(p.dir, name)
	data, err := fs.ReadFile(p.assets, full)
	if err != nil {
		p.fail(n, at, "cannot read image %q next to the layout: %v", name, unwrapPathErr(err))
		return nil
	}
	fmt.Fprintf(p.digest, "\x00%s\x00%d\x00", name, len(data))
	p.digest.Write(data)
	ph, err := photo.Decode(bytes.NewReader(data), photo.Limits{MaxPixels: 16_000_000, MaxBytes: 8 << 20})
	if err != nil {
		p.fail(n, at, "image %q: %v", name, err)
		return nil
	}
	if p.images != nil {
		p.images[name] = ph.Image
	}
	return ph.Image
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ---- scalar helpers ----

func (p *layoutParser) str(n *yaml.Node, at string) string {
	if n.Kind != yaml.ScalarNode {
		p.fail(n, at, "want text, found %s", strictyaml.DescribeNode(n))
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func (p *layoutParser) boolean(n *yaml.Node, at string) bool {
	if n.Kind == yaml.ScalarNode {
		switch n.Value {
		case "true", "yes", "on":
			return true
		case "false", "no", "off":
			return false
		}
	}
	p.fail(n, at, "want true or false, found %s", strictyaml.DescribeNode(n))
	return false
}

func (p *layoutParser) floatRange(n *yaml.Node, at string, lo, hi float64) float64 {
	if n.Kind != yaml.ScalarNode {
		p.fail(n, at, "want a number, found %s", strictyaml.DescribeNode(n))
		return 0
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil {
		p.fail(n, at, "want a number, found %q", n.Value)
		return 0
	}
	if v < lo || v > hi {
		p.fail(n, at, "must be between %g and %g (got %g)", lo, hi, v)
	}
	return v
}

func (p *layoutParser) intRange(n *yaml.Node, at string, lo, hi int) int {
	if n.Kind != yaml.ScalarNode {
		p.fail(n, at, "want a whole number, found %s", strictyaml.DescribeNode(n))
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		p.fail(n, at, "want a whole number, found %q", n.Value)
		return 0
	}
	if v < lo || v > hi {
		p.fail(n, at, "must be between %d and %d (got %d)", lo, hi, v)
	}
	return v
}

// length parses a box length: 0.25, "25%", "24px" or "8vmin".
func (p *layoutParser) length(n *yaml.Node, at string) Length {
	l, err := parseLength(n.Value, UnitFrac)
	if n.Kind != yaml.ScalarNode || err != nil {
		p.fail(n, at, "want a length such as 0.25, \"25%%\", \"24px\" or \"8vmin\", found %s", strictyaml.DescribeNode(n))
	}
	return l
}

// textLength parses a font size; bare numbers are percent of the canvas's
// shorter side, like vmin.
func (p *layoutParser) textLength(n *yaml.Node, at string) Length {
	l, err := parseLength(n.Value, UnitVmin)
	if n.Kind != yaml.ScalarNode || err != nil || l.V <= 0 {
		p.fail(n, at, "want a positive size such as 7 (percent of the shorter canvas side), \"7vmin\" or \"48px\", found %s", strictyaml.DescribeNode(n))
	}
	return l
}

// emLength parses a pill measure: bare numbers are fractions of the font size.
func (p *layoutParser) emLength(n *yaml.Node, at string) Length {
	l, err := parseLength(n.Value, UnitFrac)
	if n.Kind != yaml.ScalarNode || err != nil || l.Unit == UnitVmin {
		p.fail(n, at, "want a fraction of the font size such as 0.3, or pixels such as \"12px\", found %s", strictyaml.DescribeNode(n))
	}
	return l
}

func parseLength(s string, bare Unit) (Length, error) {
	s = strings.TrimSpace(s)
	unit, num := bare, s
	switch {
	case strings.HasSuffix(s, "%"):
		unit, num = UnitFrac, strings.TrimSuffix(s, "%")
	case strings.HasSuffix(s, "px"):
		unit, num = UnitPx, strings.TrimSuffix(s, "px")
	case strings.HasSuffix(s, "vmin"):
		unit, num = UnitVmin, strings.TrimSuffix(s, "vmin")
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || v < 0 || v > 100000 {
		return Length{}, fmt.Errorf("bad length %q", s)
	}
	if strings.HasSuffix(s, "%") {
		v /= 100
	}
	return Length{V: v, Unit: unit}, nil
}

func (p *layoutParser) direction(n *yaml.Node, at string) Direction {
	switch p.str(n, at) {
	case "down":
		return DirDown
	case "up":
		return DirUp
	case "left":
		return DirLeft
	case "right":
		return DirRight
	}
	p.fail(n, at, "want down, up, left or right, found %q", n.Value)
	return DirDown
}

func (p *layoutParser) valign(n *yaml.Node, at string) VAlign {
	switch p.str(n, at) {
	case "top":
		return VAlignTop
	case "center", "middle":
		return VAlignCenter
	case "bottom":
		return VAlignBottom
	}
	p.fail(n, at, "want top, center or bottom, found %q", n.Value)
	return VAlignTop
}

// colorRef parses "#RRGGBB", "#RRGGBBAA" or the name of a brand colour.
func (p *layoutParser) colorRef(n *yaml.Node, at string, b *Brand) (color.NRGBA, bool) {
	if n.Kind == yaml.ScalarNode && !strings.HasPrefix(n.Value, "#") {
		if c, ok := b.color(n.Value); ok {
			return c, true
		}
		msg := fmt.Sprintf("unknown colour %q: use \"#RRGGBB\", \"#RRGGBBAA\" or a name from brand.colors", n.Value)
		if s := strictyaml.Suggest(n.Value, sortedKeys(b.Colors)); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		p.fail(n, at, "%s", msg)
		return color.NRGBA{}, false
	}
	return p.hexColor(n, at)
}

func (p *layoutParser) hexColor(n *yaml.Node, at string) (color.NRGBA, bool) {
	c, err := parseHexColor(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		p.fail(n, at, "want a colour such as \"#0A2540\" or \"#00000099\" (quote it: # starts a YAML comment), found %s", strictyaml.DescribeNode(n))
		return color.NRGBA{}, false
	}
	return c, true
}

func parseHexColor(s string) (color.NRGBA, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) == 6 {
		s += "ff"
	}
	if len(s) != 8 {
		return color.NRGBA{}, fmt.Errorf("bad colour")
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return color.NRGBA{}, fmt.Errorf("bad colour")
	}
	return color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

// ---- small utilities ----

func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// typography reads the typography mapping: {quotes, allow_missing_glyphs}.
func (p *layoutParser) typography(n *yaml.Node) Typography {
	var t Typography
	p.fields(n, "typography", []string{"quotes", "allow_missing_glyphs"}, func(k string, v *yaml.Node) {
		switch k {
		case "quotes":
			t.StraightQuotes = !p.boolean(v, "typography."+k)
		case "allow_missing_glyphs":
			t.AllowMissingGlyphs = p.boolean(v, "typography."+k)
		}
	})
	return t
}

// output reads the output mapping: {jpeg_chroma, progressive}.
func (p *layoutParser) output(n *yaml.Node) Output {
	var o Output
	p.fields(n, "output", []string{"jpeg_chroma", "progressive"}, func(k string, v *yaml.Node) {
		switch k {
		case "jpeg_chroma":
			switch c := p.str(v, "output."+k); c {
			case "4:4:4", "444":
				o.Chroma444 = true
			case "4:2:0", "420", "":
			default:
				p.fail(v, "output."+k, "%q is not a chroma subsampling: use \"4:4:4\" (full colour resolution, for small red or blue type) or \"4:2:0\" (the default, smaller files)", c)
			}
		case "progressive":
			o.Progressive = p.boolean(v, "output."+k)
		}
	})
	return o
}

// maxFontFileBytes is the largest font file a layout may name: a CJK
// font with every weight is about 20 MB.
const maxFontFileBytes = 64 << 20

// fontFile reads the font file named by n, relative to the layout, from
// the layouts folder: the path must stay inside the folder, and the file
// must exist and parse as a TrueType or OpenType font. A file named twice
// is read once.
func (p *layoutParser) fontFile(n *yaml.Node, at string) (text.FontFile, text.FontInfo, bool) {
	name := p.str(n, at)
	if name == "" {
		p.fail(n, at, "want the name of a .ttf or .otf file beside the layout, such as BrandSerif-Bold.ttf")
		return text.FontFile{}, text.FontInfo{}, false
	}
	full := path.Join(p.dir, name)
	switch ext := strings.ToLower(path.Ext(name)); {
	case path.IsAbs(name) || strings.Contains(name, "\\") || !fs.ValidPath(full) || full == ".":
		p.fail(n, at, "font file %q must be a path inside the layouts folder, relative to the layout (such as fonts/BrandSerif-Bold.ttf)", name)
		return text.FontFile{}, text.FontInfo{}, false
	case ext != ".ttf" && ext != ".otf":
		p.fail(n, at, "font file %q: want a TrueType (.ttf) or OpenType (.otf) file", name)
		return text.FontFile{}, text.FontInfo{}, false
	case p.assets == nil:
		p.fail(n, at, "cannot read font file %q: no layouts folder given", name)
		return text.FontFile{}, text.FontInfo{}, false
	}
	ff := text.FontFile{Name: "layouts/" + full}
	for _, f := range p.files {
		if f.Name == ff.Name {
			info, _ := text.DescribeFont(f.Name, f.Data)
			return f, info, true
		}
	}
	if st, err := fs.Stat(p.assets, full); err == nil && st.Size() > maxFontFileBytes {
		p.fail(n, at, "font file %q is %d MB, over the limit of %d MB", name, st.Size()>>20, maxFontFileBytes>>20)
		return text.FontFile{}, text.FontInfo{}, false
	}
	data, err := fs.ReadFile(p.assets, full)
	if err != nil {
		p.fail(n, at, "cannot read font file %q beside the layout: %v", name, unwrapPathErr(err))
		return text.FontFile{}, text.FontInfo{}, false
	}
	info, err := text.DescribeFont(name, data)
	if err != nil {
		p.fail(n, at, "%v", err)
		return text.FontFile{}, text.FontInfo{}, false
	}
	fmt.Fprintf(p.digest, "\x00%s\x00%d\x00", full, len(data))
	p.digest.Write(data)
	ff.Data = data
	p.files = append(p.files, ff)
	return ff, info, true
}

// checkFileFont checks a font role given by file: a family or weight
// written beside the file must be the file's own.
func (p *layoutParser) checkFileFont(at string, f *FontRef, family, weight *yaml.Node) {
	if family != nil && strings.TrimSpace(family.Value) != f.Family {
		p.fail(family, at+".family", "the font file is of family %q, not %q: remove family (a file role takes the file's family)", f.Family, family.Value)
	}
	if weight != nil {
		if w, err := strconv.Atoi(weight.Value); err == nil && w != f.Weight {
			p.fail(weight, at+".weight", "the font file is of weight %d, not %d: remove weight (a file role takes the file's weight)", f.Weight, w)
		}
	}
}

// scriptGroups are the script codes script_fonts accepts that stand for
// several scripts.
var scriptGroups = map[string][]string{
	"Jpan": {"Hani", "Hira", "Kana"},
	"Kore": {"Hang", "Hani"},
	"Hans": {"Hani"},
	"Hant": {"Hani"},
}

// scriptFonts reads brand.script_fonts, a mapping of ISO 15924 script
// codes to font files beside the layout.
func (p *layoutParser) scriptFonts(n *yaml.Node, at string) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, at, "want a mapping of ISO 15924 script codes to font files, such as {Arab: BrandArabic.ttf, Hani: BrandCJK.otf}, found %s", strictyaml.DescribeNode(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, v := n.Content[i], n.Content[i+1]
		code := kn.Value
		f := at + "." + code
		codes, ok := scriptGroups[code]
		if !ok {
			codes = []string{code}
		}
		bad := false
		for _, c := range codes {
			if _, err := text.ParseScriptCode(c); err != nil || c != strings.ToUpper(c[:1])+strings.ToLower(c[1:]) {
				p.fail(kn, f, "unknown script %q: want an ISO 15924 code written as Arab, Hani, Hang, Jpan, Kore, Cyrl, Deva, Hebr, Thai ...", code)
				bad = true
				break
			}
		}
		if bad {
			continue
		}
		ff, _, ok := p.fontFile(v, f)
		if !ok {
			continue
		}
		for j := range p.files {
			if p.files[j].Name != ff.Name {
				continue
			}
			for _, c := range codes {
				if seen[c] {
					p.fail(kn, f, "script %s is given a font twice", c)
					continue
				}
				seen[c] = true
				p.files[j].Scripts = append(p.files[j].Scripts, c)
			}
		}
	}
}

// layerFonts layers the layout's font files over the font set given to
// Parse, for the layout's text.
func (p *layoutParser) layerFonts(brand *yaml.Node, l *Layout) {
	l.FontFiles = p.files
	if p.fonts == nil || len(p.files) == 0 {
		return
	}
	set, err := p.fonts.With(p.files)
	if err != nil {
		p.fail(brand, "brand.fonts", "%v", err)
		return
	}
	l.Fonts = set
}
