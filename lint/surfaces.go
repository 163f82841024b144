package lint

import (
	"fmt"
	"image"
	"strings"

	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
)

// keepOutHits reports a text, badge or image layer of pl drawn over one of
// p's keep-out zones (YouTube's duration badge, X's domain label): the
// lines of the text or the picture itself, where the platform's own UI
// would cover them.
func keepOutHits(l *layout.Layout, pl *plan.Plan, p preset.Preset, pld *plan.PlannedLayer) []hit {
	var r image.Rectangle
	what := "text"
	switch pld.Kind {
	case layout.LayerText, layout.LayerBadge:
		r = pld.TextRect()
	case layout.LayerImage:
		r, what = pld.ImageRect, "picture"
	default:
		return nil
	}
	if r.Empty() {
		return nil
	}
	var hits []hit
	for _, z := range p.KeepOut {
		over := r.Intersect(z)
		if over.Empty() {
			continue
		}
		h := layerHit(l, pld, RuleKeepOut)
		h.subject = fmt.Sprintf("%s of %s lies where the platform draws its own interface", what, plannedName(l, pl, pld))
		h.fix = "give the layer `placements:` that avoid the corner, or move it"
		h.detail = fmt.Sprintf("%dx%d px of it inside the keep-out zone %s", over.Dx(), over.Dy(), zoneName(z, pl.Width, pl.Height))
		h.score = float64(over.Dx() * over.Dy())
		hits = append(hits, h)
	}
	return hits
}

// zoneName describes a keep-out zone: its corner and rectangle.
func zoneName(z image.Rectangle, w, h int) string {
	v, hz := "top", "left"
	if z.Max.Y >= h && z.Min.Y > 0 {
		v = "bottom"
	}
	if z.Max.X >= w && z.Min.X > 0 {
		hz = "right"
	}
	return fmt.Sprintf("%s-%s %d,%d-%d,%d", v, hz, z.Min.X, z.Min.Y, z.Max.X, z.Max.Y)
}

// creditHits reports a card that shows the sample's photo without its
// credit, which agency contracts require: the variant has no credit layer,
// or its credit layer is left out (a min_short_side or when condition, or
// a box the credit does not fit in). Samples without a credit or a photo,
// and canvases that draw no photo (a typographic small-photo variant, an
// identity asset), are not checked.
func creditHits(l *layout.Layout, pl *plan.Plan, s *Sample) []hit {
	if strings.TrimSpace(s.Article.Credit) == "" || (s.Photo == nil && s.Size == (image.Point{})) {
		return nil
	}
	var photoLayer *plan.PlannedLayer
	for i := range pl.Layers {
		pld := &pl.Layers[i]
		if pld.Kind == layout.LayerPhoto && pld.Crop != nil && !pld.Crop.Src.Empty() && !pld.Crop.Dst.Empty() {
			photoLayer = pld
			break
		}
	}
	if photoLayer == nil {
		return nil
	}
	v := variantOf(l, pl)
	var creditLayer *layout.Layer
	if v != nil {
		for i := range v.Layers {
			ly := &v.Layers[i]
			if ly.Field != "credit" || (ly.Kind != layout.LayerText && ly.Kind != layout.LayerBadge) {
				continue
			}
			if pld := plannedFor(pl, ly); pld != nil && pld.Text != nil && len(pld.Text.Lines) > 0 {
				return nil // drawn
			}
			if creditLayer == nil {
				creditLayer = ly
			}
		}
	}
	variant := pl.Variant
	if variant == "" {
		variant = "(unnamed)"
	}
	var h hit
	if creditLayer == nil {
		h = layerHit(l, photoLayer, RuleCredit)
		h.subject = fmt.Sprintf("variant %s shows the photo without its credit", variant)
		h.fix = "add a text layer with `field: credit` (small, or vertical along an edge, is fine)"
		h.detail = fmt.Sprintf("the %s sample's credit %q is not drawn", s.Name, s.Article.Credit)
	} else {
		h = hit{file: l.File, line: creditLayer.Line, col: creditLayer.Col, rule: RuleCredit}
		h.subject = fmt.Sprintf("%s of variant %s is left out while the photo is shown", layerName(creditLayer), variant)
		h.fix = "drop its min_short_side or when condition, or give it a box it fits in at its minimum size"
		h.detail = fmt.Sprintf("the %s sample's credit %q is not drawn", s.Name, s.Article.Credit)
	}
	h.score = 1
	return []hit{h}
}
