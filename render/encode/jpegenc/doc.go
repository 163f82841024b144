// Package jpegenc is a JPEG encoder that writes smaller files than
// image/jpeg at the same quality: it always builds optimised Huffman
// tables from the image's own symbol counts, can write progressive JPEGs
// (SOF2) and can keep full-resolution (4:4:4) chroma.
//
// Quality scales the example tables of ITU T.81 Annex K as the IJG
// library and image/jpeg do, so equal quality means equal quantisation.
// The colour conversion, chroma downsampling and DCT run once per image
// ([Prepare]); each [Prepared.Encode] quantises and codes at one quality,
// which makes a search for the quality that meets a byte budget cheap.
// Large images are converted and transformed on two goroutines; the
// output is the same bytes whatever the scheduling.
package jpegenc
