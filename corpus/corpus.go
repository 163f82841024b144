// Package corpus is sharecard's headline corpus: about fifty headlines in
// every language the BBC World Service publishes in, plus Hebrew and
// Greek, each with a note of what it exercises (joining, conjuncts,
// stacked marks, kinsoku, dictionary breaking, emoji sequences, an
// unbreakable word, bidi with Latin and digits inside).
//
// The headlines live in headlines.yaml beside this file, embedded in the
// binary. Lint tries every layout with them, the studio lets a designer
// switch between them, and the corpuscheck tests render every entry on
// every preset of every built-in layout.
package corpus

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/sharecard/sharecard/render/article"
)

//go:embed headlines.yaml
var data []byte

// File is the corpus file as messages name it.
const File = "corpus/headlines.yaml"

// Entry is one headline of the corpus.
type Entry struct {
	// ID names the entry, e.g. "zh-hant" or "en-flag"; unique, lower case.
	ID string `yaml:"id" json:"id"`
	// Lang is the headline's BCP 47 language tag, e.g. "zh-Hant", "sr-Cyrl".
	Lang string `yaml:"lang" json:"lang"`
	// Script is the ISO 15924 code of the script the headline is written
	// in, e.g. "Latn", "Deva", "Jpan"; "Aran" is Arabic set in Nastaliq.
	Script string `yaml:"script" json:"script"`
	// Golden marks the entries drawn in the per-script golden images: at
	// least one per script.
	Golden bool `yaml:"golden,omitempty" json:"golden,omitempty"`
	// Headline is the headline text.
	Headline string `yaml:"headline" json:"headline"`
	// Section is the kicker, in the same language; may be empty.
	Section string `yaml:"section,omitempty" json:"section,omitempty"`
	// Caption is a photo caption; may be empty.
	Caption string `yaml:"caption,omitempty" json:"caption,omitempty"`
	// Note says what the entry exercises.
	Note string `yaml:"note" json:"note"`
}

var parsed = sync.OnceValues(func() ([]Entry, error) {
	var es []Entry
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&es); err != nil {
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	seen := map[string]bool{}
	for i, e := range es {
		switch {
		case e.ID == "" || e.Lang == "" || e.Script == "" || e.Headline == "" || e.Note == "":
			return nil, fmt.Errorf("%s: entry %d (%q) needs id, lang, script, headline and note", File, i+1, e.ID)
		case seen[e.ID]:
			return nil, fmt.Errorf("%s: id %q is used twice", File, e.ID)
		}
		seen[e.ID] = true
	}
	return es, nil
})

// All returns every entry, in the file's order. The file is embedded and
// checked by the package's tests, so an error here means a broken build.
func All() []Entry {
	es, err := parsed()
	if err != nil {
		panic(err)
	}
	return append([]Entry(nil), es...)
}

// Lookup returns the entry with the given id.
func Lookup(id string) (Entry, bool) {
	for _, e := range All() {
		if e.ID == id {
			return e, true
		}
	}
	return Entry{}, false
}

// Scripts returns the scripts of the corpus in order of first appearance.
func Scripts() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range All() {
		if !seen[e.Script] {
			seen[e.Script] = true
			out = append(out, e.Script)
		}
	}
	return out
}

// Article returns the entry as an article, parsed and checked like an
// article file: headline, section, caption and lang, no photo. Name is
// how messages name it, e.g. "corpus/headlines.yaml#zh-hant".
func (e Entry) Article() (*article.Article, error) {
	doc := map[string]string{"headline": e.Headline, "lang": e.Lang}
	if e.Section != "" {
		doc["section"] = e.Section
	}
	if e.Caption != "" {
		doc["caption"] = e.Caption
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return article.Parse(e.Name(), b)
}

// Name is how messages name the entry: the corpus file and the entry's id,
// e.g. "corpus/headlines.yaml#zh-hant".
func (e Entry) Name() string { return File + "#" + e.ID }
