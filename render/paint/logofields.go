package paint

import (
	"image"
	"image/color"

	"github.com/sharecard/sharecard/render/plan"
)

// logoOptions reads what an image layer's plan says about its contrast:
// whether it asks for `contrast: auto`, the alternative picture for light
// backgrounds (src_on_light) and where it lands, and the plate colour
// (zero when none is given).
func logoOptions(pld *plan.PlannedLayer, images map[string]image.Image) (auto bool, alt image.Image, altR image.Rectangle, plate color.NRGBA) {
	if pld.ImageOnLight != "" {
		alt, altR = images[pld.ImageOnLight], pld.ImageOnLightRect
		if altR.Empty() {
			altR = pld.ImageRect
		}
	}
	return pld.Contrast, alt, altR, pld.Plate
}
