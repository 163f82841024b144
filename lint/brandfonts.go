package lint

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/text"
)

// brandFontProblems checks that the font files a layout names cover the
// samples' text (rule glyphs). A script font (brand.script_fonts) must have
// every character of its scripts. A role font must have every character
// of each script it has at least one character of: a Latin brand face may
// leave Arabic to the Arabic face, but one that has "a" and lacks "ə"
// would set an Azeri headline in two faces.
func brandFontProblems(l *layout.Layout, samples []Sample) []Problem {
	if len(samples) == 0 {
		return nil
	}
	var out []Problem
	for _, f := range l.FontFiles {
		// The samples' texts, each limited to the font's scripts if it is a
		// script font; the font file is parsed once, on all of them.
		txts := make([]string, len(samples))
		for i, s := range samples {
			txts[i] = sampleText(s)
			if len(f.Scripts) > 0 {
				txts[i] = text.RunesOfScripts(txts[i], f.Scripts)
			}
		}
		lackAll, err := text.MissingRunes(f.Data, strings.Join(txts, "\n"))
		if err != nil {
			out = append(out, Problem{File: l.File, Rule: RuleGlyphs, Message: fmt.Sprintf("brand font %s: %v", f.Name, err)})
			continue
		}
		missing := map[rune][]string{} // rune -> sample names
		var order []rune
		for i, s := range samples {
			lack := runesAmong(txts[i], lackAll)
			if len(f.Scripts) == 0 {
				lack = partlyCovered(txts[i], lack)
			}
			for _, r := range lack {
				if _, seen := missing[r]; !seen {
					order = append(order, r)
				}
				if !slices.Contains(missing[r], s.Name) {
					missing[r] = append(missing[r], s.Name)
				}
			}
		}
		for _, r := range order {
			names := missing[r]
			more := ""
			if len(names) > 3 {
				names, more = names[:3], fmt.Sprintf(" and %d more", len(missing[r])-3)
			}
			out = append(out, Problem{File: l.File, Rule: RuleGlyphs, Message: fmt.Sprintf(
				"brand font %s lacks U+%04X (%c), used by sample %s%s: that text would mix faces; use a font that has it, or name a script font for its script",
				f.Name, r, r, strings.Join(names, ", "), more)})
		}
	}
	return out
}

// runesAmong returns the characters of txt that are in set, each once, in
// the order they first appear: what [text.MissingRunes] gives for txt when
// set is what it gave for a text that holds txt.
func runesAmong(txt string, set []rune) []rune {
	var out []rune
	for _, r := range txt {
		if slices.Contains(set, r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// sampleText is the text of a sample's article that layouts show.
func sampleText(s Sample) string {
	a := s.Article
	return strings.Join([]string{a.Headline, a.CardHeadline, a.Section, a.Caption, a.Credit, a.Byline}, "\n")
}

// partlyCovered keeps the runes of lack whose script the font covers in
// part, that is, some other character of txt in that script is not in
// lack. Combining marks and the common digits, punctuation, quotes and
// currency signs are kept: every text face needs them.
func partlyCovered(txt string, lack []rune) []rune {
	if len(lack) == 0 {
		return nil
	}
	has := map[string]bool{} // scripts with a covered character
	for _, r := range txt {
		if !slices.Contains(lack, r) && !unicode.IsSpace(r) {
			has[scriptOf(r)] = true
		}
	}
	var out []rune
	for _, r := range lack {
		sc := scriptOf(r)
		// Digits, punctuation, quotes and currency signs up to U+20CF; not
		// emoji or other symbols, which the emoji and symbol faces set.
		common := sc == "Common" && r <= 0x20CF
		if common || sc == "Inherited" || has[sc] {
			out = append(out, r)
		}
	}
	return out
}

// scriptOf names the Unicode script of r ("Latin", "Arabic", ...).
func scriptOf(r rune) string {
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return "Unknown"
}
