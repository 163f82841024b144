package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharecard/sharecard/render/article"
)

// ErrNoHeadline is wrapped by the error of Item.Article for an item
// without a title; such items are skipped with a warning.
var ErrNoHeadline = errors.New("item has no title to use as the headline")

// Article maps the item to an article: headline from the title, summary,
// url from the link, published, section from the first category, byline
// from the author, lang, and photo from photo (a URL, usually
// [Item.Photo] or the page's og:image; "" for none). The article is
// checked like one sent to the HTTP service (article.ParseRemote); a
// summary over article.MaxSummary characters is shortened at a word
// boundary first, as feeds often carry whole stories there.
func (it *Item) Article(photo string) (*article.Article, error) {
	if it.Title == "" {
		return nil, fmt.Errorf("%s: %w; give it a <title> (JSON Feed: \"title\")", it.Pos, ErrNoHeadline)
	}
	fields := map[string]string{
		"headline": it.Title,
		"summary":  shorten(it.Summary, article.MaxSummary),
		"url":      it.Link,
		"byline":   shorten(it.Author, article.MaxByline),
		"lang":     it.Lang,
		"photo":    photo,
	}
	if len(it.Categories) > 0 {
		fields["section"] = shorten(it.Categories[0], article.MaxSection)
	}
	if !it.Published.IsZero() {
		fields["published"] = it.Published.Format(time.RFC3339)
	}
	for k, v := range fields {
		if v == "" {
			delete(fields, k)
		}
	}
	data, _ := json.Marshal(fields)
	a, err := article.ParseRemote("feed item at "+it.Pos, data)
	if err != nil && fields["lang"] != "" {
		// A feed's language tag is often sloppy ("en-us " is fine,
		// "English" is not); a card does not need it.
		delete(fields, "lang")
		data, _ = json.Marshal(fields)
		if a2, err2 := article.ParseRemote("feed item at "+it.Pos, data); err2 == nil {
			return a2, nil
		}
	}
	return a, err
}

// shorten cuts s to at most n characters, at the last space before the
// limit when there is one, ending it with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}
