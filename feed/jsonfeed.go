package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// jsonFeed is JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), with
// the 1.0 author field.
type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url"`
	Language    string     `json:"language"`
	Items       []jsonItem `json:"items"`
}

type jsonItem struct {
	ID            any          `json:"id"` // a string; 1.0 feeds sometimes send a number
	URL           string       `json:"url"`
	ExternalURL   string       `json:"external_url"`
	Title         string       `json:"title"`
	ContentHTML   string       `json:"content_html"`
	ContentText   string       `json:"content_text"`
	Summary       string       `json:"summary"`
	Image         string       `json:"image"`
	BannerImage   string       `json:"banner_image"`
	DatePublished string       `json:"date_published"`
	DateModified  string       `json:"date_modified"`
	Authors       []jsonAuthor `json:"authors"`
	Author        *jsonAuthor  `json:"author"`
	Tags          []string     `json:"tags"`
	Language      string       `json:"language"`
	Attachments   []struct {
		URL         string `json:"url"`
		MimeType    string `json:"mime_type"`
		SizeInBytes int64  `json:"size_in_bytes"`
	} `json:"attachments"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

// parseJSON reads a JSON Feed.
func parseJSON(data []byte) (*Feed, error) {
	var jf jsonFeed
	if err := json.Unmarshal(data, &jf); err != nil {
		return nil, jsonError(data, err)
	}
	if !strings.HasPrefix(jf.Version, "https://jsonfeed.org/version/") {
		return nil, fmt.Errorf("the JSON document has no JSON Feed version (\"version\": \"https://jsonfeed.org/version/1.1\"), found %q: %w", clip(jf.Version, 60), ErrNotFeed)
	}
	f := &Feed{Format: JSON, Title: plainText(jf.Title), Lang: jf.Language}
	base := absURL("", jf.HomePageURL)
	for i, ji := range jf.Items {
		it := Item{
			Title:   plainText(ji.Title),
			Link:    absURL(base, cmpOr(ji.URL, ji.ExternalURL)),
			Summary: plainText(cmpOr(ji.Summary, ji.ContentText, ji.ContentHTML)),
			Lang:    ji.Language,
			Pos:     fmt.Sprintf("item %d", i+1),
		}
		switch id := ji.ID.(type) {
		case string:
			it.ID = id
		case float64:
			it.ID = fmt.Sprint(id)
		}
		if d := cmpOr(ji.DatePublished, ji.DateModified); d != "" {
			if t, ok := parseDate(d); ok {
				it.Published = t
			} else {
				it.Warnings = append(it.Warnings, fmt.Sprintf("date %q is not RFC 3339; left out", clip(d, 40)))
			}
		}
		for _, t := range ji.Tags {
			if s := plainText(t); s != "" {
				it.Categories = append(it.Categories, s)
			}
		}
		authors := ji.Authors
		if len(authors) == 0 && ji.Author != nil {
			authors = []jsonAuthor{*ji.Author}
		}
		var names []string
		for _, a := range authors {
			if s := plainText(a.Name); s != "" {
				names = append(names, s)
			}
		}
		it.Author = strings.Join(names, ", ")
		ibase := cmpOr(it.Link, base)
		for _, u := range []string{ji.Image, ji.BannerImage} {
			if u = absURL(ibase, u); u != "" {
				it.Images = append(it.Images, Image{URL: u, From: "image"})
			}
		}
		for _, a := range ji.Attachments {
			if u := absURL(ibase, a.URL); u != "" && isImage(a.MimeType, u) {
				it.Images = append(it.Images, Image{URL: u, Bytes: a.SizeInBytes, From: "attachment"})
			}
		}
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// jsonError gives a JSON decoding error the line and column it happened at.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the offending byte; point at it.
		l, c := lineCol(data, syn.Offset-1)
		return &SyntaxError{Format: JSON, Line: l, Column: c, Offset: syn.Offset, Msg: syn.Error()}
	case errors.As(err, &typ):
		l, c := lineCol(data, typ.Offset)
		return &SyntaxError{Format: JSON, Line: l, Column: c, Offset: typ.Offset,
			Msg: fmt.Sprintf("%s must be %s, found %s", cmpOr(typ.Field, "the document"), typ.Type, typ.Value)}
	}
	return &SyntaxError{Format: JSON, Offset: -1, Msg: err.Error()}
}

// lineCol converts a byte offset into a 1-based line and column (in bytes).
func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
