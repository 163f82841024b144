package strictyaml

import (
	"errors"
	"fmt"
	"testing"
)

func TestFieldErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		e    FieldError
		want string
	}{
		{"all parts", FieldError{File: "a.yaml", Line: 3, Column: 5, Field: "focus.x", Msg: "bad"}, "a.yaml:3:5: focus.x: bad"},
		{"no column", FieldError{File: "a.yaml", Line: 3, Field: "headline", Msg: "bad"}, "a.yaml:3: headline: bad"},
		{"no position", FieldError{File: "a.yaml", Msg: "the file is empty"}, "a.yaml: the file is empty"},
		{"no file", FieldError{Line: 2, Column: 1, Field: "url", Msg: "bad"}, "2:1: url: bad"},
		{"message only", FieldError{Msg: "bad"}, "bad"},
		{"column without line is dropped", FieldError{File: "a.yaml", Column: 4, Msg: "bad"}, "a.yaml: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	// The keys of an article file (article.Keys, which this
	// package's tests cannot import: article imports strictyaml).
	keys := []string{"headline", "section", "kicker", "summary", "caption", "credit", "byline",
		"published", "url", "lang", "photo", "focus", "layout", "breaking"}
	tests := []struct {
		in, want string
	}{
		{"headlne", "headline"},
		{"Headline", "headline"},
		{"sumary", "summary"},
		{"focsu", "focus"},
		{"byline", "byline"},
		{"urll", "url"},
		{"x", ""},
		{"photographer", ""},
		{"zzzzzzzz", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Suggest(tt.in, keys); got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"og", "ogg", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"été", "ete", 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestFieldErrorsUnwrapsJoinedAndWrapped(t *testing.T) {
	a := &FieldError{File: "a", Line: 1, Msg: "one"}
	b := &FieldError{File: "a", Line: 2, Msg: "two"}
	err := fmt.Errorf("loading article: %w", errors.Join(a, errors.New("other"), b))
	got := FieldErrors(err)
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("FieldErrors = %v, want [%v %v]", got, a, b)
	}
	if FieldErrors(nil) != nil {
		t.Errorf("FieldErrors(nil) is not nil")
	}
}

func TestFieldErrorsSortedInFileOrder(t *testing.T) {
	l := &Collector{File: "f"}
	l.Add(nil, "", "no position")
	l.List = append(l.List,
		&FieldError{File: "f", Line: 4, Column: 2, Msg: "d"},
		&FieldError{File: "f", Line: 1, Column: 9, Msg: "a"},
		&FieldError{File: "f", Line: 4, Column: 1, Msg: "c"})
	var got []string
	for _, e := range FieldErrors(l.Err()) {
		got = append(got, e.Msg)
	}
	want := []string{"a", "c", "d", "no position"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order = %v, want %v", got, want)
	}
	if (&Collector{}).Err() != nil {
		t.Errorf("empty list gives a non-nil error")
	}
}
