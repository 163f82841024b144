package text

import (
	"strings"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/language"
)

// Hyphenation uses Liang's algorithm (as TeX does) with the patterns of
// LibreOffice's hyphenation dictionaries as packaged by Debian
// (hyphen-en-us, hyphen-de, hyphen-fr, hyphen-es, hyphen-id, hyphen-sr)
// and hyph-utf8's (Portuguese, Welsh, Turkish, Russian, Ukrainian, Greek),
// one pattern a line in breakdata/hyph-LANG.txt.gz; breakdata/README.md
// gives their sources and licences. A language's patterns are read the
// first time one of its words is hyphenated. Languages without patterns
// (Swahili, Hausa, Azeri, …) are not hyphenated: a word too long for its
// line shrinks the text instead.

// hyphenLangs gives, for each language with patterns, the fewest letters
// kept before and after a hyphen. They are stricter than the dictionaries'
// own minimums: a headline is better with fewer, safer breaks.
var hyphenLangs = map[string][2]int{
	"en": {2, 3}, "de": {2, 3}, "fr": {2, 3}, "es": {2, 3}, "pt": {2, 3}, "id": {2, 3}, "ms": {2, 3},
	"cy": {2, 3}, "tr": {2, 3}, "ru": {2, 3}, "uk": {2, 3}, "el": {2, 3}, "sr": {2, 3},
}

// lowerFor returns the lower-casing of lang's letters, as its patterns
// are written: Turkish lower-cases I to dotless ı and İ to i.
func lowerFor(lang string) func(rune) rune {
	if lang == "tr" {
		return unicode.TurkishCase.ToLower
	}
	return unicode.ToLower
}

// minHyphenWord is the shortest word, in letters, that is hyphenated.
const minHyphenWord = 7

// hyphenator holds the patterns of one language.
type hyphenator struct {
	pats        map[string][]uint8
	maxLen      int // longest pattern, in runes
	left, right int
	lower       func(rune) rune // the language's lower-casing
	// apostrophe: the patterns have words with an apostrophe inside
	// (Ukrainian пам’ять), which is then part of the word.
	apostrophe bool
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

var (
	hyphenMu   sync.Mutex
	hyphenSets = map[string]*hyphenator{}
)

// hyphenLang returns the language whose patterns hyphenate text in lang,
// or "" when lang is not hyphenated.
func hyphenLang(lang string) string {
	if lang == "" {
		return ""
	}
	l := string(language.NewLanguage(lang).Primary())
	if _, ok := hyphenLangs[l]; ok {
		if l == "ms" {
			return "id" // Malay and Indonesian share their syllable rules
		}
		return l
	}
	return ""
}

// getHyphenator returns the patterns of lang (a key of hyphenLangs),
// loading them on first use; nil when they cannot be read.
func getHyphenator(lang string) *hyphenator {
	hyphenMu.Lock()
	defer hyphenMu.Unlock()
	if h, ok := hyphenSets[lang]; ok {
		return h
	}
	var h *hyphenator
	if data, err := readGz("breakdata/hyph-" + lang + ".txt.gz"); err == nil {
		mins := hyphenLangs[lang]
		h = parsePatterns(string(data), mins[0], mins[1])
		h.lower = lowerFor(lang)
	}
	hyphenSets[lang] = h
	return h
}

// parsePatterns reads Liang patterns such as ".ach4" or "a2ch", one a
// line: letters with the digits between them.
func parsePatterns(data string, left, right int) *hyphenator {
	h := &hyphenator{pats: map[string][]uint8{}, left: left, right: right, lower: unicode.ToLower}
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var letters []rune
		vals := []uint8{0}
		for _, r := range line {
			if r >= '0' && r <= '9' {
				vals[len(vals)-1] = uint8(r - '0')
				continue
			}
			letters = append(letters, unicode.ToLower(r))
			vals = append(vals, 0)
		}
		if len(letters) == 0 {
			continue
		}
		h.pats[string(letters)] = vals
		if strings.ContainsFunc(string(letters), isApostrophe) {
			h.apostrophe = true
		}
		h.maxLen = max(h.maxLen, len(letters))
	}
	return h
}

// points returns the offsets in word (1..len-1) where it may be
// hyphenated: between word[i-1] and word[i].
func (h *hyphenator) points(word []rune) []int {
	n := len(word)
	if n < h.left+h.right {
		return nil
	}
	s := make([]rune, 0, n+2)
	s = append(s, '.')
	for _, r := range word {
		s = append(s, h.lower(r))
	}
	s = append(s, '.')
	vals := make([]uint8, len(s)+1)
	for i := range s {
		for j := i + 1; j <= len(s) && j-i <= h.maxLen; j++ {
			if pat, ok := h.pats[string(s[i:j])]; ok {
				for k, v := range pat {
					vals[i+k] = max(vals[i+k], v)
				}
			}
		}
	}
	var out []int
	for i := h.left; i <= n-h.right; i++ {
		if vals[i+1]%2 == 1 {
			out = append(out, i)
		}
	}
	return out
}

// hyphenateWide returns text with soft hyphens in the long words inside
// the rune ranges wide (ascending, not overlapping) only.
func hyphenateWide(text []rune, lang string, wide [][2]int) []rune {
	if lang == "" || len(wide) == 0 {
		return text
	}
	out := make([]rune, 0, len(text)+len(text)/4)
	prev := 0
	for _, r := range wide {
		out = append(out, text[prev:r[0]]...)
		out = append(out, hyphenate(text[r[0]:r[1]], lang)...)
		prev = r[1]
	}
	return append(out, text[prev:]...)
}

// hyphenate inserts soft hyphens into the words of text of at least
// minHyphenWord letters, at the points the patterns of lang allow. Words
// of mixed case (McDonald, iPhone) and words next to digits are left
// alone; words in capitals are hyphenated like the others.
func hyphenate(text []rune, lang string) []rune {
	h := getHyphenator(lang)
	if h == nil {
		return text
	}
	out := make([]rune, 0, len(text)+len(text)/4)
	for i := 0; i < len(text); {
		if !unicode.IsLetter(text[i]) {
			out = append(out, text[i])
			i++
			continue
		}
		j := i
		upper, lower := 0, 0
		for j < len(text) && (unicode.IsLetter(text[j]) || unicode.Is(unicode.Mn, text[j]) ||
			h.apostrophe && isApostrophe(text[j]) && j+1 < len(text) && unicode.IsLetter(text[j+1])) {
			if j > i && unicode.IsUpper(text[j]) {
				upper++
			}
			if unicode.IsLower(text[j]) {
				lower++
			}
			j++
		}
		word := text[i:j]
		plain := upper == 0 || lower == 0 // not McDonald or iPhone; capitals are fine
		if j < len(text) && unicode.IsDigit(text[j]) || i > 0 && unicode.IsDigit(text[i-1]) {
			plain = false
		}
		var pts []int
		if plain && len(word) >= minHyphenWord {
			pts = h.points(word)
		}
		k := 0
		for wi, r := range word {
			if k < len(pts) && pts[k] == wi {
				out = append(out, softHyphen)
				k++
			}
			out = append(out, r)
		}
		i = j
	}
	return out
}
