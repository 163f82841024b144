package studio

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	xdraw "golang.org/x/image/draw"

	"sharecard/render"
)

// contactSheet lays the images out on one PNG, each scaled to fit a square
// cell at its true aspect ratio, in the order given.
//
// It stands in for render.ContactSheet, which labels each image; the
// integrator swaps that in.
func contactSheet(outs []render.Output) ([]byte, error) {
	const cell, gap = 320, 16
	if len(outs) == 0 {
		return nil, fmt.Errorf("no images to put on the sheet")
	}
	cols := int(math.Ceil(math.Sqrt(float64(len(outs)))))
	rows := (len(outs) + cols - 1) / cols
	sheet := image.NewNRGBA(image.Rect(0, 0, gap+cols*(cell+gap), gap+rows*(cell+gap)))
	xdraw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.NRGBA{0xEE, 0xEF, 0xF1, 0xFF}), image.Point{}, xdraw.Src)
	for i, o := range outs {
		ph, err := render.DecodePhoto(bytes.NewReader(o.Data), render.Limits{})
		if err != nil {
			return nil, fmt.Errorf("image of preset %s: %w", o.Preset.ID, err)
		}
		b := ph.Image.Bounds()
		s := min(float64(cell)/float64(b.Dx()), float64(cell)/float64(b.Dy()))
		w, h := max(1, int(float64(b.Dx())*s)), max(1, int(float64(b.Dy())*s))
		x0 := gap + (i%cols)*(cell+gap) + (cell-w)/2
		y0 := gap + (i/cols)*(cell+gap) + (cell-h)/2
		xdraw.CatmullRom.Scale(sheet, image.Rect(x0, y0, x0+w, y0+h), ph.Image, b, xdraw.Over, nil)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, sheet); err != nil {
		return nil, fmt.Errorf("encode the contact sheet: %w", err)
	}
	return buf.Bytes(), nil
}
