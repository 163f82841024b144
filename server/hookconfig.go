package server

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sharecard/sharecard/render/strictyaml"
	"gopkg.in/yaml.v3"
)

// HookSource is the configuration of one webhook source: how its requests
// are signed, and how its payload becomes an article. Sources come from a
// hooks.yaml file ([ParseHooks]) or, for a source the file does not name,
// from Config.HookSecrets with a built-in mapping (ghost, wordpress) or
// Config.HookMappings.
type HookSource struct {
	// Name is the source's name, the {source} of /v1/hooks/{source}.
	Name string
	// Schemes are the signature schemes accepted: the first whose header
	// the request carries is checked (default: SchemeSharecard).
	Schemes []Scheme
	// Secrets are the HMAC keys; a signature under any of them is good,
	// so a secret can be rotated by adding the new one first.
	Secrets [][]byte
	// Fields map article fields to RFC 6901 JSON pointers into the
	// payload; "a|b" lists alternatives, the first non-empty value wins.
	Fields map[string]string
	// Filters must all hold, or the webhook is answered 200 "ignored"
	// and makes no job.
	Filters []HookFilter
	// Tags, when set, reads the payload's tags for the section and flags.
	Tags *TagRules
	// BaseURL, when set, resolves relative url and photo values (Arc XP
	// sends site-relative canonical URLs).
	BaseURL string
	// CallbackURL, when set, receives each done job's manifest.
	CallbackURL string
	// CallbackSecret signs callbacks (Standard Webhooks); empty means the
	// first of Secrets.
	CallbackSecret []byte
}

// HookFilter is one condition on a payload: the text at Pointer compared
// with Value. A missing value is unequal to everything.
type HookFilter struct {
	Pointer string
	Not     bool // != rather than ==
	Value   string
	// IfPresent makes a missing value pass (the built-in wordpress
	// source's status filter, so REST-shaped payloads without a status
	// are still read).
	IfPresent bool
}

// String writes the filter as in hooks.yaml.
func (f HookFilter) String() string {
	op := "=="
	if f.Not {
		op = "!="
	}
	return f.Pointer + " " + op + " " + f.Value
}

// TagRules read the section and flags from a payload's list of tags.
// A tag is a string, or an object with "name" (Arc XP: "text"), and
// Ghost's "visibility".
// Tags whose name starts with '#' or whose visibility is "internal" are
// internal: never a section, but they may set flags.
type TagRules struct {
	// Pointer is where the list of tags is.
	Pointer string
	// Section takes the section from the first public tag (before
	// Fields["section"], which is the fallback).
	Section bool
	// Flags maps a tag name (compared without regard to case) to the
	// article flag it sets; the only flag is "breaking".
	Flags map[string]string
}

// hookFields are the article fields a mapping may set.
var hookFields = []string{"headline", "card_headline", "section", "summary", "caption", "photo_alt", "credit", "byline",
	"published", "url", "lang", "photo", "layout", "breaking"}

// hookFlags are the article flags a tag may set.
var hookFlags = []string{"breaking"}

var badTilde = regexp.MustCompile(`~[^01]|~$`)

var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// builtinSources are the mappings of the CMSs sharecard knows; a source
// of that name without fields of its own uses them.
func builtinSource(name string) *HookSource {
	switch name {
	case "ghost":
		// Ghost's post.published webhook (post.current). The section is
		// the first public tag: Ghost's internal tags start with '#'.
		return &HookSource{Name: name, Schemes: []Scheme{SchemeSharecard, SchemeGhost},
			Fields: map[string]string{
				"headline":  "/post/current/title",
				"summary":   "/post/current/custom_excerpt|/post/current/excerpt",
				"caption":   "/post/current/feature_image_caption",
				"photo_alt": "/post/current/feature_image_alt",
				"photo":     "/post/current/feature_image",
				"url":       "/post/current/url",
				"published": "/post/current/published_at",
				"byline":    "/post/current/primary_author/name",
			},
			Tags: &TagRules{Pointer: "/post/current/tags", Section: true, Flags: map[string]string{"#breaking": "breaking"}},
		}
	case "wordpress":
		// What the sharecard WordPress plugin sends (integrations/wordpress).
		return &HookSource{Name: name, Schemes: []Scheme{SchemeSharecard},
			Fields: map[string]string{
				"headline":  "/title|/title/rendered",
				"summary":   "/excerpt|/excerpt/rendered",
				"photo":     "/featured_image/url",
				"caption":   "/featured_image/caption",
				"photo_alt": "/featured_image/alt_text",
				"credit":    "/featured_image/credit",
				"url":       "/link",
				"published": "/date_gmt",
				"section":   "/categories/0",
				"byline":    "/author/name",
				"lang":      "/lang",
				"breaking":  "/breaking",
			},
			Filters: []HookFilter{{Pointer: "/status", Value: "publish", IfPresent: true}},
			Tags:    &TagRules{Pointer: "/tags", Flags: map[string]string{"breaking": "breaking", "#breaking": "breaking"}},
		}
	}
	return nil
}

// hookSource returns the configuration of the source called name: from
// Config.Hooks, else from the environment-style settings (HookSecrets,
// HookMappings, HookCallbacks).
func (c *Config) hookSource(name string) (*HookSource, bool) {
	if src, ok := c.Hooks[name]; ok {
		return src, true
	}
	secret, ok := c.HookSecrets[name]
	if !ok {
		return nil, false
	}
	src := builtinSource(name)
	if src == nil || c.HookMappings[name] != nil {
		src = &HookSource{Name: name, Schemes: []Scheme{SchemeSharecard}, Fields: c.HookMappings[name]}
	}
	src.Secrets = [][]byte{secret}
	src.CallbackURL = c.HookCallbacks[name]
	return src, true
}

// callbackSecret returns the key that signs callbacks to url: the
// callback secret (or first secret) of the first source, by name, whose
// callback goes there.
func (c *Config) callbackSecret(url string) []byte {
	names := make([]string, 0, len(c.Hooks)+len(c.HookSecrets))
	for n := range c.Hooks {
		names = append(names, n)
	}
	for n := range c.HookSecrets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		src, _ := c.hookSource(n)
		if src == nil || src.CallbackURL != url {
			continue
		}
		if len(src.CallbackSecret) > 0 {
			return src.CallbackSecret
		}
		if len(src.Secrets) > 0 {
			return src.Secrets[0]
		}
	}
	return nil
}

// LoadHooks reads a hooks.yaml file (see [ParseHooks]).
func LoadHooks(file string, getenv func(string) string) (map[string]*HookSource, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("hooks file: %w", err)
	}
	return ParseHooks(file, data, getenv)
}

// ParseHooks reads a hooks.yaml file: a top-level "sources" mapping of
// source name to its scheme, secrets (or secret_env, the names of
// environment variables holding them, read with getenv), fields,
// filters, tags and callback. Every problem is reported at once, each as
// "file:line:col: field: message".
func ParseHooks(file string, data []byte, getenv func(string) string) (map[string]*HookSource, error) {
	top, err := strictyaml.ParseMapping(file, "hooks file", data)
	if err != nil {
		return nil, err
	}
	if err := strictyaml.RefuseAliases(file, top, "hooks file"); err != nil {
		return nil, err
	}
	l := &strictyaml.Collector{File: file}
	out := map[string]*HookSource{}
	strictyaml.Fields(top, "", []string{"sources"}, l, func(_ string, _, value *yaml.Node) {
		if value.Kind != yaml.MappingNode || len(value.Content) == 0 {
			l.Add(value, "sources", "want a mapping of source names to their settings, found %s", strictyaml.DescribeNode(value))
			return
		}
		eachPair(value, "sources", l, func(name string, keyNode, v *yaml.Node) {
			if !sourceName.MatchString(name) {
				l.Add(keyNode, "sources."+name, "a source name is lower-case letters, digits, - and _ (it is the {source} of /v1/hooks/{source})")
				return
			}
			if src := parseSource(name, v, l, getenv); src != nil {
				out[name] = src
			}
		})
	})
	if len(l.List) == 0 && len(out) == 0 {
		l.Add(top, "sources", "no sources are defined; add at least one under sources:")
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// eachPair calls fn with each key and value of mapping n in file order,
// reporting keys given twice and keys that are not text.
func eachPair(n *yaml.Node, at string, l *strictyaml.Collector, fn func(key string, keyNode, value *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.Add(k, at, "keys must be plain names, found %s as a key", strictyaml.DescribeNode(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			l.Add(k, at+"."+k.Value, "duplicate key %q (first set at line %d); keep only one", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, k, v)
	}
}

var sourceKeys = []string{"scheme", "secrets", "secret_env", "fields", "filters", "tags", "base_url", "callback"}

func parseSource(name string, n *yaml.Node, l *strictyaml.Collector, getenv func(string) string) *HookSource {
	at := "sources." + name
	before := len(l.List)
	src := &HookSource{Name: name}
	var fieldsNode *yaml.Node
	var secretNodes int
	strictyaml.Fields(n, at, sourceKeys, l, func(key string, keyNode, v *yaml.Node) {
		field := at + "." + key
		switch key {
		case "scheme":
			s, ok := strictyaml.ScalarText(v, field, l)
			if !ok {
				return
			}
			if !slices.Contains(schemes, Scheme(s)) {
				l.Add(v, field, "unknown scheme %q; use one of %s", s, schemeList())
				return
			}
			src.Schemes = []Scheme{Scheme(s)}
		case "secrets":
			secretNodes++
			for _, item := range scalarList(v, field, l) {
				src.Secrets = appendSecret(src.Secrets, item.Value, item, field, l)
			}
		case "secret_env":
			secretNodes++
			for _, item := range scalarList(v, field, l) {
				val := getenv(item.Value)
				if val == "" {
					l.Add(item, field, "the environment variable %s is unset or empty; set it to the source's secret", item.Value)
					continue
				}
				for _, s := range strings.Split(val, ",") {
					if s = strings.TrimSpace(s); s != "" {
						src.Secrets = appendSecret(src.Secrets, s, item, field, l)
					}
				}
			}
		case "fields":
			fieldsNode = keyNode
			src.Fields = map[string]string{}
			strictyaml.Fields(v, field, hookFields, l, func(f string, _, pv *yaml.Node) {
				p, ok := strictyaml.ScalarText(pv, field+"."+f, l)
				if !ok {
					return
				}
				if msg := checkPointers(p); msg != "" {
					l.Add(pv, field+"."+f, "%s", msg)
					return
				}
				src.Fields[f] = p
			})
		case "filters":
			for _, item := range scalarList(v, field, l) {
				f, msg := parseFilter(item.Value)
				if msg != "" {
					l.Add(item, field, "%s", msg)
					continue
				}
				src.Filters = append(src.Filters, f)
			}
		case "tags":
			src.Tags = parseTags(v, field, l)
		case "base_url":
			s, ok := strictyaml.ScalarText(v, field, l)
			if !ok {
				return
			}
			if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				l.Add(v, field, "want an absolute http or https URL such as https://www.example.com, found %q", s)
				return
			}
			src.BaseURL = s
		case "callback":
			strictyaml.Fields(v, field, []string{"url", "secret_env"}, l, func(ck string, _, cv *yaml.Node) {
				s, ok := strictyaml.ScalarText(cv, field+"."+ck, l)
				if !ok {
					return
				}
				switch ck {
				case "url":
					u, err := url.Parse(s)
					if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
						l.Add(cv, field+".url", "want an absolute http or https URL, found %q", s)
						return
					}
					src.CallbackURL = s
				case "secret_env":
					val := getenv(s)
					if val == "" {
						l.Add(cv, field+".secret_env", "the environment variable %s is unset or empty; set it to the callback secret", s)
						return
					}
					key, err := DecodeSecret(val)
					if err != nil {
						l.Add(cv, field+".secret_env", "%s: %v", s, err)
						return
					}
					src.CallbackSecret = key
				}
			})
		}
	})
	if len(l.List) > before {
		return nil
	}
	if len(src.Schemes) == 0 {
		l.Add(n, at+".scheme", "no scheme; set scheme: to one of %s", schemeList())
	}
	if secretNodes == 0 {
		l.Add(n, at, "no secret; add secret_env: NAME (an environment variable holding it) or secrets:")
	}
	if src.Fields == nil {
		if b := builtinSource(name); b != nil {
			src.Fields, src.Filters, src.Tags = b.Fields, append(b.Filters, src.Filters...), cmpOr(src.Tags, b.Tags)
		} else {
			l.Add(n, at+".fields", "no fields; map at least headline to a JSON pointer, e.g. headline: /title (only ghost and wordpress have built-in fields)")
		}
	} else if _, ok := src.Fields["headline"]; !ok {
		l.Add(fieldsNode, at+".fields", "no headline; map headline to the JSON pointer of the title")
	}
	if len(l.List) > before {
		return nil
	}
	return src
}

func cmpOr(a, b *TagRules) *TagRules {
	if a != nil {
		return a
	}
	return b
}

func schemeList() string {
	var s []string
	for _, sc := range schemes {
		s = append(s, string(sc))
	}
	return strings.Join(s, ", ")
}

// scalarList returns the items of a list of text (or a single text value).
func scalarList(v *yaml.Node, field string, l *strictyaml.Collector) []*yaml.Node {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.ShortTag() == "!!null" || v.Value == "" {
			l.Add(v, field, "empty; give a value or a list of values")
			return nil
		}
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode || item.Value == "" {
				l.Add(item, field, "expected text, found %s", strictyaml.DescribeNode(item))
				continue
			}
			out = append(out, item)
		}
		if len(v.Content) == 0 {
			l.Add(v, field, "empty list; give at least one value")
		}
		return out
	}
	l.Add(v, field, "expected text or a list of text, found %s", strictyaml.DescribeNode(v))
	return nil
}

func appendSecret(list [][]byte, s string, n *yaml.Node, field string, l *strictyaml.Collector) [][]byte {
	key, err := DecodeSecret(s)
	if err != nil {
		l.Add(n, field, "%v", err)
		return list
	}
	return append(list, key)
}

// checkPointers checks "a|b" alternatives of JSON pointers.
func checkPointers(p string) string {
	for _, alt := range strings.Split(p, "|") {
		if !strings.HasPrefix(alt, "/") {
			return fmt.Sprintf("%q is not a JSON pointer (RFC 6901): it must start with /, e.g. /post/current/title; separate alternatives with |", alt)
		}
		if bad := badTilde.FindString(alt); bad != "" {
			return fmt.Sprintf("%q has %q: in a JSON pointer ~ is written ~0 and / inside a key ~1", alt, bad)
		}
	}
	return ""
}

// parseFilter reads "POINTER == value" or "POINTER != value"; a bare key
// stands for the pointer to that top-level key.
func parseFilter(s string) (HookFilter, string) {
	for _, op := range []string{"==", "!="} {
		lhs, rhs, ok := strings.Cut(s, op)
		if !ok {
			continue
		}
		p, v := strings.TrimSpace(lhs), strings.Trim(strings.TrimSpace(rhs), `"'`)
		if p == "" {
			return HookFilter{}, fmt.Sprintf("filter %q has nothing before %s; write e.g. /status == publish", s, op)
		}
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		if msg := checkPointers(p); msg != "" || strings.Contains(p, "|") {
			return HookFilter{}, fmt.Sprintf("filter %q: the left side must be one JSON pointer", s)
		}
		return HookFilter{Pointer: p, Not: op == "!=", Value: v}, ""
	}
	return HookFilter{}, fmt.Sprintf("filter %q has no == or !=; write e.g. /status == publish", s)
}

func parseTags(v *yaml.Node, field string, l *strictyaml.Collector) *TagRules {
	tr := &TagRules{Flags: map[string]string{}}
	strictyaml.Fields(v, field, []string{"from", "section", "flags"}, l, func(k string, _, tv *yaml.Node) {
		switch k {
		case "from":
			p, ok := strictyaml.ScalarText(tv, field+".from", l)
			if !ok {
				return
			}
			if msg := checkPointers(p); msg != "" || strings.Contains(p, "|") {
				l.Add(tv, field+".from", "want one JSON pointer to the list of tags, e.g. /post/current/tags")
				return
			}
			tr.Pointer = p
		case "section":
			s, ok := strictyaml.ScalarText(tv, field+".section", l)
			if !ok {
				return
			}
			switch s {
			case "first_public":
				tr.Section = true
			case "none", "":
			default:
				l.Add(tv, field+".section", "want first_public (the section is the first public tag) or none, found %q", s)
			}
		case "flags":
			if tv.Kind != yaml.MappingNode {
				l.Add(tv, field+".flags", "want a mapping of tag name to flag, e.g. \"#breaking\": breaking")
				return
			}
			eachPair(tv, field+".flags", l, func(tag string, _, fv *yaml.Node) {
				flag, ok := strictyaml.ScalarText(fv, field+".flags."+tag, l)
				if !ok {
					return
				}
				if !slices.Contains(hookFlags, flag) {
					l.Add(fv, field+".flags."+tag, "unknown flag %q; a tag can set: %s", flag, strings.Join(hookFlags, ", "))
					return
				}
				tr.Flags[strings.ToLower(tag)] = flag
			})
		}
	})
	if tr.Pointer == "" {
		l.Add(v, field+".from", "missing: the JSON pointer to the list of tags, e.g. from: /post/current/tags")
		return nil
	}
	return tr
}
