// Package lint checks layouts before they ship: parse problems, text and
// logos outside a preset's safe area or in its keep-out zones, text and
// logo contrast on the rendered pixels, headlines that do not fit, text
// with characters no font covers, cards that show the photo without its
// credit, and layers that cover a face in a sample photo. The samples are those of the
// samples/ folder and the headline corpus (corpus), so every
// layout is tried with a headline in every script it must set.
// Every problem points at the layout file as file:line:col.
//
// [Check] runs every rule and renders pixels; [Static] runs the rules that
// need no pixels and is fast enough to run on every layout reload.
package lint

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Rule names, as found in [Problem.Rule].
const (
	RuleParse    = "parse"     // the layout file does not parse
	RulePlan     = "plan"      // the layout cannot be planned for a preset
	RuleSafeArea = "safe-area" // text, badge or logo outside the safe area
	RuleContrast = "contrast"  // text contrast below WCAG AA
	RuleFit      = "fit"       // headline does not fit at its minimum size
	RuleFace     = "face"      // a layer covers a face in a sample photo
	RuleGlyphs   = "glyphs"    // no font of the layout has a character of a sample's text
	RuleKeepOut  = "keep-out"  // text, badge or logo over a zone the platform draws its UI on
	RuleCredit   = "credit"    // a card shows the photo without its credit
)

// Problem is one thing wrong with a layout, at a place in its file.
type Problem struct {
	File string
	// Line and Col are 1-based; 0 means unknown.
	Line, Col int
	// Rule is one of the Rule constants.
	Rule string
	// Message says what is wrong, where and how to fix it.
	Message string
	// Presets lists the ids of the presets the problem shows on, in preset
	// order; empty for problems of the file itself.
	Presets []string
}

// String formats p as "file:line:col: message", leaving out a zero line or
// column.
func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
		if p.Col > 0 {
			loc += ":" + strconv.Itoa(p.Col)
		}
	}
	if loc == "" {
		return p.Message
	}
	return loc + ": " + p.Message
}

// hit is one rule failing on one preset; hits of the same layer, rule and
// kind of failure are merged into one Problem naming every preset.
type hit struct {
	file      string
	line, col int
	rule      string
	subject   string // what is wrong, e.g. "text box of layer `headline` (text) leaves the safe area"
	fix       string // how to fix it
	preset    string
	size      string // canvas size, e.g. "1080x1920"
	order     int    // position of the preset in the preset list
	detail    string // how bad, on this preset, e.g. "38 px beyond its bottom edge"
	score     float64
}

// maxListed is how many preset ids a merged problem names before "...".
const maxListed = 4

// merge turns hits into problems, one per layer, rule and failure, naming
// the worst preset; the result is sorted and free of duplicates.
func merge(hits []hit) []Problem {
	type key struct {
		file            string
		line, col       int
		rule, subj, fix string
	}
	groups := map[key][]hit{}
	var keys []key
	for _, h := range hits {
		k := key{h.file, h.line, h.col, h.rule, h.subject, h.fix}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], h)
	}
	out := make([]Problem, 0, len(keys))
	for _, k := range keys {
		hs := groups[k]
		sort.SliceStable(hs, func(i, j int) bool { return hs[i].order < hs[j].order })
		worst := hs[0]
		var ids []string
		seen := map[string]bool{}
		for _, h := range hs {
			if h.score > worst.score {
				worst = h
			}
			if !seen[h.preset] {
				seen[h.preset] = true
				ids = append(ids, h.preset)
			}
		}
		var msg string
		if len(ids) == 1 {
			msg = fmt.Sprintf("%s on %s (%s): %s; %s", k.subj, worst.preset, worst.size, worst.detail, k.fix)
		} else {
			list := ids
			more := ""
			if len(list) > maxListed {
				list, more = list[:maxListed], ", ..."
			}
			msg = fmt.Sprintf("%s on %d presets (%s%s), worst on %s (%s): %s; %s",
				k.subj, len(ids), strings.Join(list, ", "), more, worst.preset, worst.size, worst.detail, k.fix)
		}
		out = append(out, Problem{File: k.file, Line: k.line, Col: k.col, Rule: k.rule, Message: msg, Presets: ids})
	}
	return tidy(out)
}

// tidy sorts problems by file, line, column and message and drops
// duplicates.
func tidy(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Message < b.Message
	})
	var out []Problem
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].String() == p.String() {
			continue
		}
		out = append(out, p)
	}
	return out
}
