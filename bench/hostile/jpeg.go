package main

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
)

// bombJPEG is a progressive JPEG of w×h pixels (three components, no
// subsampling) whose scans carry no data worth the name: each is one AC
// band (coefficients 1-63) of one component, coded as end-of-band runs of
// 16,384 blocks in all-zero bits. It is a few hundred bytes, yet a decoder
// that keeps every coefficient, as Go's image/jpeg does for progressive
// files, holds w×h×3 blocks of 64 int32 before it builds the image. With
// scans > 3, the band of the first component is sent again and again, and
// each repeat walks every block of it once more.
func bombJPEG(w, h, scans int) []byte {
	var b bytes.Buffer
	seg := func(marker byte, payload ...byte) {
		b.Write([]byte{0xFF, marker, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)})
		b.Write(payload)
	}
	b.Write([]byte{0xFF, 0xD8}) // SOI
	dqt := []byte{0x00}         // 8-bit table 0
	for range 64 {
		dqt = append(dqt, 1)
	}
	seg(0xDB, dqt...)
	seg(0xC2, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 3, // SOF2: progressive, 3 components
		1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0)
	// One AC table (class 1, id 0) with a single 1-bit code, "0", for the
	// symbol 0xE0: a run of 2^14 + (next 14 bits) blocks to the end of band.
	dht := []byte{0x10, 1}
	dht = append(dht, make([]byte, 15)...)
	dht = append(dht, 0xE0)
	seg(0xC4, dht...)
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	runs := (blocks + 16383) / 16384
	data := make([]byte, (runs*15+7)/8) // 15 zero bits per run: the code and 14 bits of run length
	for i := range scans {
		comp := byte(1)
		if i < 3 {
			comp = byte(i + 1)
		}
		seg(0xDA, 1, comp, 0x00, 1, 63, 0x00) // SOS: one component, band 1..63, no approximation
		b.Write(data)
	}
	b.Write([]byte{0xFF, 0xD9}) // EOI
	return b.Bytes()
}

// photoJPEG encodes a w×h photo-like image (gradients with a little
// noise, so it neither compresses to nothing nor to noise) at quality 90,
// caching it in file.
func photoJPEG(w, h int, file string) ([]byte, error) {
	if data, err := os.ReadFile(file); err == nil {
		return data, nil
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(2463534242)
	for y := range h {
		for x := range w {
			seed ^= seed << 13
			seed ^= seed >> 17
			seed ^= seed << 5
			img.Y[y*img.YStride+x] = uint8((x*200/w + y*55/h + int(seed%24)) & 0xFF)
		}
	}
	for y := range (h + 1) / 2 {
		for x := range (w + 1) / 2 {
			i := y*img.CStride + x
			img.Cb[i] = uint8(96 + x*64/w)
			img.Cr[i] = uint8(160 - y*64/h)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	return b.Bytes(), os.WriteFile(file, b.Bytes(), 0o644)
}
