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
// Huffman JPEG with 8-bit samples; greyscale and three-component YCbCr with
// 4:4:4, 4:2:2, 4:2:0 (and the other ratios image.YCbCr has); restart
// markers. The result is an *image.Gray or an *image.YCbCr that keeps the
// file's chroma sampling. Sequential files decode in one streaming pass
// (output planes only); progressive files hold every coefficient (2 bytes
// each, so 3 bytes per pixel for 4:2:0) until the last scan, then run the
// inverse DCT on all cores.
//
// Not supported yet: CMYK and Adobe YCCK (4 components), RGB-tagged
// 3-component files, arithmetic coding, lossless and hierarchical modes,
// 12-bit samples, DNL-defined heights. For those Decode returns an error
// wrapping ErrUnsupported; callers catch it with errors.Is and fall back
// to image/jpeg:
//
//	img, err := jpegscale.Decode(bytes.NewReader(b), 4, jpegscale.Limits{})
//	if errors.Is(err, jpegscale.ErrUnsupported) {
//		img, err = jpeg.Decode(bytes.NewReader(b))
//	}
//
// Input beyond Limits is an error wrapping ErrLimit; malformed input is a
// *FormatError naming the byte offset.
//
// At scale 1 the output matches image/jpeg within ±2 per channel. At
// reduced scales each n×n output block (n = 8/scale) is the 8-point inverse
// DCT averaged over s×s boxes, computed in one pass from the coefficients,
// as libjpeg-turbo's reduced IDCTs do; luma matches `djpeg -scale 1/N`
// closely. Chroma differs where libjpeg decodes subsampled chroma at a
// larger DCT size to avoid upsampling: here the chroma planes keep the
// file's sampling and are simply scaled like luma.
package jpegscale
