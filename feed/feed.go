// Package feed reads RSS 2.0, Atom and JSON Feed 1.1 documents into a
// list of items and maps each item to an article, so a CMS without
// webhooks can have its stories rendered from the feed it already
// publishes.
//
// [Parse] detects the format from the document itself. Each [Item] keeps
// what a card needs: title, summary (HTML turned to plain text), link,
// publication time, categories, author and every image the item offers
// (media:content, media:thumbnail, image enclosures, JSON Feed's image
// and attachments); [Item.Photo] picks the largest. [Item.Article] checks
// the mapped article with the same rules as an article sent to the HTTP
// service. [OGImage] reads a page's og:image, for feeds that carry no
// image at all.
//
// Nothing here opens a connection: documents and pages come through a
// [Getter], in sharecard a fetch.Fetcher, which refuses private
// addresses.
package feed

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Format names a feed format.
type Format string

// The formats Parse reads.
const (
	RSS  Format = "RSS 2.0"
	Atom Format = "Atom"
	JSON Format = "JSON Feed"
)

// MaxItems is the most items Parse keeps from one feed; later items are
// dropped with a warning. Feeds list their newest items first.
const MaxItems = 500

// Feed is a parsed feed.
type Feed struct {
	Format Format
	Title  string
	// Lang is the feed's language (RSS <language>, Atom xml:lang, JSON
	// Feed language), given to items that name none.
	Lang  string
	Items []Item
	// Warnings are problems that dropped a part of the feed but not all
	// of it, such as items past MaxItems.
	Warnings []string
}

// Item is one story of a feed. Text fields are plain text on one line.
type Item struct {
	// ID identifies the item across polls: the RSS guid, the Atom id or
	// the JSON Feed id, else the link, else the title.
	ID         string
	Title      string
	Summary    string
	Link       string    // absolute http(s) URL, or empty
	Published  time.Time // zero when the feed gives no date or one that does not parse
	Categories []string
	Author     string
	Lang       string
	Images     []Image
	// Pos is where the item starts in the document, for messages: "line
	// 12" in XML, "item 3" in JSON Feed.
	Pos string
	// Warnings are problems with single fields, which were left out.
	Warnings []string
}

// Image is a picture an item offers. Width, Height and Bytes are 0 when
// the feed does not say.
type Image struct {
	URL           string
	Width, Height int
	Bytes         int64
	// From names the element it came from: "media:content",
	// "media:thumbnail", "enclosure", "image" (JSON Feed), "attachment".
	From string
}

// SyntaxError is a document that is not a well-formed feed, with where
// the problem is.
type SyntaxError struct {
	Format Format // the format being read; empty if not yet known
	Line   int    // 1-based; 0 if unknown
	Column int    // 1-based; 0 if unknown
	Offset int64  // byte offset; -1 if unknown
	Msg    string
}

func (e *SyntaxError) Error() string {
	what := "feed"
	if e.Format != "" {
		what = string(e.Format) + " feed"
	}
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s: line %d, column %d: %s", what, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s: line %d: %s", what, e.Line, e.Msg)
	case e.Offset >= 0:
		return fmt.Sprintf("%s: byte %d: %s", what, e.Offset, e.Msg)
	}
	return what + ": " + e.Msg
}

// ErrNotFeed is wrapped by the error for a document that is well formed
// but no feed this package reads (an HTML page, RSS 1.0, an unrelated
// JSON document).
var ErrNotFeed = errors.New("not an RSS 2.0, Atom or JSON Feed document")

// Parse reads a feed, detecting its format: JSON Feed when the document
// starts with "{", else RSS 2.0 (<rss>) or Atom (<feed>). A document that
// does not parse gives a *SyntaxError naming the line (XML) or the line
// and column (JSON); one of another kind wraps ErrNotFeed.
func Parse(data []byte) (*Feed, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("the document is empty: %w", ErrNotFeed)
	}
	var f *Feed
	var err error
	switch trimmed[0] {
	case '{':
		f, err = parseJSON(data)
	case '<':
		f, err = parseXML(data)
	default:
		return nil, fmt.Errorf("the document starts with %q, neither XML (<) nor JSON ({): %w", clip(string(trimmed), 20), ErrNotFeed)
	}
	if err != nil {
		return nil, err
	}
	if len(f.Items) > MaxItems {
		f.Warnings = append(f.Warnings, fmt.Sprintf("the feed has %d items; only the first %d are read", len(f.Items), MaxItems))
		f.Items = f.Items[:MaxItems]
	}
	for i := range f.Items {
		it := &f.Items[i]
		if it.Lang == "" {
			it.Lang = f.Lang
		}
		if it.ID == "" {
			it.ID = cmpOr(it.Link, it.Title)
		}
	}
	return f, nil
}

// parseXML finds the root element and hands the document to the RSS or
// Atom reader.
func parseXML(data []byte) (*Feed, error) {
	d := newXMLDecoder(data)
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, xmlError("", d, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case se.Name.Local == "rss":
			return parseRSS(data)
		case se.Name.Local == "feed" && (se.Name.Space == atomNS || se.Name.Space == ""):
			return parseAtom(data)
		case se.Name.Local == "RDF":
			return nil, fmt.Errorf("the document is RSS 1.0 (RDF), which is not read; publish RSS 2.0, Atom or JSON Feed: %w", ErrNotFeed)
		case strings.EqualFold(se.Name.Local, "html"):
			return nil, fmt.Errorf("the document is an HTML page; give the URL of its feed (the href of <link rel=\"alternate\" type=\"application/rss+xml\">): %w", ErrNotFeed)
		default:
			return nil, fmt.Errorf("the root element is <%s>; RSS starts with <rss>, Atom with <feed>: %w", se.Name.Local, ErrNotFeed)
		}
	}
}

// newXMLDecoder returns a strict decoder that also reads the common
// non-UTF-8 encodings feeds declare and HTML's named entities (&nbsp;).
func newXMLDecoder(data []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charsetReader
	return d
}

// xmlError turns an error of the XML decoder into a *SyntaxError with the
// decoder's position.
func xmlError(f Format, d *xml.Decoder, err error) error {
	if errors.Is(err, io.EOF) {
		return &SyntaxError{Format: f, Offset: -1, Msg: "the document ends before its root element is closed (is it cut off?)"}
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line, col := d.InputPos()
		if se.Line > 0 {
			line = se.Line
		}
		return &SyntaxError{Format: f, Line: line, Column: col, Offset: d.InputOffset(), Msg: se.Msg}
	}
	line, col := d.InputPos()
	return &SyntaxError{Format: f, Line: line, Column: col, Offset: d.InputOffset(), Msg: err.Error()}
}

// Getter downloads a URL; *fetch.Fetcher implements it.
type Getter interface {
	Get(ctx context.Context, url string) ([]byte, error)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
