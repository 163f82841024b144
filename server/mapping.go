package server

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sharecard/sharecard/render/article"
)

// mapSource turns a CMS webhook payload into an article with the source's
// fields, filters and tag rules. A payload a filter refuses is not an
// error: ignored says why, and a is nil.
func mapSource(src *HookSource, body []byte) (a *article.Article, ignored string, err error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, "", &Problem{Status: http.StatusBadRequest, Title: "Invalid webhook body", Detail: "the body is not JSON: " + err.Error()}
	}
	if src.Fields == nil {
		return nil, "", &Problem{Status: http.StatusUnprocessableEntity, Title: "No mapping", Field: "source",
			Detail: fmt.Sprintf("no field mapping for source %q; define its fields in the hooks file (--hooks), or use ghost or wordpress", src.Name)}
	}
	for _, f := range src.Filters {
		v, ok := pointer(doc, f.Pointer)
		if !ok && f.IfPresent {
			continue
		}
		text, isText := scalarText(v)
		if (ok && isText && text == f.Value) == f.Not {
			got := "nothing"
			if ok {
				got = fmt.Sprintf("%q", clip(fmt.Sprint(v)))
			}
			return nil, fmt.Sprintf("filter %s does not hold (the payload has %s there)", f, got), nil
		}
	}
	fields := map[string]any{}
	for field, ptrs := range src.Fields {
		// A mapping may list alternatives separated by "|": the first
		// pointer with a non-empty value wins.
		for _, ptr := range strings.Split(ptrs, "|") {
			v, ok := pointer(doc, ptr)
			if !ok {
				continue
			}
			if field == "breaking" {
				if v == true || v == "true" {
					fields[field] = true
				}
				break
			}
			s, isText := scalarText(v)
			if s = plainText(s); isText && s != "" {
				fields[field] = s
				break
			}
		}
	}
	if src.Tags != nil {
		applyTags(src.Tags, doc, fields)
	}
	if _, ok := fields["headline"]; !ok {
		return nil, "", &Problem{Status: http.StatusUnprocessableEntity, Title: "No headline in webhook", Field: src.Fields["headline"],
			Detail: fmt.Sprintf("the payload has no text at %s, which the %s mapping reads the headline from", src.Fields["headline"], src.Name)}
	}
	if src.BaseURL != "" {
		base, _ := url.Parse(src.BaseURL)
		for _, f := range []string{"url", "photo"} {
			if v, ok := fields[f].(string); ok {
				if u, err := url.Parse(v); err == nil && !u.IsAbs() && !strings.HasPrefix(v, "data:") {
					fields[f] = base.ResolveReference(u).String()
				}
			}
		}
	}
	// WordPress's date_gmt has no zone; it is UTC.
	if p, ok := fields["published"].(string); ok {
		if _, err := time.Parse("2006-01-02T15:04:05", p); err == nil {
			fields["published"] = p + "Z"
		}
	}
	data, _ := json.Marshal(fields)
	a, err = article.ParseRemote(src.Name+" webhook", data)
	return a, "", err
}

// scalarText is the text of a JSON string, number or boolean; ok is false
// for objects, arrays and null.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// applyTags sets the section from the first public tag and the flags of
// the tags listed in rules.
func applyTags(rules *TagRules, doc any, fields map[string]any) {
	v, _ := pointer(doc, rules.Pointer)
	list, _ := v.([]any)
	section := ""
	for _, item := range list {
		var name string
		internal := false
		switch t := item.(type) {
		case string:
			name = t
		case map[string]any:
			name, _ = t["name"].(string)
			if name == "" {
				name, _ = t["text"].(string) // Arc XP ANS
			}
			internal = t["visibility"] == "internal"
		}
		name = plainText(name)
		if name == "" {
			continue
		}
		internal = internal || strings.HasPrefix(name, "#")
		if flag, ok := rules.Flags[strings.ToLower(name)]; ok {
			fields[flag] = true
		}
		if !internal && section == "" {
			section = name
		}
	}
	if rules.Section && section != "" {
		fields["section"] = section
	}
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
