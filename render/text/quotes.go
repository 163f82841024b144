package text

import (
	"strings"
	"unicode"

	xlanguage "golang.org/x/text/language"
)

// quoteStyle is how a language writes its quotation marks: the outer
// (primary) pair, the inner (secondary) pair, the apostrophe, and the
// space set inside the outer pair (French puts a narrow no-break space
// there).
type quoteStyle struct {
	open1, close1 rune
	open2, close2 rune
	apos          rune
	inner         rune // 0 for none
}

var (
	quotesEnglish = quoteStyle{'“', '”', '‘', '’', '’', 0}
	quotesGerman  = quoteStyle{'„', '“', '‚', '‘', '’', 0}
	quotesFrench  = quoteStyle{'«', '»', '“', '”', '’', '\u202f'}
	quotesGuill   = quoteStyle{'«', '»', '“', '”', '’', 0} // Spanish, Italian, Portuguese (Portugal), Greek, ...
	quotesRussian = quoteStyle{'«', '»', '„', '“', '’', 0}
	quotesPolish  = quoteStyle{'„', '”', '«', '»', '’', 0}
	quotesLow9    = quoteStyle{'„', '”', '‘', '’', '’', 0} // Romanian, Hungarian, Croatian, Serbian (Latin)
	quotesCzech   = quoteStyle{'„', '“', '‚', '‘', '’', 0}
	quotesNordic  = quoteStyle{'”', '”', '’', '’', '’', 0} // Swedish, Finnish
	quotesDanish  = quoteStyle{'»', '«', '›', '‹', '’', 0}
	quotesNorway  = quoteStyle{'«', '»', '‘', '’', '’', 0}
	quotesSwiss   = quoteStyle{'«', '»', '‹', '›', '’', 0}
	quotesCorner  = quoteStyle{'「', '」', '『', '』', '’', 0} // Japanese, Traditional Chinese
)

// quoteStyleFor returns the quotation marks of the BCP 47 language lang,
// and false for a language whose conventions SmartQuotes leaves alone.
// An empty lang means English when the text's first letter is Latin.
func quoteStyleFor(lang, s string) (quoteStyle, bool) {
	if strings.TrimSpace(lang) == "" {
		for _, r := range s {
			if unicode.IsLetter(r) {
				return quotesEnglish, unicode.Is(unicode.Latin, r)
			}
		}
		return quotesEnglish, true
	}
	tag, err := xlanguage.Parse(lang)
	if err != nil {
		return quoteStyle{}, false
	}
	base, _ := tag.Base()
	region, _ := tag.Region()
	script, _ := tag.Script()
	switch base.String() {
	case "en", "nl", "tr", "id", "ms", "vi", "sw", "ha", "yo", "ig", "so", "pcm", "rw", "rn",
		"ko", "hi", "mr", "ne", "bn", "gu", "pa", "ta", "te", "th", "uz", "ga", "cy", "mt", "eo":
		return quotesEnglish, true
	case "de", "lb":
		if region.String() == "CH" || region.String() == "LI" {
			return quotesSwiss, true
		}
		return quotesGerman, true
	case "fr":
		if region.String() == "CH" {
			return quotesSwiss, true
		}
		return quotesFrench, true
	case "es", "ca", "it", "el", "gl", "eu", "sq", "fa":
		return quotesGuill, true
	case "pt":
		if region.String() == "BR" {
			return quotesEnglish, true
		}
		return quotesGuill, true
	case "ru", "uk", "be", "kk", "ky", "tg":
		return quotesRussian, true
	case "pl":
		return quotesPolish, true
	case "ro", "hu", "hr", "bs", "sr":
		return quotesLow9, true
	case "cs", "sk", "sl", "bg", "lt", "is", "et", "ka":
		return quotesCzech, true
	case "sv", "fi":
		return quotesNordic, true
	case "da":
		return quotesDanish, true
	case "nb", "nn", "no":
		return quotesNorway, true
	case "ja":
		return quotesCorner, true
	case "zh":
		if script.String() == "Hant" {
			return quotesCorner, true
		}
		return quotesEnglish, true
	}
	return quoteStyle{}, false
}

// SmartQuotes turns the straight quotation marks " and ' of s into the
// typographic quotation marks and apostrophes of the BCP 47 language lang:
// “ ” ‘ ’ for English, „ “ ‚ ‘ for German, « » with narrow no-break spaces
// (U+202F) inside for French, « » „ “ for Russian, 「 」 『 』 for Japanese,
// and so on. A double quote becomes the language's outer pair and a
// single quote its inner pair, unless it is an apostrophe: between two
// letters (it's, l'homme), before a two-digit year ('90s), or ending a
// word when no single quotation is open (Thomas' book). A straight quote
// after a digit outside any quotation is a prime (6'5" gives 6′5″).
// Whether a quote opens or closes is decided by what stands before it:
// the start of the text, a space, an opening bracket, a dash or another
// opening quote make it an opening one.
//
// Text that is already typographic is returned unchanged, as is text in a
// language whose conventions are not known here (Arabic, Hebrew, where "
// also writes the gershayim of abbreviations, and others): then s is
// returned as it is. An empty lang is read as English when the text's
// first letter is Latin.
func SmartQuotes(s, lang string) string {
	if !strings.ContainsAny(s, "\"'") {
		return s
	}
	st, ok := quoteStyleFor(lang, s)
	if !ok {
		return s
	}
	elided := elisions(lang)
	in := []rune(s)
	out := make([]rune, 0, len(in)+8)
	openDouble, openSingle := 0, 0
	prevOut := func() rune {
		if len(out) == 0 {
			return 0
		}
		return out[len(out)-1]
	}
	next := func(i int) rune {
		if i+1 < len(in) {
			return in[i+1]
		}
		return 0
	}
	for i := 0; i < len(in); i++ {
		r := in[i]
		if r != '"' && r != '\'' {
			out = append(out, r)
			continue
		}
		prev := prevOut()
		opening := opensQuote(prev)
		nx := next(i)
		cjk := isCJK(prev) || isCJK(nx)
		if r == '"' {
			if isCJK(prev) { // no spaces to tell: alternate
				opening = openDouble == 0
			}
			switch {
			case !opening && unicode.IsDigit(prev) && openDouble == 0:
				out = append(out, '″')
			case opening && !(openDouble > 0 && endsQuote(nx)):
				openDouble++
				out = append(out, st.open1)
				if st.inner != 0 {
					for i+1 < len(in) && isSpaceInQuote(in[i+1]) {
						i++
					}
					out = append(out, st.inner)
				}
			default:
				if openDouble > 0 {
					openDouble--
				}
				if st.inner != 0 {
					for len(out) > 0 && isSpaceInQuote(out[len(out)-1]) {
						out = out[:len(out)-1]
					}
					out = append(out, st.inner)
				}
				out = append(out, st.close1)
			}
			continue
		}
		// A single quote.
		if isCJK(prev) {
			opening = openSingle == 0
		}
		switch {
		case unicode.IsDigit(prev) && !unicode.IsLetter(nx) && openSingle == 0:
			out = append(out, '′') // 6'5"
		case isWordRune(prev) && isWordRune(nx) && !cjk:
			out = append(out, st.apos) // it's, l'homme, rock'n'roll
		case opening && elision(in[i+1:], elided):
			out = append(out, st.apos) // 'tis, 'em, Dutch 's
		case opening && twoDigitYear(in[i+1:]):
			out = append(out, st.apos) // '90s
		case opening && !(openSingle > 0 && endsQuote(nx)):
			openSingle++
			out = append(out, st.open2)
		case openSingle > 0:
			openSingle--
			out = append(out, st.close2)
		default:
			out = append(out, st.apos) // Thomas' book
		}
	}
	return string(out)
}

// opensQuote reports whether a quotation mark after prev (0 at the start
// of the text) opens a quotation.
func opensQuote(prev rune) bool {
	switch {
	case prev == 0, unicode.IsSpace(prev), unicode.Is(unicode.Ps, prev), unicode.Is(unicode.Pd, prev),
		prev == '/', prev == '«', prev == '„', prev == '‚', prev == '“', prev == '‘', prev == '「', prev == '『', prev == '‹':
		return true
	}
	return false
}

// endsQuote reports whether r, following a quotation mark, says that the
// mark closes a quotation: the end of the text, a space or punctuation.
func endsQuote(r rune) bool {
	return r == 0 || unicode.IsSpace(r) || (unicode.IsPunct(r) && !unicode.Is(unicode.Ps, r))
}

// isSpaceInQuote reports whether r is a space that the French narrow
// no-break space inside « » replaces.
func isSpaceInQuote(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u202f'
}

// isWordRune reports whether r is a letter, a digit or a combining mark.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// twoDigitYear reports whether rest starts with two digits that are not
// followed by a third: the year of '90s or '68.
func twoDigitYear(rest []rune) bool {
	return len(rest) >= 2 && isASCIIDigit(rest[0]) && isASCIIDigit(rest[1]) && (len(rest) == 2 || !isASCIIDigit(rest[2]))
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// elisions returns the words of the language lang that start with an
// apostrophe standing for left-out letters: 'tis, 'em, 'n' in English, 's
// and 't in Dutch.
func elisions(lang string) []string {
	switch b, _, _ := strings.Cut(strings.ToLower(lang), "-"); b {
	case "", "en":
		return []string{"tis", "twas", "em", "n", "cause", "til"}
	case "nl":
		return []string{"s", "t"}
	}
	return nil
}

// isCJK reports whether r is a Chinese or Japanese character or
// punctuation mark, text written without spaces between words.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// elision reports whether rest starts with one of the words, followed by
// no other letter.
func elision(rest []rune, words []string) bool {
	for _, w := range words {
		n := len(w)
		if len(rest) >= n && strings.EqualFold(string(rest[:n]), w) && (len(rest) == n || !unicode.IsLetter(rest[n])) {
			if w == "n" && (len(rest) < 2 || rest[1] != '\'') {
				continue // 'n' as in rock 'n' roll only
			}
			return true
		}
	}
	return false
}
