package photo

import "encoding/binary"

// The chunk walkers below are the one reading of the PNG and WebP
// containers: the colour and orientation reader (icc.go) and the
// metadata reader (xmp.go) both go through them. Each hop is checked
// against the data, and at most maxMetaSegments chunks are visited.

// pngChunks calls fn with the type and body of each chunk of a PNG file,
// in order, until fn returns false, IEND, or a chunk that overruns data.
func pngChunks(data []byte, fn func(typ string, body []byte) bool) {
	i := 8 // the signature
	for range maxMetaSegments {
		if i+12 > len(data) {
			return
		}
		n := binary.BigEndian.Uint32(data[i:])
		if uint64(n) > uint64(len(data)-i-12) {
			return
		}
		typ := string(data[i+4 : i+8])
		if typ == "IEND" || !fn(typ, data[i+8:i+8+int(n)]) {
			return
		}
		i += 12 + int(n) // length, type, body, CRC
	}
}

// webpChunks calls fn with the FourCC and body of each RIFF chunk of a
// WebP file, in order, until fn returns false or a chunk overruns data.
func webpChunks(data []byte, fn func(fourCC string, body []byte) bool) {
	i := 12 // "RIFF", size, "WEBP"
	for range maxMetaSegments {
		if i+8 > len(data) {
			return
		}
		n := binary.LittleEndian.Uint32(data[i+4:])
		if uint64(n) > uint64(len(data)-i-8) {
			return
		}
		if !fn(string(data[i:i+4]), data[i+8:i+8+int(n)]) {
			return
		}
		i += 8 + int(n) + int(n&1) // chunks are padded to even sizes
	}
}
