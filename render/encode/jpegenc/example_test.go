package jpegenc_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log"

	"github.com/sharecard/sharecard/render/encode/jpegenc"
)

func ExampleEncode() {
	m := image.NewRGBA(image.Rect(0, 0, 120, 63))
	for y := range 63 {
		for x := range 120 {
			m.SetRGBA(x, y, color.RGBA{uint8(2 * x), uint8(4 * y), 200, 255})
		}
	}
	var buf bytes.Buffer
	err := jpegenc.Encode(&buf, m, &jpegenc.Options{Quality: 88, Chroma: jpegenc.Chroma444, Progressive: true})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Width, cfg.Height)
	// Output: 120 63
}

func ExamplePrepared_Encode() {
	m := image.NewGray(image.Rect(0, 0, 64, 64))
	p, err := jpegenc.Prepare(m, jpegenc.Chroma420)
	if err != nil {
		log.Fatal(err)
	}
	// Encoding again at another quality reuses the DCT.
	for _, q := range []int{90, 70} {
		var buf bytes.Buffer
		if err := p.Encode(&buf, q, false); err != nil {
			log.Fatal(err)
		}
		fmt.Println(q, buf.Len() > 0)
	}
	// Output:
	// 90 true
	// 70 true
}
