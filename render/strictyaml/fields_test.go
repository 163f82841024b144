package strictyaml

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestFields walks mappings as people write them: the known keys reach the
// handler in file order, and every other problem is one error at its line
// and column, with a suggestion for a near miss.
func TestFields(t *testing.T) {
	known := []string{"name", "color", "width"}
	tests := []struct {
		name string
		yaml string
		keys string // the keys handled, in order
		errs []string
	}{
		{"known keys in file order", "width: 3\nname: a\n", "width,name", nil},
		{"near miss", "name: a\ncolour: red\n", "name", []string{`t.yaml:2:1: colour: unknown key "colour" (did you mean "color"?)`}},
		{"far miss lists the keys", "zzz: 1\n", "", []string{`t.yaml:1:1: zzz: unknown key "zzz" (known keys: name, color, width)`}},
		{"twice", "name: a\nname: b\n", "name", []string{`t.yaml:2:1: name: duplicate key "name" (first set at line 1); keep only one`}},
		{"merge key", "base: &b {name: a}\nx:\n  <<: *b\n", "", nil}, // checked below, at x
		{"alias value", "name: &n a\ncolor: *n\n", "name,color", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			top, err := ParseMapping("t.yaml", "test", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			l := &Collector{File: "t.yaml"}
			n := top
			if tc.name == "merge key" {
				n = top.Content[3]
			}
			var keys []string
			Fields(n, "", known, l, func(key string, keyNode, value *yaml.Node) {
				if keyNode.Value != key || value == nil {
					t.Errorf("handler got key %q with key node %q", key, keyNode.Value)
				}
				keys = append(keys, key)
			})
			if got := strings.Join(keys, ","); got != tc.keys {
				t.Errorf("keys handled %q, want %q", got, tc.keys)
			}
			want := tc.errs
			if tc.name == "merge key" {
				want = []string{`t.yaml:3:3: merge keys (<<) are not supported; write the fields out`}
			}
			var got []string
			for _, e := range FieldErrors(l.Err()) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestFields_NotAMapping reports a value of the wrong kind at its place.
func TestFields_NotAMapping(t *testing.T) {
	top, err := ParseMapping("t.yaml", "test", []byte("box: [1, 2]\n"))
	if err != nil {
		t.Fatal(err)
	}
	l := &Collector{File: "t.yaml"}
	Fields(top.Content[1], "box", []string{"left"}, l, func(string, *yaml.Node, *yaml.Node) { t.Error("handler called") })
	errs := FieldErrors(l.Err())
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "t.yaml:1:6: box: want a mapping of keys to values, found") {
		t.Fatalf("errors %v", errs)
	}
}

// TestRefuseAliases: every alias is reported at its position, in file
// order, and a file with anchors but no alias passes.
func TestRefuseAliases(t *testing.T) {
	tests := []struct {
		yaml string
		want []string
	}{
		{"a: &x 1\nb: *x\nc: [*x, 2]\nd: {e: *x}\n", []string{
			"t.yaml:2:4: aliases (*x) are not supported in layouts; write the value of &x out in full here",
			"t.yaml:3:5: aliases (*x)",
			"t.yaml:4:8: aliases (*x)",
		}},
		{"a: &x 1\nb: 2\n", nil},
	}
	for _, tc := range tests {
		top, err := ParseMapping("t.yaml", "layout", []byte(tc.yaml))
		if err != nil {
			t.Fatal(err)
		}
		got := FieldErrors(RefuseAliases("t.yaml", top, "layouts"))
		if len(got) != len(tc.want) {
			t.Fatalf("%q: got %d problems, want %d: %v", tc.yaml, len(got), len(tc.want), got)
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(got[i].Error(), w) {
				t.Errorf("%q: problem %d = %q, want prefix %q", tc.yaml, i, got[i].Error(), w)
			}
		}
	}
	alias := &yaml.Node{Kind: yaml.AliasNode, Value: "v"}
	if got := DescribeNode(alias); got != "an alias (*v)" {
		t.Errorf("DescribeNode(alias) = %q", got)
	}
}
