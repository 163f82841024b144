package feed

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParse_Formats(t *testing.T) {
	type want struct {
		id, title, summary, link, author, photo, published, pos string
		categories                                              []string
		warnings                                                int
	}
	tests := []struct {
		file   string
		format Format
		title  string
		lang   string
		items  []want
	}{
		{"rss.xml", RSS, "The Harbour Gazette", "en-gb", []want{
			{id: "gazette-1001", title: "Storm closes the coast road",
				summary: "Gusts of 90 km/h brought down trees. Police advise against travel.",
				link:    "https://news.example/2026/12/storm-coast-road", author: "Ana Ribeiro",
				photo: "https://cdn.news.example/storm-1600.jpg", published: "2026-12-07T09:30:00Z",
				categories: []string{"Weather", "Coast"}, pos: "line 8"},
			{id: "https://news.example/2026/12/ferry-winter", title: "Ferry timetable changes for winter",
				summary: "Fewer sailings from January & new fares.",
				link:    "https://news.example/2026/12/ferry-winter", author: "Transport Desk",
				photo: "https://cdn.news.example/ferry.jpg", published: "2026-12-06T18:05:00Z", pos: "line 22"},
			{summary: "An item with no title at all.", warnings: 1, pos: "line 32"},
		}},
		{"atom.xml", Atom, "Jornal do Porto", "pt-BR", []want{
			{id: "tag:porto.example,2026:1", title: "Chuva forte fecha a ponte",
				summary: "A ponte ficará fechada até amanhã.",
				link:    "https://porto.example/2026/12/chuva-ponte", author: "Marta Lima, João Dias",
				photo: "https://img.porto.example/ponte.png", published: "2026-12-07T08:15:00-03:00",
				categories: []string{"Cidade"}, pos: "line 8"},
			{id: "tag:porto.example,2026:2", title: "Sem data", summary: "Texto rico.",
				link:  "https://porto.example/2026/12/sem-data",
				photo: "https://img.porto.example/b.jpg", warnings: 1, pos: "line 20"},
		}},
		{"feed.json", JSON, "Valley Times", "en", []want{
			{id: "vt-77", title: "New bridge opens to cyclists", summary: "The crossing cuts the commute by ten minutes.",
				link: "https://valley.example/2026/12/bridge", author: "Sam Okafor",
				photo: "https://valley.example/img/bridge-1200.jpg", published: "2026-12-05T07:00:00+01:00",
				categories: []string{"Transport", "Cycling"}, pos: "item 1"},
			{id: "vt-78", summary: "Only text, no title.", published: "2026-12-06T07:00:00Z", pos: "item 2"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := Parse(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != tc.format || f.Title != tc.title || f.Lang != tc.lang {
				t.Errorf("feed = %q %q %q, want %q %q %q", f.Format, f.Title, f.Lang, tc.format, tc.title, tc.lang)
			}
			if len(f.Items) != len(tc.items) {
				t.Fatalf("%d items, want %d", len(f.Items), len(tc.items))
			}
			for i, w := range tc.items {
				it := f.Items[i]
				pub := ""
				if !it.Published.IsZero() {
					pub = it.Published.Format(time.RFC3339)
				}
				got := want{id: it.ID, title: it.Title, summary: it.Summary, link: it.Link, author: it.Author,
					photo: it.Photo(), published: pub, categories: it.Categories, warnings: len(it.Warnings), pos: it.Pos}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("item %d:\n got %+v\nwant %+v (warnings %q)", i, got, w, it.Warnings)
				}
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name, doc string
		notFeed   bool
		want      string // substring of the message
	}{
		{"empty", "  \n", true, "empty"},
		{"text", "hello", true, "neither XML"},
		{"html page", "<!doctype html><html><head><title>x</title></head></html>", true, "HTML page"},
		{"rdf", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>`, true, "RSS 1.0"},
		{"other root", "<urlset></urlset>", true, "<urlset>"},
		{"json not feed", `{"hello": 1}`, true, "JSON Feed version"},
		{"rss no channel", "<rss version=\"2.0\">\n</rss>", false, "RSS 2.0 feed: line 1: <rss> has no <channel>"},
		{"rss bad xml", "<rss>\n<channel>\n<item><title>x</title></item>\n</channel>\n</rss>\n</extra>", false, "RSS 2.0 feed: line 6"},
		{"rss cut off", "<rss>\n<channel>\n<item><title>x", false, "RSS 2.0 feed"},
		{"json syntax", "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n  \"items\": [,]\n}", false, "JSON Feed feed: line 3, column 13"},
		{"json type", "{\"version\": \"https://jsonfeed.org/version/1.1\",\n\"items\": {}}", false, "line 2"},
		{"json cut off", `{"version": "https://jsonfeed.org/version/1.1", "items": [`, false, "JSON Feed feed: line 1"},
		{"deep", "<rss>" + strings.Repeat("<a>", 100), false, "nest more than 64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrNotFeed) != tc.notFeed {
				t.Errorf("errors.Is(ErrNotFeed) = %v, want %v: %v", !tc.notFeed, tc.notFeed, err)
			}
			var se *SyntaxError
			if !tc.notFeed && !errors.As(err, &se) {
				t.Errorf("not a *SyntaxError: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParse_Charset(t *testing.T) {
	doc := append([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss><channel><item><title>Caf\xe9 reopens</title></item></channel></rss>"), '\n')
	f, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Items[0].Title; got != "Café reopens" {
		t.Errorf("title = %q", got)
	}
}

func TestParse_MaxItems(t *testing.T) {
	var b strings.Builder
	b.WriteString("<rss><channel>")
	for range MaxItems + 3 {
		b.WriteString("<item><title>t</title></item>")
	}
	b.WriteString("</channel></rss>")
	f, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != MaxItems || len(f.Warnings) != 1 {
		t.Errorf("%d items, warnings %q", len(f.Items), f.Warnings)
	}
}

func TestItem_Photo(t *testing.T) {
	tests := []struct {
		name   string
		images []Image
		want   string
	}{
		{"none", nil, ""},
		{"largest declared", []Image{{URL: "a", Width: 100, Height: 100}, {URL: "b", Width: 1200, Height: 630}, {URL: "c", Width: 800, Height: 600}}, "b"},
		{"unsized content beats small thumbnail", []Image{{URL: "t", Width: 150, Height: 150, From: "media:thumbnail"}, {URL: "c", From: "media:content"}}, "c"},
		{"declared large beats unsized", []Image{{URL: "c", From: "enclosure"}, {URL: "big", Width: 2000, Height: 1000, From: "media:content"}}, "big"},
		{"unsized thumbnail last", []Image{{URL: "t", From: "media:thumbnail"}, {URL: "e", From: "enclosure"}}, "e"},
		{"tie goes to first", []Image{{URL: "x", From: "image"}, {URL: "y", From: "image"}}, "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := Item{Images: tc.images}
			if got := it.Photo(); got != tc.want {
				t.Errorf("Photo() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestItem_Article(t *testing.T) {
	f, err := Parse(readTestdata(t, "rss.xml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.Items[0].Article(f.Items[0].Photo())
	if err != nil {
		t.Fatal(err)
	}
	if a.Headline != "Storm closes the coast road" || a.Section != "Weather" || a.Byline != "Ana Ribeiro" ||
		a.URL != "https://news.example/2026/12/storm-coast-road" || a.Published != "2026-12-07T09:30:00Z" ||
		a.Photo != "https://cdn.news.example/storm-1600.jpg" || a.Lang != "en-gb" {
		t.Errorf("article = %+v", a)
	}
	if _, err := f.Items[2].Article(""); !errors.Is(err, ErrNoHeadline) || !strings.Contains(err.Error(), "line 32") {
		t.Errorf("untitled item: %v", err)
	}
	long := Item{Title: "T", Summary: strings.Repeat("word ", 1000), Lang: "English (UK)", Pos: "item 1"}
	a, err = long.Article("")
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(a.Summary)); n > 2000 || !strings.HasSuffix(a.Summary, "…") || a.Lang != "" {
		t.Errorf("summary %d runes, lang %q", n, a.Lang)
	}
}

func TestPageImage(t *testing.T) {
	tests := []struct {
		name, page, want string
	}{
		{"og", `<html><head><meta property="og:image" content="https://cdn.example/a.jpg"></head></html>`, "https://cdn.example/a.jpg"},
		{"relative", `<head><meta property="og:image" content="/img/a.jpg"/></head>`, "https://news.example/img/a.jpg"},
		{"secure first", `<meta property="og:image" content="http://x.example/1.jpg"><meta property="og:image:secure_url" content="https://x.example/1.jpg">`, "https://x.example/1.jpg"},
		{"twitter fallback", `<meta name="twitter:image" content="https://t.example/t.png">`, "https://t.example/t.png"},
		{"first og wins", `<meta property="og:image" content="https://a.example/1.jpg"><meta property="og:image" content="https://a.example/2.jpg">`, "https://a.example/1.jpg"},
		{"after head ignored", `<head></head><body><meta property="og:image" content="https://a.example/1.jpg"></body>`, ""},
		{"javascript refused", `<meta property="og:image" content="javascript:alert(1)">`, ""},
		{"none", `<p>hi</p>`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PageImage([]byte(tc.page), "https://news.example/2026/story"); got != tc.want {
				t.Errorf("PageImage = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain  text\n here", "plain text here"},
		{"<p>One</p><p>Two</p>", "One Two"},
		{"a &amp; b &lt;c&gt;", "a & b <c>"},
		{"x<script>alert(1)</script>y<style>p{}</style>z", "x y z"},
		{"AT&T", "AT&T"},
	}
	for _, tc := range tests {
		if got := plainText(tc.in); got != tc.want {
			t.Errorf("plainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
