package feed

import (
	"fmt"
	"strings"
)

// parseAtom reads an Atom (RFC 4287) document.
func parseAtom(data []byte) (*Feed, error) {
	root, err := readTree(Atom, data)
	if err != nil {
		return nil, err
	}
	ns := root.name.Space // atomNS, or "" for a feed that forgot its namespace
	f := &Feed{Format: Atom, Title: atomText(root.child(ns, "title")), Lang: root.lang()}
	base := atomLink(root, ns, "", "alternate")
	for _, n := range root.all(ns, "entry") {
		it := atomEntry(n, ns, base)
		if it.Lang == "" {
			it.Lang = n.lang()
		}
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// atomEntry maps one <entry>.
func atomEntry(n *node, ns, base string) Item {
	it := Item{
		ID:    n.childText(ns, "id"),
		Title: atomText(n.child(ns, "title")),
		Link:  atomLink(n, ns, base, "alternate"),
		Pos:   fmt.Sprintf("line %d", n.line),
	}
	it.Summary = cmpOr(atomText(n.child(ns, "summary")), atomText(n.child(ns, "content")))
	for _, tag := range []string{"published", "updated"} {
		d := n.childText(ns, tag)
		if d == "" {
			continue
		}
		if t, ok := parseDate(d); ok {
			it.Published = t
			break
		}
		it.Warnings = append(it.Warnings, fmt.Sprintf("%s date %q is in no known form; left out", tag, clip(d, 40)))
	}
	for _, c := range n.all(ns, "category") {
		if s := plainText(cmpOr(c.attr("", "label"), c.attr("", "term"))); s != "" {
			it.Categories = append(it.Categories, s)
		}
	}
	var names []string
	for _, a := range n.all(ns, "author") {
		if s := plainText(a.childText(ns, "name")); s != "" {
			names = append(names, s)
		}
	}
	it.Author = strings.Join(names, ", ")
	it.Images = mediaImages(n, cmpOr(it.Link, base))
	for _, l := range n.all(ns, "link") {
		if l.attr("", "rel") != "enclosure" {
			continue
		}
		u := absURL(cmpOr(it.Link, base), l.attr("", "href"))
		if u != "" && isImage(l.attr("", "type"), u) {
			it.Images = append(it.Images, Image{URL: u, Bytes: int64(atoi(l.attr("", "length"))), From: "enclosure"})
		}
	}
	return it
}

// atomText reads an Atom text construct: type="html" is escaped HTML,
// type="xhtml" a div of elements (whose text readTree gathers only one
// level deep, so it is gathered here), anything else plain text.
func atomText(n *node) string {
	if n == nil {
		return ""
	}
	if n.attr("", "type") == "xhtml" {
		var b strings.Builder
		var walk func(*node)
		walk = func(m *node) {
			b.WriteString(m.text.String())
			b.WriteByte(' ')
			for _, c := range m.children {
				walk(c)
			}
		}
		walk(n)
		return strings.Join(strings.Fields(b.String()), " ")
	}
	return plainText(n.text.String())
}

// atomLink returns the href of the first link with rel (a link without
// rel is "alternate"), resolved against base.
func atomLink(n *node, ns, base, rel string) string {
	for _, l := range n.all(ns, "link") {
		r := l.attr("", "rel")
		if r == rel || (r == "" && rel == "alternate") {
			if u := absURL(base, l.attr("", "href")); u != "" {
				return u
			}
		}
	}
	return ""
}
