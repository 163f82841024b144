package article

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The length limits of the fields of an article, checked by [Parse] and
// [ParseRemote]; this table is the one place they are set (the README's
// "Article format" section lists them).
//
// Text fields are counted in characters, meaning Unicode code points of the
// value as stored (after surrounding white space is trimmed and, in the
// one-line fields, runs of white space are collapsed), without Unicode
// normalization: "é" written precomposed is one character, "e" followed by
// a combining acute accent is two. Code points rather than grapheme
// clusters, because they are what the text shaper works through: one
// grapheme cluster may hold thousands of combining marks, so a cap on
// clusters would not bound the work of setting the text.
//
// The url and photo fields are counted in bytes, as addresses and paths
// are.
const (
	// MaxHeadline is the longest headline, in characters. Headlines on
	// news sites run to 70-150; 1,000 leaves room for a long one in any
	// script while keeping the fitting work bounded.
	MaxHeadline = 1000
	// MaxCardHeadline is the longest card headline, in characters: the
	// same as MaxHeadline, which it stands in for on cards.
	MaxCardHeadline = MaxHeadline
	// MaxSection is the longest section (kicker), in characters.
	MaxSection = 100
	// MaxSummary is the longest summary (standfirst), in characters.
	MaxSummary = 2000
	// MaxCaption is the longest photo caption, in characters.
	MaxCaption = 2000
	// MaxCredit is the longest photo credit, in characters.
	MaxCredit = 300
	// MaxByline is the longest byline, in characters.
	MaxByline = 300
	// MaxPublished is the longest publication date, in characters (an
	// RFC 3339 time with nanoseconds and an offset is 35).
	MaxPublished = 64
	// MaxLang is the longest language tag, in characters: the length RFC
	// 5646 (section 4.4.1) asks implementations to support.
	MaxLang = 35
	// MaxLayout is the longest layout name, in characters.
	MaxLayout = 100
	// MaxURL is the longest story address, in bytes: the limit of the
	// sitemaps protocol, which search engines hold article URLs to.
	MaxURL = 2048
	// MaxPhotoPath is the longest photo path in an article file, in
	// bytes (PATH_MAX on Linux).
	MaxPhotoPath = 4096
	// MaxPhotoURL is the longest http(s) photo address in an article sent
	// to the HTTP service, in bytes.
	MaxPhotoURL = 8192
	// MaxPhotoBytes is the largest photo a data: URI may carry, in bytes
	// once decoded: the photo decoder's own default cap
	// (photo.DefaultMaxBytes, which this package may not import), so a
	// data: URI is never refused here for a photo the decoder would take.
	MaxPhotoBytes = 50 << 20
	// MaxPhotoDataURI is the longest data: URI photo, in bytes: the
	// base64 size of MaxPhotoBytes plus 256 bytes for the
	// "data:image/jpeg;base64," header and its parameters.
	MaxPhotoDataURI = (MaxPhotoBytes+2)/3*4 + 256
)

// limitUnit is how a field's length is counted.
type limitUnit int

const (
	unitChars limitUnit = iota
	unitBytes
)

// fieldLimit is the length limit of one field.
type fieldLimit struct {
	max  int
	unit limitUnit
}

// charLimits are the limits, in characters, of the text fields counted
// in characters ("kicker" is section).
var charLimits = map[string]int{
	"headline":      MaxHeadline,
	"card_headline": MaxCardHeadline,
	"section":       MaxSection,
	"kicker":        MaxSection,
	"summary":       MaxSummary,
	"caption":       MaxCaption,
	"photo_alt":     MaxCaption,
	"credit":        MaxCredit,
	"byline":        MaxByline,
	"published":     MaxPublished,
	"lang":          MaxLang,
	"layout":        MaxLayout,
}

// limitOf returns the length limit of the text field key. remote says the
// article came over the network, where the photo is a URL or a data: URI
// rather than a path.
func limitOf(key, value string, remote bool) fieldLimit {
	if n, ok := charLimits[key]; ok {
		return fieldLimit{n, unitChars}
	}
	switch key {
	case "url":
		return fieldLimit{MaxURL, unitBytes}
	case "photo":
		switch {
		case !remote:
			return fieldLimit{MaxPhotoPath, unitBytes}
		case strings.HasPrefix(value, "data:"):
			return fieldLimit{MaxPhotoDataURI, unitBytes}
		}
		return fieldLimit{MaxPhotoURL, unitBytes}
	}
	panic("article: no length limit for field " + strconv.Quote(key)) // every text key of Keys has one
}

// checkLength returns "" when value is within the limit of field key,
// else the message saying how long it is and what the limit is.
func checkLength(key, value string, remote bool) string {
	lim := limitOf(key, value, remote)
	if len(value) <= lim.max { // never fewer bytes than characters
		return ""
	}
	n, unit := len(value), "bytes"
	if lim.unit == unitChars {
		if n = utf8.RuneCountInString(value); n <= lim.max {
			return ""
		}
		unit = "characters"
	}
	how := "shorten it"
	if key == "photo" && remote {
		if lim.max == MaxPhotoDataURI {
			how = "send a smaller photo, or send it as a multipart photo part or an https URL"
		} else {
			how = "use a shorter address"
		}
	} else if key == "url" {
		how = "use the story's canonical address"
	}
	return thousands(n) + " " + unit + ", over the limit of " + thousands(lim.max) + "; " + how
}

// thousands formats n with commas between groups of three digits.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
