package feed

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// XML namespaces the readers look for.
const (
	atomNS  = "http://www.w3.org/2005/Atom"
	mediaNS = "http://search.yahoo.com/mrss/"
	dcNS    = "http://purl.org/dc/elements/1.1/"
	xmlNS   = "http://www.w3.org/XML/1998/namespace"
)

// maxDepth bounds the nesting of a feed document; real feeds nest a few
// levels (rss > channel > item > media:group > media:content).
const maxDepth = 64

// node is an element of a parsed XML document: its text is the
// concatenated character data directly inside it.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	text     strings.Builder
	children []*node
	line     int
}

// readTree parses a whole XML document into nodes and returns the root.
func readTree(f Format, data []byte) (*node, error) {
	d := newXMLDecoder(data)
	var stack []*node
	var root *node
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) && root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, xmlError(f, d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				l, c := d.InputPos()
				return nil, &SyntaxError{Format: f, Line: l, Column: c, Offset: d.InputOffset(), Msg: fmt.Sprintf("elements nest more than %d deep", maxDepth)}
			}
			n := &node{name: t.Name, attrs: t.Attr, line: line}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
}

// is reports whether n is the element space:local; an empty space
// matches only elements in no namespace.
func (n *node) is(space, local string) bool {
	return n.name.Local == local && n.name.Space == space
}

// child returns the first child element space:local, or nil.
func (n *node) child(space, local string) *node {
	for _, c := range n.children {
		if c.is(space, local) {
			return c
		}
	}
	return nil
}

// all returns the child elements space:local.
func (n *node) all(space, local string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.is(space, local) {
			out = append(out, c)
		}
	}
	return out
}

// childText returns the trimmed text of the first child space:local.
func (n *node) childText(space, local string) string {
	if c := n.child(space, local); c != nil {
		return strings.TrimSpace(c.text.String())
	}
	return ""
}

// attr returns the value of the attribute local in no namespace (or with
// the given space when space is not empty).
func (n *node) attr(space, local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local && (a.Name.Space == space || (space == "" && a.Name.Space == "")) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// lang returns the element's xml:lang attribute.
func (n *node) lang() string {
	for _, a := range n.attrs {
		if a.Name.Local == "lang" && (a.Name.Space == xmlNS || a.Name.Space == "xml") {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// mediaImages collects the images of the Media RSS elements directly in n
// and in its media:group children, resolving their URLs against base.
func mediaImages(n *node, base string) []Image {
	var out []Image
	for _, c := range n.children {
		switch {
		case c.is(mediaNS, "group"):
			out = append(out, mediaImages(c, base)...)
		case c.is(mediaNS, "content"):
			medium, typ := c.attr("", "medium"), c.attr("", "type")
			u := absURL(base, c.attr("", "url"))
			if u == "" || (medium != "" && medium != "image") || (medium == "" && typ != "" && !isImage(typ, u)) {
				continue
			}
			out = append(out, Image{URL: u, Width: atoi(c.attr("", "width")), Height: atoi(c.attr("", "height")),
				Bytes: int64(atoi(c.attr("", "fileSize"))), From: "media:content"})
			// A video's poster frame sits inside its media:content.
			out = append(out, thumbnails(c, base)...)
		case c.is(mediaNS, "thumbnail"):
			out = append(out, thumbnails(&node{children: []*node{c}}, base)...)
		}
	}
	return out
}

// thumbnails returns the media:thumbnail children of n.
func thumbnails(n *node, base string) []Image {
	var out []Image
	for _, c := range n.all(mediaNS, "thumbnail") {
		if u := absURL(base, c.attr("", "url")); u != "" {
			out = append(out, Image{URL: u, Width: atoi(c.attr("", "width")), Height: atoi(c.attr("", "height")), From: "media:thumbnail"})
		}
	}
	return out
}

// atoi reads a non-negative size attribute; anything else is 0.
func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
