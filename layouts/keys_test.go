package layouts_test

// Every key the layout parser accepts must be documented in README.md: a
// table row in the section of its place, and at least one example that
// uses it there. The key lists come from layout.Keys, which is
// itself checked against the parser's own "unknown key" messages.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sharecard/sharecard/render/layout"
)

// probeKey is a key no list holds and none is close to, so the parser's
// message lists every known key instead of suggesting one.
const probeKey = "zqxjkv"

// probes are layouts with probeKey at each place of layout.Keys.
var probes = map[string]string{
	"layout":      "name: p\nzqxjkv: 1\nvariants: [{layers: [{type: photo}]}]\n",
	"brand":       "name: p\nbrand: {zqxjkv: 1}\nvariants: [{layers: [{type: photo}]}]\n",
	"brand.fonts": "name: p\nbrand: {fonts: {headline: {family: Noto Sans, zqxjkv: 1}}}\nvariants: [{layers: [{type: photo}]}]\n",
	"typography":  "name: p\ntypography: {zqxjkv: 1}\nvariants: [{layers: [{type: photo}]}]\n",
	"output":      "name: p\noutput: {zqxjkv: 1}\nvariants: [{layers: [{type: photo}]}]\n",
	"variant":     "name: p\nvariants: [{zqxjkv: 1, layers: [{type: photo}]}]\n",
	"box":         "name: p\nvariants: [{layers: [{type: photo, box: {zqxjkv: 1}}]}]\n",
	"size":        "name: p\nvariants: [{layers: [{type: text, text: x, size: {zqxjkv: 1}}]}]\n",
	"pill":        "name: p\nvariants: [{layers: [{type: text, text: x, pill: {zqxjkv: 1}}]}]\n",
	"preset":      "name: p\npresets: [{id: p, width: 100, height: 100, zqxjkv: 1}]\nvariants: [{layers: [{type: photo}]}]\n",
	"preset.safe": "name: p\npresets: [{id: p, width: 100, height: 100, safe: {zqxjkv: 1}}]\nvariants: [{layers: [{type: photo}]}]\n",
}

var knownKeysRe = regexp.MustCompile(`unknown key "` + probeKey + `" \(known keys: ([^)]*)\)`)

// TestLayoutKeysMatchParser checks layout.Keys against the keys the
// parser itself lists when it meets an unknown key at each place.
func TestLayoutKeysMatchParser(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	keys := layout.Keys()
	for place, want := range keys {
		src, ok := probes[place]
		if typ, isLayer := strings.CutPrefix(place, "layer:"); isLayer {
			src, ok = fmt.Sprintf("name: p\nvariants: [{layers: [{type: %s, zqxjkv: 1}]}]\n", typ), true
		}
		if !ok {
			t.Errorf("layout.Keys has a place %q that this test cannot probe: add it to probes", place)
			continue
		}
		_, err := layout.Parse("probe.yaml", []byte(src), nil, fs)
		if err == nil {
			t.Errorf("%s: a layout with an unknown key %q parsed", place, probeKey)
			continue
		}
		m := knownKeysRe.FindStringSubmatch(err.Error())
		if m == nil {
			t.Errorf("%s: no \"known keys\" list for %q in the parser's message:\n%v", place, probeKey, err)
			continue
		}
		if got := strings.Split(m[1], ", "); !slices.Equal(got, want) {
			t.Errorf("%s: the parser accepts %v, layout.Keys says %v: update render/layout/layoutkeys.go", place, got, want)
		}
	}
	for place := range probes {
		if _, ok := keys[place]; !ok {
			t.Errorf("layout.Keys has no place %q", place)
		}
	}
}

// commonLayerKeys returns the keys every layer type accepts.
func commonLayerKeys(keys map[string][]string) []string {
	var common []string
	for _, k := range keys["layer:photo"] {
		every := true
		for place, ks := range keys {
			if strings.HasPrefix(place, "layer:") && !slices.Contains(ks, k) {
				every = false
			}
		}
		if every {
			common = append(common, k)
		}
	}
	return common
}

// sectionFor is the README heading whose table documents the keys of a
// place.
func sectionFor(place string) string {
	switch place {
	case "layout":
		return "### Top-level keys"
	case "brand":
		return "### Brand keys"
	case "brand.fonts":
		return "### Font roles"
	case "typography":
		return "### Typography keys"
	case "output":
		return "### Output keys"
	case "variant":
		return "### Variant keys"
	case "box":
		return "### Box keys"
	case "size":
		return "### Text size"
	case "pill":
		return "### Pill keys"
	case "preset":
		return "### Layout preset keys"
	case "preset.safe":
		return "### Preset safe insets"
	case "layer":
		return "### Keys of every layer"
	}
	return "## `" + strings.TrimPrefix(place, "layer:") + "` layer"
}

// TestReferenceDocumentsEveryKey checks that each key of each place has a
// row "| `key` |" in the table of its README section (before the section's
// first #### heading), that no row names a key the parser does not accept
// there, and that some example uses the key at that place.
func TestReferenceDocumentsEveryKey(t *testing.T) {
	exs, brand, doc := readExamples(t)
	keys := layout.Keys()
	common := commonLayerKeys(keys)
	want := map[string][]string{"layer": common}
	for place, ks := range keys {
		if strings.HasPrefix(place, "layer:") {
			ks = slices.DeleteFunc(slices.Clone(ks), func(k string) bool { return slices.Contains(common, k) })
		}
		want[place] = ks
	}
	for place, ks := range want {
		sec, ok := section(doc, sectionFor(place))
		if !ok {
			t.Errorf("%s has no heading %q for the keys %v", readmePath, sectionFor(place), ks)
			continue
		}
		rows := tableKeys(sec)
		for _, k := range ks {
			if !slices.Contains(rows, k) {
				t.Errorf("%s, %s: no row \"| `%s` |\"; the parser accepts it", readmePath, sectionFor(place), k)
			}
		}
		for _, k := range rows {
			if !slices.Contains(ks, k) {
				t.Errorf("%s, %s: row for `%s`, which the parser does not accept there", readmePath, sectionFor(place), k)
			}
		}
	}

	used := map[string]bool{} // "place key"
	for _, ex := range exs {
		src, err := ex.source(brand)
		if err != nil {
			t.Errorf("%s:%d: %v", readmePath, ex.line, err)
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil || len(n.Content) == 0 {
			t.Errorf("%s:%d: example %s is not YAML: %v", readmePath, ex.line, ex.name, err)
			continue
		}
		collectKeys(n.Content[0], "layout", used)
	}
	anyLayer := map[string]bool{}
	for pk := range used {
		if rest, ok := strings.CutPrefix(pk, "layer:"); ok {
			_, k, _ := strings.Cut(rest, " ")
			anyLayer[k] = true
		}
	}
	for place, ks := range keys {
		for _, k := range ks {
			if strings.HasPrefix(place, "layer:") && slices.Contains(common, k) && anyLayer[k] {
				continue
			}
			if !used[place+" "+k] {
				t.Errorf("%s: no example uses `%s` at %s; add one with its picture", readmePath, k, place)
			}
		}
	}
}

// collectKeys records the keys used in a layout node, by place.
func collectKeys(n *yaml.Node, place string, used map[string]bool) {
	each := func(seq *yaml.Node, f func(*yaml.Node)) {
		if seq != nil && seq.Kind == yaml.SequenceNode {
			for _, c := range seq.Content {
				f(c)
			}
		}
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	if place == "layer" {
		place = "layer:" + value(n, "type")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		used[place+" "+k] = true
		switch {
		case place == "layout" && k == "brand":
			collectKeys(v, "brand", used)
		case place == "layout" && (k == "typography" || k == "output"):
			collectKeys(v, k, used)
		case place == "layout" && k == "variants":
			each(v, func(c *yaml.Node) { collectKeys(c, "variant", used) })
		case place == "layout" && k == "presets":
			each(v, func(c *yaml.Node) { collectKeys(c, "preset", used) })
		case place == "brand" && k == "fonts" && v.Kind == yaml.MappingNode:
			for j := 1; j < len(v.Content); j += 2 {
				collectKeys(v.Content[j], "brand.fonts", used)
			}
		case place == "variant" && k == "layers":
			each(v, func(c *yaml.Node) { collectKeys(c, "layer", used) })
		case place == "preset" && k == "safe":
			collectKeys(v, "preset.safe", used)
		case strings.HasPrefix(place, "layer:") && (k == "box" || k == "size" || k == "pill"):
			collectKeys(v, k, used)
		}
	}
}

func value(n *yaml.Node, key string) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// section returns the part of doc from the line that is heading up to the
// next heading of level 1 to 4, ignoring fenced code blocks.
func section(doc, heading string) (string, bool) {
	lines := strings.Split(doc, "\n")
	start, fenced := -1, false
	for i, ln := range lines {
		if strings.HasPrefix(ln, "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(ln, "#") {
			continue
		}
		if start >= 0 {
			return strings.Join(lines[start:i], "\n"), true
		}
		if ln == heading {
			start = i
		}
	}
	if start < 0 {
		return "", false
	}
	return strings.Join(lines[start:], "\n"), true
}

// tableKeys returns the keys of the table rows "| `key` | ..." of sec.
func tableKeys(sec string) []string {
	var out []string
	for ln := range strings.SplitSeq(sec, "\n") {
		if rest, ok := strings.CutPrefix(ln, "| `"); ok {
			if k, _, ok := strings.Cut(rest, "`"); ok {
				out = append(out, k)
			}
		}
	}
	return out
}
