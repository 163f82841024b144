package text

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// The word lists of the scripts written without spaces between words
// (Thai, Lao, Khmer, Myanmar) are ICU's break-iterator dictionaries
// (icu4c/source/data/brkitr/dictionaries, licence in
// breakdata/LICENSE-ICU.txt), one word a line, sorted, gzip-compressed.
// Each list is decompressed the first time text of its script is set.
//
//go:embed breakdata/*.txt.gz
var breakData embed.FS

// dictScript is a script whose words are found with a dictionary.
type dictScript int

const (
	noDict dictScript = iota
	dictThai
	dictLao
	dictKhmer
	dictMyanmar
	numDicts
)

// dictFiles names the word list of each dictScript in breakData.
var dictFiles = [numDicts]string{dictThai: "thai", dictLao: "lao", dictKhmer: "khmer", dictMyanmar: "burmese"}

// scriptOfRune returns the dictionary script of r, or noDict.
func scriptOfRune(r rune) dictScript {
	switch {
	case r >= 0x0E00 && r <= 0x0E7F:
		return dictThai
	case r >= 0x0E80 && r <= 0x0EFF:
		return dictLao
	case r >= 0x1780 && r <= 0x17FF, r >= 0x19E0 && r <= 0x19FF:
		return dictKhmer
	case r >= 0x1000 && r <= 0x109F, r >= 0xA9E0 && r <= 0xA9FF, r >= 0xAA60 && r <= 0xAA7F:
		return dictMyanmar
	}
	return noDict
}

// wordList is a sorted list of words.
type wordList struct {
	words  []string
	maxLen int // longest word, in runes
}

var (
	dictOnce  [numDicts]sync.Once
	dictLists [numDicts]*wordList
)

// dictionary returns the word list of script d, loading it on first use.
// A list that cannot be read (which the tests rule out) is empty: the
// text then breaks only where UAX #14 allows.
func dictionary(d dictScript) *wordList {
	dictOnce[d].Do(func() {
		dictLists[d] = loadWordList("breakdata/" + dictFiles[d] + ".txt.gz")
	})
	return dictLists[d]
}

// loadWordList reads a gzip-compressed, sorted list of words, one a line.
func loadWordList(name string) *wordList {
	wl := &wordList{}
	data, err := readGz(name)
	if err != nil {
		return wl
	}
	wl.words = strings.Split(strings.TrimSpace(string(data)), "\n")
	sort.Strings(wl.words)
	for _, w := range wl.words {
		wl.maxLen = max(wl.maxLen, len([]rune(w)))
	}
	return wl
}

// readGz returns the decompressed content of an embedded .gz file.
func readGz(name string) ([]byte, error) {
	raw, err := breakData.ReadFile(name)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// prefixes calls f with the length in runes of every word of wl that
// text starts with, shortest first.
func (wl *wordList) prefixes(text []rune, f func(n int)) {
	var b strings.Builder
	for n := 1; n <= len(text) && n <= wl.maxLen; n++ {
		b.WriteRune(text[n-1])
		s := b.String()
		i := sort.SearchStrings(wl.words, s)
		if i == len(wl.words) || !strings.HasPrefix(wl.words[i], s) {
			return // no word starts with s, so none with a longer prefix
		}
		if wl.words[i] == s {
			f(n)
		}
	}
}

// noBreakBefore reports whether a word boundary may not fall just before
// text[i] in a dictionary script: inside a grapheme cluster (before a
// combining mark or a joiner, after a stacking virama or a Thai or Lao
// vowel written before its consonant) or before a repetition mark.
func noBreakBefore(text []rune, i int) bool {
	if i <= 0 || i >= len(text) {
		return false
	}
	r, prev := text[i], text[i-1]
	if unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) || r == 0x200D || r == 0x200C || prev == 0x200D || prev == 0x200C {
		return true
	}
	switch {
	case prev >= 0x0E40 && prev <= 0x0E44, prev >= 0x0EC0 && prev <= 0x0EC4: // Thai and Lao preposed vowels
		return true
	case prev == 0x1039 || prev == 0x17D2 || prev == 0x1A60: // Myanmar virama, Khmer coeng, Tai Tham sakot
		return true
	case r == 0x0E46 || r == 0x0EC6 || r == 0x0E2F || r == 0x0EAF || r == 0x17D7: // repetition and abbreviation marks
		return true
	case r == 0x0E30 || r == 0x0E32 || r == 0x0E33 || r == 0x0E45 || r == 0x0EB0 || r == 0x0EB2 || r == 0x0EB3: // Thai and Lao vowels that follow a consonant
		return true
	}
	return false
}

// segmentWords splits text, all of one dictionary script, into words and
// returns the offsets where a new word starts (never 0). It chooses, among
// all the ways to cover the text with dictionary words and unknown
// characters, one with the fewest unknown characters, then the fewest
// words, then the longest words first (maximal matching, as ICU's
// dictionary engines do). Unknown characters next to each other stay
// together, and no boundary falls inside a grapheme cluster.
func segmentWords(text []rune, wl *wordList) []int {
	n := len(text)
	type state struct {
		unknown, words int
		next           int  // where the next segment starts
		known          bool // text[i:next] is a dictionary word
	}
	best := make([]state, n+1)
	best[n] = state{next: n, known: true}
	better := func(a, b state) bool {
		if a.unknown != b.unknown {
			return a.unknown < b.unknown
		}
		return a.words <= b.words // ties go to the later, longer candidate
	}
	for i := n - 1; i >= 0; i-- {
		// One unknown character, merged with an unknown run after it.
		after := best[i+1]
		words := after.words
		if after.known {
			words++
		}
		cur := state{unknown: after.unknown + 1, words: words, next: i + 1}
		if i == 0 || !noBreakBefore(text, i) {
			wl.prefixes(text[i:], func(k int) {
				j := i + k
				if j < n && noBreakBefore(text, j) {
					return
				}
				s := state{unknown: best[j].unknown, words: best[j].words + 1, next: j, known: true}
				if better(s, cur) {
					cur = s
				}
			})
		}
		best[i] = cur
	}
	var starts []int
	for i := 0; i < n; {
		s := best[i]
		j := s.next
		if !s.known {
			for j < n && !best[j].known {
				j = best[j].next
			}
		}
		if j < n {
			starts = append(starts, j)
		}
		i = j
	}
	return starts
}
