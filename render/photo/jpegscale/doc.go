// Package jpegscale decodes JPEG files straight to a reduced size
// ("shrink-on-load"): Decode(r, scale, lim) returns the picture at
// 1/scale of each side (scale 1, 2, 4 or 8, sizes rounded up as libjpeg
// does), computed from the DCT coefficients with a scaled inverse DCT
// (8x8 → 8x8, 4x4, 2x2, and at 1/8 the DC coefficient alone), so a
// 16 MP photo needed for a 1200×630 card never exists at full size.
//
// The package's one rule: never return more pixels than the caller asked
// for, and never spend memory or time the Limits do not allow — corrupt,
// truncated or hostile input is an error, never a panic.
//
// Supported: baseline, extended sequential (SOF1) and progressive (SOF2)
// Huffman JPEG with 8-bit samples; restart markers; and these colour
// models, decided as image/jpeg decides them:
//
//   - greyscale: *image.Gray;
//   - YCbCr with 4:4:4, 4:2:2, 4:2:0 (and the other ratios image.YCbCr
//     has): *image.YCbCr keeping the file's chroma sampling;
//   - RGB (3 components with an Adobe APP14 transform of 0, or ids 'R',
//     'G', 'B' and no JFIF marker): *image.RGBA;
//   - CMYK (4 components, Adobe transform 0, stored inverted as Photoshop
//     writes it) and YCCK (Adobe transform 1 or 2): *image.CMYK with the
//     values image/jpeg returns. A 4-component file without an Adobe
//     marker is unsupported, as it is for image/jpeg.
//
// For RGB, CMYK and YCCK, a plane subsampled by the same factor both ways
// is decoded at a larger DCT size where the scale allows (at 1/2 a 2x2
// subsampled plane is decoded at full 1/1 size), as libjpeg does, so the
// output needs fewer repeated samples; the rest are repeated, as
// image/jpeg does.
//
// DecodeContext is Decode that stops when its context is done: it checks
// between scans, MCU rows, inverse-DCT block rows and colour-conversion
// rows, stops the goroutines
// it started and returns ctx.Err() itself, so errors.Is(err,
// context.Canceled) works. Decode is DecodeContext with
// context.Background().
//
// Speed and memory. At 1/1 and 1/2 the inverse DCT is a fast separable
// transform (the Arai–Agui–Nakajima factorisation in float32: 5
// multiplications per 8-point pass, with the prescale applied as the
// coefficients are loaded; at 1/2 the pair means of its outputs, which
// need 4); a column whose AC coefficients are all zero, or a block's rows
// when only its first column is non-zero, are filled without a transform.
// It is within 1 of the matrix form (tested); 1/4 uses the matrix form.
// Huffman decoding refills its bit buffer 8 bytes at a
// time and resolves a code, its run and its value in one 9-bit table
// lookup; at reduced scales the coefficients the scaled IDCT never reads
// are skipped (at 1/8 all but the DC, at 1/4 all frequencies but 0, 1, 3,
// 5, 7, at 1/2 frequency 4). Both cores are used where the file allows:
// sequential scans pipeline Huffman decoding (one goroutine) and the IDCT
// of finished MCU rows (another); with restart markers, runs of restart
// segments decode in parallel instead; progressive files decode scans of
// different components (and DC scans next to AC scans) at the same time,
// then run the final IDCT in bands over GOMAXPROCS goroutines. The output does not depend on
// GOMAXPROCS. Sequential files decode in one streaming pass, holding the
// output planes and a few MCU rows of coefficients. Progressive files hold
// until the last scan only the coefficients the scale needs (2 bytes each:
// 64 per block at 1/1, 49 at 1/2, 25 at 1/4, 1 at 1/8) and a 64-bit
// non-zero map per block, which refinement scans need: the 16 MP
// progressive photo at 1/4 allocates about 25 MB in all.
//
// Not supported: arithmetic coding, lossless and hierarchical modes,
// 12-bit samples, DNL-defined heights, YCbCr chroma that is not 1x1, and
// RGB/CMYK planes whose sampling does not divide the largest. For those
// Decode returns an error wrapping ErrUnsupported; callers catch it with
// errors.Is and fall back to image/jpeg:
//
//	img, err := jpegscale.Decode(bytes.NewReader(b), 4, jpegscale.Limits{})
//	if errors.Is(err, jpegscale.ErrUnsupported) {
//		img, err = jpeg.Decode(bytes.NewReader(b))
//	}
//
// Input beyond Limits is an error wrapping ErrLimit; malformed input is a
// *FormatError naming the byte offset.
//
// At scale 1 the output matches image/jpeg within ±2 per channel (±3 for
// YCCK, where the YCbCr-to-RGB step scales chroma differences). At
// reduced scales each n×n output block (n = 8/scale) is the 8-point inverse
// DCT averaged over s×s boxes, computed in one pass from the coefficients,
// as libjpeg-turbo's reduced IDCTs do; luma matches `djpeg -scale 1/N`
// closely. Chroma differs where libjpeg decodes subsampled chroma at a
// larger DCT size to avoid upsampling: here the chroma planes keep the
// file's sampling and are simply scaled like luma. RGB at reduced scales
// matches djpeg closely too; CMYK and YCCK (djpeg cannot write them) are
// checked against image/jpeg's output averaged over s×s boxes.
package jpegscale
