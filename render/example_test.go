package render_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/sharecard/sharecard/fonts"
	"github.com/sharecard/sharecard/layouts"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/photo"
	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/render/text"
)

// Example renders the sample article with the embedded fonts and layouts at
// three presets and prints what an editor would check.
func Example() {
	fset, err := text.LoadFonts(fonts.FS)
	if err != nil {
		log.Fatal(err)
	}
	finder, err := photo.NewFinder()
	if err != nil {
		log.Fatal(err)
	}
	lays, err := layout.Load(layouts.FS, "layouts", fset)
	if err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile("../samples/k1-air-base/article.yaml")
	if err != nil {
		log.Fatal(err)
	}
	article, err := article.Parse("article.yaml", data)
	if err != nil {
		log.Fatal(err)
	}
	photo, err := os.ReadFile("../samples/k1-air-base/" + article.Photo)
	if err != nil {
		log.Fatal(err)
	}
	presets, err := preset.Select("og,instagram-story,thumb-square", nil)
	if err != nil {
		log.Fatal(err)
	}
	eng := &render.Engine{Fonts: fset, Finder: finder}
	res, err := eng.Render(context.Background(), render.Job{Article: article, Photo: photo, Layout: lays["standard"], Presets: presets})
	if err != nil {
		log.Fatal(err)
	}
	// A planned layer says where the layout writes it: find the headline's.
	lay := lays["standard"]
	headline := map[string]bool{}
	for _, v := range lay.Variants {
		for _, ly := range v.Layers {
			if ly.Field == "headline" {
				headline[fmt.Sprintf("%s:%d:%d", lay.File, ly.Line, ly.Col)] = true
			}
		}
	}
	for _, o := range res.Outputs {
		fmt.Printf("%s %dx%d %s, within limit: %v\n", o.FileName(), o.Width, o.Height, o.Format, o.Preset.MaxBytes == 0 || len(o.Data) <= o.Preset.MaxBytes)
		for _, l := range o.Plan.Layers {
			if l.Kind == layout.LayerText && headline[l.Source] {
				for _, line := range l.Text.Lines {
					fmt.Printf("  | %s\n", line.Text)
				}
			}
		}
	}
	// Output:
	// og.jpg 1200x630 jpeg, within limit: true
	//   | Occupying US forces withdraw
	//   | from K1 Air Base in northern
	//   | Iraq, hand it over to Iraqi army
	// instagram-story.jpg 1080x1920 jpeg, within limit: true
	//   | Occupying US
	//   | forces withdraw
	//   | from K1 Air Base
	//   | in northern Iraq, hand
	//   | it over to Iraqi army
	// thumb-square.jpg 150x150 jpeg, within limit: true
}
