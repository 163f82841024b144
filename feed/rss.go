package feed

import (
	"fmt"
	"strings"
)

// parseRSS reads an RSS 2.0 document.
func parseRSS(data []byte) (*Feed, error) {
	root, err := readTree(RSS, data)
	if err != nil {
		return nil, err
	}
	ch := root.child("", "channel")
	if ch == nil {
		return nil, &SyntaxError{Format: RSS, Line: root.line, Offset: -1, Msg: "<rss> has no <channel> element"}
	}
	f := &Feed{Format: RSS, Title: plainText(ch.childText("", "title")), Lang: ch.childText("", "language")}
	base := absURL("", ch.childText("", "link"))
	for _, n := range ch.all("", "item") {
		f.Items = append(f.Items, rssItem(n, base))
	}
	return f, nil
}

// rssItem maps one <item>.
func rssItem(n *node, base string) Item {
	it := Item{
		Title: plainText(n.childText("", "title")),
		Pos:   fmt.Sprintf("line %d", n.line),
	}
	if l := n.childText("", "link"); l != "" {
		if it.Link = absURL(base, l); it.Link == "" {
			it.Warnings = append(it.Warnings, fmt.Sprintf("link %q is not an http(s) URL; left out", clip(l, 60)))
		}
	}
	if it.Link == "" {
		// A permalink guid is the story's address.
		if g := n.child("", "guid"); g != nil && !strings.EqualFold(g.attr("", "isPermaLink"), "false") {
			it.Link = absURL("", strings.TrimSpace(g.text.String()))
		}
	}
	if it.Link == "" {
		// Some feeds give only an atom:link.
		if l := n.child(atomNS, "link"); l != nil {
			it.Link = absURL(base, l.attr("", "href"))
		}
	}
	it.ID = n.childText("", "guid")
	it.Summary = plainText(cmpOr(n.childText("", "description"), n.childText(mediaNS, "description")))
	if d := cmpOr(n.childText("", "pubDate"), n.childText(dcNS, "date")); d != "" {
		if t, ok := parseDate(d); ok {
			it.Published = t
		} else {
			it.Warnings = append(it.Warnings, fmt.Sprintf("date %q is in no known form; left out", clip(d, 40)))
		}
	}
	for _, c := range n.all("", "category") {
		if s := plainText(c.text.String()); s != "" {
			it.Categories = append(it.Categories, s)
		}
	}
	// <author> is an e-mail address, often "mail@example.com (Name)";
	// dc:creator is the name.
	it.Author = plainText(n.childText(dcNS, "creator"))
	if it.Author == "" {
		a := n.childText("", "author")
		if i, j := strings.IndexByte(a, '('), strings.LastIndexByte(a, ')'); i >= 0 && j > i {
			a = a[i+1 : j]
		}
		it.Author = plainText(a)
	}
	it.Images = mediaImages(n, base)
	for _, e := range n.all("", "enclosure") {
		u := absURL(base, e.attr("", "url"))
		if u != "" && isImage(e.attr("", "type"), u) {
			it.Images = append(it.Images, Image{URL: u, Bytes: int64(atoi(e.attr("", "length"))), From: "enclosure"})
		}
	}
	return it
}
