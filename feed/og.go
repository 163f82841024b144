package feed

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// OGImage downloads the page at pageURL with g and returns the absolute
// URL of its og:image (og:image:secure_url, og:image:url, og:image, then
// twitter:image), or "" when the page names none. g bounds the page's
// size (in sharecard, a fetch.Fetcher's MaxBytes).
func OGImage(ctx context.Context, g Getter, pageURL string) (string, error) {
	page, err := g.Get(ctx, pageURL)
	if err != nil {
		return "", fmt.Errorf("og:image of %s: %w", pageURL, err)
	}
	return PageImage(page, pageURL), nil
}

// PageImage returns the image an HTML page declares in its meta tags, as
// OGImage does, resolving a relative URL against pageURL; "" for none. It
// reads only as far as the end of <head>.
func PageImage(page []byte, pageURL string) string {
	found := map[string]string{}
	z := html.NewTokenizer(bytes.NewReader(page))
	// A page's head holds a few hundred tags; the bound stops a page
	// that never closes it from being read to the end.
	for range 10000 {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		name, hasAttr := z.TagName()
		tag := string(name)
		if tt == html.EndTagToken && tag == "head" || tt == html.StartTagToken && tag == "body" {
			break
		}
		if (tt != html.StartTagToken && tt != html.SelfClosingTagToken) || tag != "meta" || !hasAttr {
			continue
		}
		var key, content string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "property", "name":
				if key == "" {
					key = strings.ToLower(strings.TrimSpace(string(v)))
				}
			case "content":
				content = strings.TrimSpace(string(v))
			}
			if !more {
				break
			}
		}
		if _, seen := found[key]; !seen && content != "" {
			found[key] = content
		}
	}
	for _, k := range []string{"og:image:secure_url", "og:image:url", "og:image", "twitter:image", "twitter:image:src"} {
		if u := absURL(pageURL, found[k]); u != "" {
			return u
		}
	}
	return ""
}
