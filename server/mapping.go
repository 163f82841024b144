package server

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sharecard/sharecard/render/article"
)

// mapPayload turns a CMS webhook payload into an article. Built-in
// mappings cover Ghost's post.published webhook ("ghost") and a WordPress
// REST post ("wordpress"); any other source needs a mapping from article
// field to JSON pointer (RFC 6901) in the configuration.
func mapPayload(source string, body []byte, mapping map[string]string) (*article.Article, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, &Problem{Status: http.StatusBadRequest, Title: "Invalid webhook body", Detail: "the body is not JSON: " + err.Error()}
	}
	if mapping == nil {
		switch source {
		case "ghost":
			mapping = ghostMapping
		case "wordpress":
			mapping = wordpressMapping
		default:
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "No mapping", Field: "source",
				Detail: fmt.Sprintf("no field mapping for source %q; configure one (article field -> JSON pointer) or use ghost or wordpress", source)}
		}
	}
	fields := map[string]any{}
	for field, ptrs := range mapping {
		// A mapping may list alternatives separated by "|": the first
		// pointer with a non-empty value wins.
		for _, ptr := range strings.Split(ptrs, "|") {
			v, ok := pointer(doc, ptr)
			if !ok {
				continue
			}
			s := plainText(fmt.Sprint(v))
			if field == "breaking" {
				fields[field] = v == true || s == "true"
				break
			}
			if s != "" && s != "<nil>" {
				fields[field] = s
				break
			}
		}
	}
	if _, ok := fields["headline"]; !ok {
		return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "No headline in webhook", Field: mapping["headline"],
			Detail: fmt.Sprintf("the payload has no value at %s, which the %s mapping reads the headline from", mapping["headline"], source)}
	}
	// WordPress's date_gmt has no zone; it is UTC.
	if p, ok := fields["published"].(string); ok {
		if _, err := time.Parse("2006-01-02T15:04:05", p); err == nil {
			fields["published"] = p + "Z"
		}
	}
	data, _ := json.Marshal(fields)
	return article.ParseRemote(source+" webhook", data)
}

// ghostMapping reads Ghost's post.published webhook (post.current).
var ghostMapping = map[string]string{
	"headline":  "/post/current/title",
	"summary":   "/post/current/custom_excerpt|/post/current/excerpt",
	"caption":   "/post/current/feature_image_caption",
	"photo":     "/post/current/feature_image",
	"url":       "/post/current/url",
	"published": "/post/current/published_at",
	"section":   "/post/current/primary_tag/name",
	"byline":    "/post/current/primary_author/name",
}

// wordpressMapping reads a WordPress REST API post (with _embed for the
// featured image).
var wordpressMapping = map[string]string{
	"headline":  "/title/rendered",
	"summary":   "/excerpt/rendered",
	"photo":     "/jetpack_featured_media_url|/_embedded/wp:featuredmedia/0/source_url",
	"caption":   "/_embedded/wp:featuredmedia/0/caption/rendered",
	"url":       "/link",
	"published": "/date_gmt",
	"section":   "/_embedded/wp:term/0/0/name",
	"byline":    "/_embedded/author/0/name",
}

// pointer resolves an RFC 6901 JSON pointer in a decoded document.
func pointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	if cur == nil {
		return nil, false
	}
	return cur, true
}

var (
	blockTag = regexp.MustCompile(`(?i)<(br|/?p|/?div|/?li|/?h[1-6])\b[^>]*>`)
	anyTag   = regexp.MustCompile(`<[^>]*>`)
)

// plainText strips HTML tags and entities (CMSs send rendered HTML for
// titles, excerpts and captions) and collapses white space; block tags
// separate words, inline tags do not.
func plainText(s string) string {
	s = blockTag.ReplaceAllString(s, " ")
	s = html.UnescapeString(anyTag.ReplaceAllString(s, ""))
	return strings.Join(strings.Fields(s), " ")
}
