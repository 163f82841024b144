package corpus

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// TestCorpusCoversTheLanguages: every language the issue names (the BBC
// World Service's, plus Hebrew and Greek) has at least one headline, every
// script at least one golden entry, and every entry is a valid article.
func TestCorpusCoversTheLanguages(t *testing.T) {
	want := []string{"om", "am", "ar", "az", "bn", "my", "zh-Hans", "zh-Hant", "fa-AF", "en", "fr", "gu", "ha", "hi",
		"ig", "id", "ja", "rw", "rn", "ko", "ky", "mr", "ne", "ps", "fa", "pcm", "pt", "pa-Guru", "ru", "sr-Cyrl",
		"sr-Latn", "si", "so", "es", "sw", "ta", "te", "th", "ti", "tr", "uk", "ur", "uz", "vi", "cy", "yo", "he", "el"}
	es := All()
	var langs []string
	for _, e := range es {
		langs = append(langs, e.Lang)
	}
	for _, l := range want {
		if !slices.Contains(langs, l) {
			t.Errorf("no headline in %s", l)
		}
	}
	if len(es) < 45 {
		t.Errorf("%d entries, want about 45 or more", len(es))
	}
	golden := map[string]bool{}
	for _, e := range es {
		if e.Golden {
			golden[e.Script] = true
		}
	}
	for _, s := range Scripts() {
		if !golden[s] {
			t.Errorf("script %s has no golden entry", s)
		}
	}
}

func TestEntriesAreArticles(t *testing.T) {
	for _, e := range All() {
		t.Run(e.ID, func(t *testing.T) {
			if e.ID != strings.ToLower(e.ID) {
				t.Errorf("id %q is not lower case", e.ID)
			}
			if _, err := language.Parse(e.Lang); err != nil {
				t.Errorf("lang %q: %v", e.Lang, err)
			}
			if !norm.NFC.IsNormalString(e.Headline) {
				t.Errorf("headline is not in NFC")
			}
			a, err := e.Article()
			if err != nil {
				t.Fatal(err)
			}
			// Spaces are compared loosely here: whether an ideographic or
			// no-break space survives is checked by corpuscheck.
			if fields(a.Headline) != fields(e.Headline) || a.Lang != e.Lang || a.Section != e.Section {
				t.Errorf("article %+v does not carry the entry's text", a)
			}
			if got, ok := Lookup(e.ID); !ok || got != e {
				t.Errorf("Lookup(%q) = %+v, %v", e.ID, got, ok)
			}
			letters := 0
			for _, r := range e.Headline {
				if unicode.IsLetter(r) {
					letters++
				}
			}
			if letters < 8 {
				t.Errorf("headline has %d letters: too short to exercise anything", letters)
			}
		})
	}
}

// TestScriptsMatchText: each entry's script is the script of most of its
// letters (Jpan counts Han and kana, Kore Hangul, Aran is Arabic).
func TestScriptsMatchText(t *testing.T) {
	tables := map[string][]*unicode.RangeTable{
		"Latn": {unicode.Latin}, "Cyrl": {unicode.Cyrillic}, "Grek": {unicode.Greek},
		"Arab": {unicode.Arabic}, "Aran": {unicode.Arabic}, "Hebr": {unicode.Hebrew},
		"Deva": {unicode.Devanagari}, "Beng": {unicode.Bengali}, "Gujr": {unicode.Gujarati},
		"Guru": {unicode.Gurmukhi}, "Taml": {unicode.Tamil}, "Telu": {unicode.Telugu},
		"Sinh": {unicode.Sinhala}, "Mymr": {unicode.Myanmar}, "Thai": {unicode.Thai},
		"Ethi": {unicode.Ethiopic}, "Hans": {unicode.Han}, "Hant": {unicode.Han},
		"Jpan": {unicode.Han, unicode.Hiragana, unicode.Katakana}, "Kore": {unicode.Hangul},
	}
	for _, e := range All() {
		tab, ok := tables[e.Script]
		if !ok {
			t.Errorf("%s: unknown script %q", e.ID, e.Script)
			continue
		}
		in, letters := 0, 0
		for _, r := range e.Headline {
			if !unicode.IsLetter(r) {
				continue
			}
			letters++
			if unicode.In(r, tab...) {
				in++
			}
		}
		if in*2 < letters {
			t.Errorf("%s: only %d of %d letters are %s", e.ID, in, letters, e.Script)
		}
	}
}

func fields(s string) string { return strings.Join(strings.Fields(s), " ") }
