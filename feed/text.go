package feed

import (
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// charsetReader decodes the encodings a feed may declare (ISO-8859-1,
// Windows-1252, ...) to UTF-8 for encoding/xml.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, r)
}

// plainText turns an HTML fragment (or plain text with entities) into
// plain text on one line: tags dropped, block elements and line breaks
// made spaces, script and style left out, entities decoded, runs of
// white space made single spaces.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip++
			}
			b.WriteByte(' ')
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip = max(0, skip-1)
			}
			b.WriteByte(' ')
		}
	}
}

// dateLayouts are the date forms feeds use: RFC 822/1123 (RSS, with or
// without the day name, with a zone name or a numeric offset) and RFC
// 3339 (Atom, JSON Feed).
var dateLayouts = []string{
	time.RFC3339Nano,
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"02 Jan 06 15:04 -0700",
	"02 Jan 06 15:04 MST",
	"Monday, 02-Jan-06 15:04:05 MST",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	time.DateOnly,
}

// parseDate reads a feed's date; ok is false for one in no known form.
func parseDate(s string) (t time.Time, ok bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// absURL resolves ref against base and returns it when it is an absolute
// http(s) URL, else "".
func absURL(base, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() && base != "" {
		b, err := url.Parse(base)
		if err != nil {
			return ""
		}
		u = b.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// isImage reports whether a media type, or failing that the URL's file
// extension, says the resource is an image.
func isImage(mediaType, rawURL string) bool {
	if mediaType != "" {
		return strings.HasPrefix(strings.ToLower(strings.TrimSpace(mediaType)), "image/")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif":
		return true
	}
	return false
}

// assumedArea is the area given to an image the feed states no size for
// (other than a thumbnail): a declared larger image wins over it, a small
// declared one does not.
const assumedArea = 640 * 480

// Photo returns the URL of the item's largest image, or "" when it has
// none. Images are compared by their stated width × height; one without a
// size counts as 640×480, a thumbnail without a size as 0; ties go to the
// image listed first.
func (it *Item) Photo() string {
	best, bestArea := "", int64(-1)
	for _, im := range it.Images {
		area := int64(im.Width) * int64(im.Height)
		if area <= 0 {
			area = assumedArea
			if im.From == "media:thumbnail" {
				area = 0
			}
		}
		if area > bestArea {
			best, bestArea = im.URL, area
		}
	}
	return best
}
