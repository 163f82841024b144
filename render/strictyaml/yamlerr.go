package strictyaml

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// FieldError is a problem with one field of a YAML or JSON file, with its
// position in the file.
type FieldError struct {
	// File is the file name as given by the caller, for example
	// "samples/k1-air-base/article.yaml".
	File string
	// Line and Column are 1-based; 0 means unknown.
	Line, Column int
	// Field is the dotted path of the field, for example "focus.x"; empty
	// when the problem concerns the whole file.
	Field string
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error formats e as "file:line:col: field: msg", leaving out the parts that
// are empty or zero.
func (e *FieldError) Error() string {
	var b strings.Builder
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			loc += ":" + strconv.Itoa(e.Column)
		}
		loc = strings.TrimPrefix(loc, ":")
	}
	if loc != "" {
		b.WriteString(loc)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// FieldErrors returns every *FieldError inside err, following wrapped and
// joined errors, in the order they appear. It returns nil when there is none.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *FieldError:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// Collector collects the problems found in one file so that all of them
// are reported at once.
type Collector struct {
	File string
	List []*FieldError
}

// Add records a problem at the position of n (which may be nil).
func (l *Collector) Add(n *yaml.Node, field, format string, args ...any) {
	e := &FieldError{File: l.File, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	l.List = append(l.List, e)
}

// Err returns nil when nothing was recorded, else all problems joined, in
// file order (problems without a position last).
func (l *Collector) Err() error {
	if len(l.List) == 0 {
		return nil
	}
	sorted := make([]*FieldError, len(l.List))
	copy(sorted, l.List)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	errs := make([]error, len(sorted))
	for i, e := range sorted {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// ParseMapping parses data as one YAML (or JSON) document whose top
// level is a mapping, and returns that mapping node. what names the kind of
// file for messages, e.g. "article".
func ParseMapping(file, what string, data []byte) (*yaml.Node, error) {
	l := &Collector{File: file}
	if !utf8.Valid(data) {
		l.Add(nil, "", "the file is not UTF-8 text; save it as UTF-8")
		return nil, l.Err()
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.Add(nil, "", "the file is empty; write the %s as YAML `key: value` lines or as a JSON object", what)
			return nil, l.Err()
		}
		return nil, syntaxError(file, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		l.Add(&next, "", "the file holds more than one YAML document; keep only one (remove the `---` line)")
		return nil, l.Err()
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(file, err)
	}
	top := &doc
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	top = resolveAlias(top)
	if top.Kind != yaml.MappingNode {
		if top.Kind == yaml.ScalarNode && top.ShortTag() == "!!null" {
			l.Add(top, "", "the file holds no fields; write the %s as `key: value` lines", what)
		} else {
			l.Add(top, "", "the top level of the %s must be a mapping of `key: value` lines, found %s", what, DescribeNode(top))
		}
		return nil, l.Err()
	}
	return top, nil
}

// syntaxError turns a yaml.v3 parse error into a *FieldError with the line
// when the message carries one.
//
// yaml.v3 (v3.0.1) prints scanner errors with 1-based lines but parser
// errors (the "did not find expected ..." family) with 0-based lines, and
// leaves out a line 0; parser errors are shifted here so every line is
// 1-based.
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &FieldError{File: file}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, text, found := strings.Cut(rest, ": ")
		if n, err := strconv.Atoi(num); found && err == nil && n > 0 {
			e.Line, msg = n, text
		}
	}
	if isYAMLParserProblem(msg) {
		e.Line++
	}
	e.Msg = "invalid YAML/JSON syntax: " + msg
	return e
}

// isYAMLParserProblem reports whether msg is one of the problems yaml.v3's
// parser (rather than its scanner or reader) reports.
func isYAMLParserProblem(msg string) bool {
	switch msg {
	case "found duplicate %TAG directive", "found duplicate %YAML directive",
		"found incompatible YAML document", "found undefined tag handle":
		return true
	}
	return strings.HasPrefix(msg, "did not find expected ")
}

// resolveAlias follows an alias node (*name) to the node it refers to.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// RefuseAliases reports every alias (*name) under n, in file order, as
// not supported in files of the kind what (plural, e.g. "layouts"), each
// at its line and column; it returns nil when there is none. Aliases are
// not followed, so the walk visits each node once.
func RefuseAliases(file string, n *yaml.Node, what string) error {
	l := &Collector{File: file}
	stack := []*yaml.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		if n.Kind == yaml.AliasNode {
			l.Add(n, "", "aliases (*%s) are not supported in %s; write the value of &%s out in full here", n.Value, what, n.Value)
			continue
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return l.Err()
}

// DescribeNode names what a node holds, for "expected X, found Y" messages.
func DescribeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return fmt.Sprintf("an alias (*%s)", n.Value)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!bool":
			return fmt.Sprintf("the boolean %s", n.Value)
		case "!!int", "!!float":
			return fmt.Sprintf("the number %s", n.Value)
		}
		return fmt.Sprintf("the text %q", Clip(n.Value, 40))
	}
	return "an empty document"
}

// Clip shortens s to at most n runes for messages.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// Fields is the one walker of a YAML mapping that people write: it calls
// handle with each known key of n, in file order, with its key node and
// its value (aliases resolved). Everything else is reported to l at its
// line and column, under the dotted field path at ("" at the top): a
// value that is not a mapping, keys that are not plain names, merge keys
// (<<), a key given twice, and unknown keys, with the nearest known key
// as a suggestion ("did you mean …").
func Fields(n *yaml.Node, at string, known []string, l *Collector, handle func(key string, keyNode, value *yaml.Node)) {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		l.Add(n, at, "want a mapping of keys to values, found %s", DescribeNode(n))
		return
	}
	for _, p := range mappingPairs(n, at, l) {
		if !slices.Contains(known, p.key) {
			unknownKey(l, p, at, known)
			continue
		}
		handle(p.key, p.keyNode, p.value)
	}
}

// yamlPair is one key and value of a mapping node.
type yamlPair struct {
	key     string
	keyNode *yaml.Node
	value   *yaml.Node
}

// mappingPairs returns the pairs of mapping m in file order, with aliases
// resolved. Duplicate keys, merge keys (<<) and keys that are not text are
// reported to l and left out. prefix is the dotted path of m ("" at the top).
func mappingPairs(m *yaml.Node, prefix string, l *Collector) []yamlPair {
	seen := make(map[string]*yaml.Node, len(m.Content)/2)
	pairs := make([]yamlPair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolveAlias(m.Content[i]), resolveAlias(m.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode:
			l.Add(k, prefix, "keys must be plain names, found %s as a key", DescribeNode(k))
			continue
		case k.Value == "<<" && k.ShortTag() == "!!merge":
			l.Add(k, prefix, "merge keys (<<) are not supported; write the fields out")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			l.Add(k, joinPath(prefix, k.Value), "duplicate key %q (first set at line %d); keep only one", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		pairs = append(pairs, yamlPair{key: k.Value, keyNode: k, value: v})
	}
	return pairs
}

// joinPath joins a dotted field path.
func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// unknownKey reports key as not one of known, with a suggestion when one is
// close.
func unknownKey(l *Collector, p yamlPair, prefix string, known []string) {
	if s := Suggest(p.key, known); s != "" {
		l.Add(p.keyNode, joinPath(prefix, p.key), "unknown key %q (did you mean %q?)", p.key, s)
		return
	}
	l.Add(p.keyNode, joinPath(prefix, p.key), "unknown key %q (known keys: %s)", p.key, strings.Join(known, ", "))
}

// ScalarText returns the text of a scalar node: "" for null, the literal
// text for any other scalar (so `headline: 1984` is the text "1984"). ok is
// false, and the problem reported, when n is a list or mapping.
func ScalarText(n *yaml.Node, field string, l *Collector) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		l.Add(n, field, "expected text, found %s", DescribeNode(n))
		return "", false
	}
	if n.ShortTag() == "!!null" {
		return "", true
	}
	return n.Value, true
}

// ScalarBool returns the value of a true/false node (yes/no and on/off are
// accepted too, in any case).
func ScalarBool(n *yaml.Node, field string, l *Collector) (bool, bool) {
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on":
			return true, true
		case "false", "no", "off":
			return false, true
		}
		if n.ShortTag() == "!!null" {
			return false, true
		}
	}
	l.Add(n, field, "expected true or false, found %s", DescribeNode(n))
	return false, false
}

// ScalarFloat returns the value of a number node.
func ScalarFloat(n *yaml.Node, field string, l *Collector) (float64, bool) {
	if n.Kind == yaml.ScalarNode {
		if tag := n.ShortTag(); tag == "!!int" || tag == "!!float" {
			switch strings.ToLower(strings.TrimPrefix(n.Value, "+")) {
			case ".nan":
				return math.NaN(), true
			case ".inf":
				return math.Inf(1), true
			case "-.inf":
				return math.Inf(-1), true
			}
			v := strings.ReplaceAll(n.Value, "_", "")
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return f, true
			}
			if i, err := strconv.ParseInt(v, 0, 64); err == nil {
				return float64(i), true
			}
		}
	}
	l.Add(n, field, "expected a number, found %s", DescribeNode(n))
	return 0, false
}

// Suggest returns the candidate closest to s by edit distance (ignoring
// case) when it is close enough to be a likely typo, else "". Ties go to
// the earlier candidate.
func Suggest(s string, candidates []string) string {
	ls := strings.ToLower(s)
	n := utf8.RuneCountInString(ls)
	limit := max(2, n/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if d < bestD && d < max(n, utf8.RuneCountInString(c)) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
