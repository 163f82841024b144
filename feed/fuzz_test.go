package feed

import (
	"net/url"
	"testing"
)

func isAbsHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// FuzzParse checks that Parse never panics, that everything it accepts
// keeps its promises (absolute links and image URLs, at most MaxItems
// items) and that mapping any item to an article never panics.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json"} {
		f.Add(readTestdata(f, name))
	}
	for _, s := range []string{
		"<rss><channel><item><title>a</title><link>javascript:x</link></item></channel></rss>",
		`{"version":"https://jsonfeed.org/version/1","items":[{"id":1,"title":"t","author":{"name":"n"}}]}`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml"><div>x</div></title></entry></feed>`,
		"\xef\xbb\xbf<rss><channel/></rss>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fd, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(fd.Items) > MaxItems {
			t.Fatalf("%d items", len(fd.Items))
		}
		for _, it := range fd.Items {
			if it.Link != "" && !isAbsHTTP(it.Link) {
				t.Fatalf("link %q not absolute http(s)", it.Link)
			}
			for _, im := range it.Images {
				if !isAbsHTTP(im.URL) {
					t.Fatalf("image %q not absolute http(s)", im.URL)
				}
			}
			_, _ = it.Article(it.Photo())
		}
	})
}

// FuzzPageImage checks that PageImage never panics and returns only
// absolute http(s) URLs.
func FuzzPageImage(f *testing.F) {
	f.Add([]byte(`<head><meta property="og:image" content="/a.jpg"></head>`))
	f.Add([]byte(`<meta name="twitter:image" content="https://t.example/t.png"><body>`))
	f.Add([]byte(`<meta property="og:image" content="javascript:alert(1)">`))
	f.Fuzz(func(t *testing.T, page []byte) {
		if u := PageImage(page, "https://news.example/story"); u != "" && !isAbsHTTP(u) {
			t.Fatalf("PageImage = %q", u)
		}
	})
}
