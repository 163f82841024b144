package article

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/strictyaml"

	"gopkg.in/yaml.v3"
)

// wantErr is one expected problem: the exact "file:line:col: " prefix (or
// "file: " when there is no position) and a phrase the message must hold.
type wantErr struct{ prefix, phrase string }

func TestParseArticleErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []wantErr
	}{
		{"empty file", "", []wantErr{{"a.yaml: ", "the file is empty"}}},
		{"comments only", "# nothing yet\n", []wantErr{{"a.yaml: ", "the file is empty"}}},
		{"null document", "~\n", []wantErr{{"a.yaml:1:1: ", "holds no fields"}}},
		{"top-level list", "- headline: x\n", []wantErr{{"a.yaml:1:1: ", "top level of the article must be a mapping"}}},
		{"top-level text", "Storm hits coast\n", []wantErr{{"a.yaml:1:1: ", `found the text "Storm hits coast"`}}},
		{"JSON array", `["x"]`, []wantErr{{"a.yaml:1:1: ", "found a list"}}},
		{"two documents", "headline: a\n---\nheadline: b\n", []wantErr{{"a.yaml:2:1: ", "more than one YAML document"}}},
		{"syntax error", "headline: x\nsummary: [a\n", []wantErr{{"a.yaml:2: ", "invalid YAML/JSON syntax"}}},
		{"JSON missing comma", "{\"headline\": \"x\",\n\"summary\": \"y\"\n\"url\": 1}", []wantErr{{"a.yaml:3: ", "invalid YAML/JSON syntax: did not find expected ',' or '}'"}}},
		{"unclosed flow mapping", "headline: x\nsummary: y\nfocus: {x: 1\n", []wantErr{{"a.yaml:3: ", "invalid YAML/JSON syntax"}}},
		{"list item in mapping", "headline: x\n- a\n", []wantErr{{"a.yaml:2: ", "did not find expected key"}}},
		{"bad indentation", "headline: x\n  summary: y\n", []wantErr{{"a.yaml:2: ", "mapping values are not allowed"}}},
		{"unclosed quote", "headline: x\nsummary: \"abc\nurl: x\n", []wantErr{{"a.yaml:2: ", "found unexpected end of stream"}}},
		{"not UTF-8", "headline: caf\xe9\n", []wantErr{{"a.yaml: ", "not UTF-8"}}},
		{"unknown key with suggestion", "headlne: x\n", []wantErr{
			{"a.yaml:1:1: headlne: ", `unknown key "headlne" (did you mean "headline"?)`},
			{"a.yaml:1:1: headline: ", "headline is required"},
		}},
		{"unknown key without suggestion", "headline: x\nphotographer: y\n", []wantErr{
			{"a.yaml:2:1: photographer: ", `unknown key "photographer" (known keys: headline, card_headline, section`},
		}},
		{"missing headline", "summary: x\n", []wantErr{{"a.yaml:1:1: headline: ", "headline is required"}}},
		{"blank headline", "headline: \"  \\n \"\n", []wantErr{{"a.yaml:1:11: headline: ", "headline is required: it must not be blank"}}},
		{"null headline", "headline:\nsummary: x\n", []wantErr{{"a.yaml:1:10: headline: ", "headline is required"}}},
		{"headline list", "headline: [a, b]\n", []wantErr{{"a.yaml:1:11: headline: ", "expected text, found a list"}}},
		{"summary mapping", "headline: x\nsummary:\n  a: b\n", []wantErr{{"a.yaml:3:3: summary: ", "expected text, found a mapping"}}},
		{"breaking maybe", "headline: x\nbreaking: maybe\n", []wantErr{{"a.yaml:2:11: breaking: ", `expected true or false, found the text "maybe"`}}},
		{"breaking number", "headline: x\nbreaking: 1\n", []wantErr{{"a.yaml:2:11: breaking: ", "expected true or false, found the number 1"}}},
		{"focus text", "headline: x\nfocus: left\n", []wantErr{{"a.yaml:2:8: focus: ", `expected a mapping such as {x: 0.5, y: 0.3}, found the text "left"`}}},
		{"focus list", "headline: x\nfocus: [0.5, 0.5]\n", []wantErr{{"a.yaml:2:8: focus: ", "found a list"}}},
		{"focus out of range", "headline: x\nfocus: {x: 1.5, y: -0.1}\n", []wantErr{
			{"a.yaml:2:12: focus.x: ", "expected a number from 0 to 1"},
			{"a.yaml:2:20: focus.y: ", "found -0.1"},
		}},
		{"focus not a number", "headline: x\nfocus:\n  x: centre\n  y: .nan\n", []wantErr{
			{"a.yaml:3:6: focus.x: ", `expected a number, found the text "centre"`},
			{"a.yaml:4:6: focus.y: ", "expected a number from 0 to 1"},
		}},
		{"focus missing y", "headline: x\nfocus: {x: 0.5}\n", []wantErr{{"a.yaml:2:8: focus: ", "focus needs both x and y"}}},
		{"focus unknown key", "headline: x\nfocus: {x: 0.5, y: 0.5, z: 1}\n", []wantErr{{"a.yaml:2:25: focus.z: ", `unknown key "z"`}}},
		{"duplicate key", "headline: a\nsummary: s\nheadline: b\n", []wantErr{{"a.yaml:3:1: headline: ", `duplicate key "headline" (first set at line 1)`}}},
		{"duplicate key in JSON", `{"headline": "a", "headline": "b"}`, []wantErr{{"a.yaml:1:19: headline: ", `duplicate key "headline"`}}},
		{"section and kicker", "headline: x\nsection: A\nkicker: B\n", []wantErr{{"a.yaml:3:1: kicker: ", "both section and kicker are set"}}},
		{"merge key", "base: &b {headline: x}\n<<: *b\n", []wantErr{
			{"a.yaml:1:1: base: ", `unknown key "base"`},
			{"a.yaml:1:1: headline: ", "headline is required"},
			{"a.yaml:2:1: ", "merge keys (<<) are not supported"},
		}},
		{"bad published", "headline: x\npublished: 1 May 2024\n", []wantErr{{"a.yaml:2:12: published: ", "expected a date as YYYY-MM-DD or an RFC 3339 time"}}},
		{"impossible date", "headline: x\npublished: 2024-02-30\n", []wantErr{{"a.yaml:2:12: published: ", `found "2024-02-30"`}}},
		{"relative url", "headline: x\nurl: /news/story\n", []wantErr{{"a.yaml:2:6: url: ", "expected an absolute http or https address"}}},
		{"ftp url", "headline: x\nurl: ftp://example.com/a\n", []wantErr{{"a.yaml:2:6: url: ", "http or https"}}},
		{"bad lang", "headline: x\nlang: english\n", []wantErr{{"a.yaml:2:7: lang: ", "expected a BCP 47 language tag"}}},
		{"photo URL", "headline: x\nphoto: https://example.com/a.jpg\n", []wantErr{{"a.yaml:2:8: photo: ", "found a URL"}}},
		{"control character", "headline: \"Storm\\x07 warning\"\n", []wantErr{{"a.yaml:1:11: headline: ", "control character U+0007"}}},
		{"number as key", "headline: x\n2024: y\n", []wantErr{{"a.yaml:2:1: 2024: ", `unknown key "2024"`}}},
		{"list as key", "headline: x\n? [a]\n: y\n", []wantErr{{"a.yaml:2:3: ", "keys must be plain names, found a list"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("a.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; got %+v", a)
			}
			if a != nil {
				t.Errorf("article %+v returned with an error", a)
			}
			checkErrors(t, err, tt.want)
		})
	}
}

// checkErrors asserts that err lists exactly the wanted problems, in order.
func checkErrors(t *testing.T, err error, want []wantErr) {
	t.Helper()
	got := strictyaml.FieldErrors(err)
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		msg := got[i].Error()
		if !strings.HasPrefix(msg, w.prefix) || !strings.Contains(msg, w.phrase) {
			t.Errorf("problem %d = %q\nwant prefix %q and phrase %q", i, msg, w.prefix, w.phrase)
		}
	}
}

func TestParseArticleReportsAllProblemsInFileOrder(t *testing.T) {
	in := "headlne: Storm\nbreaking: maybe\nfocus: left\nsummary: [a, b]\nurl: nope\n"
	_, err := Parse("samples/a/article.yaml", []byte(in))
	checkErrors(t, err, []wantErr{
		{"samples/a/article.yaml:1:1: headlne: ", `did you mean "headline"?`},
		{"samples/a/article.yaml:1:1: headline: ", "headline is required"},
		{"samples/a/article.yaml:2:11: breaking: ", "expected true or false"},
		{"samples/a/article.yaml:3:8: focus: ", "expected a mapping"},
		{"samples/a/article.yaml:4:10: summary: ", "expected text, found a list"},
		{"samples/a/article.yaml:5:6: url: ", "absolute http or https"},
	})
}

func fullArticle() *Article {
	return &Article{
		Headline:  "Storm closes the coast road for a second night",
		Section:   "Weather",
		Summary:   "Crews expect to reopen it on Friday.\nDetours run inland.",
		Caption:   "Waves break over the sea wall at Dawlish.",
		Credit:    "Jane Doe / Agency",
		Byline:    "By Sam Reporter",
		Published: "2024-05-01T14:30:00+01:00",
		URL:       "https://news.example.com/weather/storm-closes-coast-road",
		Lang:      "en-GB",
		Photo:     "photos/sea-wall.jpg",
		Focus:     &FocusPoint{X: 0.4, Y: 0.25},
		Layout:    "classic",
		Breaking:  true,
	}
}

func TestParseArticleValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"YAML", `# A story
headline: "  Storm closes the coast road
  for a   second night "
kicker: Weather
summary: |
  Crews expect to reopen it on Friday.
  Detours run inland.
caption: Waves break over the sea wall at Dawlish.
credit: Jane Doe / Agency
byline: By Sam Reporter
published: 2024-05-01T14:30:00+01:00
url: https://news.example.com/weather/storm-closes-coast-road
lang: en-GB
photo: photos/sea-wall.jpg
focus:
  x: 0.4
  y: 0.25
layout: classic
breaking: yes
`},
		{"JSON", `{
  "headline": "Storm closes the coast road\nfor a second night",
  "section": "Weather",
  "summary": "Crews expect to reopen it on Friday.\r\nDetours run inland.\n",
  "caption": "Waves break over the sea wall at Dawlish.",
  "credit": "Jane Doe / Agency",
  "byline": "By Sam Reporter",
  "published": "2024-05-01T14:30:00+01:00",
  "url": "https://news.example.com/weather/storm-closes-coast-road",
  "lang": "en-GB",
  "photo": "photos/sea-wall.jpg",
  "focus": {"x": 0.4, "y": 0.25},
  "layout": "classic",
  "breaking": true
}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("a", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if want := fullArticle(); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseArticleMinimalAndDefaults(t *testing.T) {
	tests := []struct {
		in   string
		want Article
	}{
		{"headline: 1984\n", Article{Headline: "1984"}},
		{"headline: Hi\npublished: 2024-05-01\nfocus: null\nbreaking: false\nsummary:\n", Article{Headline: "Hi", Published: "2024-05-01"}},
		{"headline: Hi\nfocus: {x: 0, y: 1}\n", Article{Headline: "Hi", Focus: &FocusPoint{X: 0, Y: 1}}},
		{"headline: \"\\u200b\\u00a0Hi\\u2003there\\u200b\"\nfocus: {x: 0o1, y: 0x0}\n", Article{Headline: "Hi there", Focus: &FocusPoint{X: 1, Y: 0}}},
		{"headline: Hi\nurl: HTTP://Example.com\n", Article{Headline: "Hi", URL: "HTTP://Example.com"}},
		{"\ufeffheadline: Hi\n", Article{Headline: "Hi"}},
		{"headline: Hi\nphoto: ' photos/my  photo.jpg '\nsection: \"  Local\\n news \"\n", Article{Headline: "Hi", Photo: "photos/my  photo.jpg", Section: "Local news"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse("a", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestArticleField(t *testing.T) {
	a := fullArticle()
	for _, name := range Fields() {
		v, ok := a.Field(name)
		if !ok || v == "" {
			t.Errorf("Field(%q) = %q, %v; want the value, true", name, v, ok)
		}
	}
	if v, ok := a.Field("headline"); v != a.Headline || !ok {
		t.Errorf("Field(headline) = %q, %v", v, ok)
	}
	for _, name := range []string{"photo", "Headline", "focus", ""} {
		if _, ok := a.Field(name); ok {
			t.Errorf("Field(%q) ok, want unknown", name)
		}
	}
	if slices.Contains(Fields(), "photo") || len(Fields()) != 8 {
		t.Errorf("ArticleFields() = %v", Fields())
	}
}

func TestArticleSlug(t *testing.T) {
	long := "One two three four five six seven eight nine ten eleven twelve thirteen"
	tests := []struct {
		name, url, headline, want string
	}{
		{"from headline", "", "Storm closes the coast road", "storm-closes-the-coast-road"},
		{"accents", "", "Éléphants à Zürich: Ærø's straße, Łódź", "elephants-a-zurich-aeros-strasse-lodz"},
		{"punctuation", "", "  “Why?” — 5 things & more… ", "why-5-things-more"},
		{"apostrophes join", "", "Don't panic, it’s fine", "dont-panic-its-fine"},
		{"from URL", "https://news.example.com/world/2024/05/01/storm-hits-coast/", "Other", "storm-hits-coast"},
		{"URL with extension", "https://example.com/a/Storm_Hits.html?x=1", "Other", "storm-hits"},
		{"URL percent-encoded", "https://example.com/%C3%A9t%C3%A9-chaud", "Other", "ete-chaud"},
		{"URL numeric id", "https://example.com/article/123456", "Storm hits", "storm-hits"},
		{"URL index page", "https://example.com/storm/index.html", "Storm hits", "storm-hits"},
		{"URL no path", "https://example.com", "Storm hits", "storm-hits"},
		{"long cut at word", "", long, "one-two-three-four-five-six-seven-eight-nine-ten-eleven"},
		{"one long word", "", strings.Repeat("a", 80), strings.Repeat("a", 60)},
		{"arabic hash", "", "عاجل: عاصفة تغلق الطريق", ""},
		{"digits only hash", "", "2024", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Article{URL: tt.url, Headline: tt.headline}
			got := a.Slug()
			if tt.want == "" {
				if !strings.HasPrefix(got, "article-") || len(got) != len("article-")+8 {
					t.Fatalf("Slug() = %q, want article-<8 hex>", got)
				}
				if again := (&Article{Headline: tt.headline}).Slug(); again != got {
					t.Errorf("hash slug not stable: %q then %q", got, again)
				}
				return
			}
			if got != tt.want {
				t.Errorf("Slug() = %q, want %q", got, tt.want)
			}
			if len(got) > maxSlugLen {
				t.Errorf("Slug() is %d bytes, over %d", len(got), maxSlugLen)
			}
		})
	}
	a := Article{Headline: "عاجل"}
	b := Article{Headline: "مرحبا"}
	if a.Slug() == b.Slug() {
		t.Errorf("different Arabic headlines share slug %q", a.Slug())
	}
}

func FuzzParseArticle(f *testing.F) {
	seeds := []string{
		"headline: Storm\n",
		"headline: x\nfocus: {x: 0.5, y: 0.5}\nbreaking: true\n",
		`{"headline": "a", "summary": "b\nc", "lang": "ar", "url": "https://e.com/a"}`,
		"headline: |\n  two\n  lines\ncaption: >\n  folded\n",
		"headline: x\nheadline: y\n",
		"a: &a [*a]\n",
		"headline: \"\\u2028x\\u0085\"\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse("fuzz.yaml", data)
		if err != nil {
			if a != nil {
				t.Fatalf("article returned with error %v", err)
			}
			if len(strictyaml.FieldErrors(err)) == 0 {
				t.Fatalf("error is not a FieldError: %v", err)
			}
			return
		}
		if strings.TrimSpace(a.Headline) == "" || a.Headline != strings.TrimSpace(a.Headline) {
			t.Fatalf("accepted headline %q", a.Headline)
		}
		out, err := yaml.Marshal(a)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		b, err := Parse("round-trip.yaml", out)
		if err != nil {
			t.Fatalf("round trip of %+v failed: %v\n%s", a, err, out)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed the article:\n%+v\n%+v\n%s", a, b, out)
		}
	})
}
