package render

// Version identifies the engine's output. It is part of cache keys and of
// content-addressed image URLs, which promise never to change their bytes:
// bump it whenever the same input renders differently on purpose.
const Version = "sharecard-render/6"

// goldenDigests holds, for each Version, the SHA-256 of the plan goldens
// (testdata/plans) and pixel goldens (testdata/golden) it renders.
// TestVersionGoldens fails when the goldens change while Version does not:
// after an intended change of output, bump Version and add its digest here
// (keeping the old entries, each version has its own digest).
var goldenDigests = map[string]string{
	"sharecard-render/2": "7a5036abb95731c853a8d0f797b234274c06a8f5cf49485180d492cc80d598d0",
	// 3: every script's fonts, colour emoji, dictionary and keep-all line
	// breaking, balanced breaks with penalties, hyphenation, typographic
	// quotes, and the planned script fallback no longer reported.
	"sharecard-render/3": "f7d9804ef31116845abbb8bb54516a0ce501b3244fc585b43ae978b9402d220d",
	// 4: the photo is resampled straight into the canvas, reading the
	// photo just outside the crop, with exact intermediate rows; Welsh,
	// Turkish, Russian, Ukrainian, Serbian and Greek are hyphenated, and a
	// word too wide even at the minimum size breaks at its hyphenation
	// points; text is set up to 8 % smaller rather than split a name or a
	// compound across lines; composition (issue 11): subjects beyond
	// frontal faces and the desk's XMP regions, heads kept whole with
	// headroom, layers moved to placements clear of subjects, small-photo
	// variants, purposes (card, clean, identity), keep-out zones, the
	// credit on every card, and the built-in layouts' one type system.
	"sharecard-render/4": "fe7ad30e1f8ac54eee9976a3e2cf187e2927f56538b02cdaf6a92d153aca4e5c",
	// 5: people found in profile, tilted and small (the cascades checked
	// against OpenCV, finer scans), compact objects by sharpness and local
	// contrast, wider frontal head boxes, a forced zoom-out keeps a little
	// headroom, tagged faces kept first; layers stay off every confident
	// subject (optional ones dropped, or the small-photo variant with the
	// photo in its own slot); clean surfaces keep a small photo above a
	// brand strip.
	"sharecard-render/5": "344b3d8583e29dd88a6a2ea112ba37701086f9e3e82710dc6ebef61a8ab90b5f",
	// 6: speed (issue 13): JPEGs decoded at 1/8, 1/4 or 1/2 straight from
	// their coefficients and kept at that scale (or shrunk with the colour
	// conversion), a pyramid of 2×2 means, the subjects found on those
	// pixels; our own JPEG encoder with optimised Huffman tables (and, as
	// layouts ask, progressive and 4:4:4 output).
	"sharecard-render/6": "2573e0e98bb951418db1a722a38eed4c6b8fbe468ee8dfc6284c9b073edfc815",
}
