// Package photo turns the bytes a photo desk sends into upright 8-bit sRGB
// pixels (content sniffing, caps checked from the header, a JPEG's markers
// and scan script checked before decoding, the memory decoding will take
// told from the header by [Inspect], decoding stopped with its context,
// EXIF orientation, ICC profiles), reads what the desk embedded in the
// file (XMP MWG and IPTC image regions; credit, byline, copyright and
// caption from XMP or IPTC-IIM: see [ReadEmbedded]) and finds what
// matters in the pixels (faces frontal and in profile, people, animals,
// compact in-focus objects, else the most salient detail), prepared once
// per photo with its resampling pyramid.
//
// Rule: bytes in, pixels and subjects out; it knows nothing of cards,
// layouts or text.
package photo
