package article

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/strictyaml"
)

// TestFieldLengthLimits sends every length-capped field at its limit
// (accepted) and one unit over it (refused with a FieldError that names
// the field, the limit and the length, at the value's line and column).
// Before the limits, a 5 MB headline was accepted and set for 27 s.
func TestFieldLengthLimits(t *testing.T) {
	// fill returns a value of exactly n units (characters or bytes) made of
	// prefix, repeated filler, and suffix.
	fill := func(prefix, filler, suffix string, n int, chars bool) string {
		size := func(s string) int {
			if chars {
				return len([]rune(s))
			}
			return len(s)
		}
		rest := n - size(prefix) - size(suffix)
		return prefix + strings.Repeat(filler, rest/size(filler)) + suffix
	}
	tests := []struct {
		key    string
		max    int
		remote bool
		value  func(n int) string // a valid value of n units
		unit   string
	}{
		{"headline", MaxHeadline, false, func(n int) string { return fill("", "é", "", n, true) }, "characters"},
		{"card_headline", MaxCardHeadline, false, func(n int) string { return fill("", "ü", "", n, true) }, "characters"},
		{"section", MaxSection, false, func(n int) string { return fill("", "ب", "", n, true) }, "characters"},
		{"kicker", MaxSection, false, func(n int) string { return fill("", "k", "", n, true) }, "characters"},
		{"summary", MaxSummary, false, func(n int) string { return fill("", "s", "", n, true) }, "characters"},
		{"caption", MaxCaption, false, func(n int) string { return fill("", "c", "", n, true) }, "characters"},
		{"credit", MaxCredit, false, func(n int) string { return fill("", "漢", "", n, true) }, "characters"},
		{"byline", MaxByline, false, func(n int) string { return fill("", "b", "", n, true) }, "characters"},
		{"published", MaxPublished, false, func(n int) string { return fill("2024-05-01T14:30:00.", "1", "Z", n, true) }, "characters"},
		{"lang", MaxLang, false, func(n int) string { return fill("en-Latn-GB-x-abcdefgh-abcdefgh-", "a", "", n, true) }, "characters"},
		{"layout", MaxLayout, false, func(n int) string { return fill("", "l", "", n, true) }, "characters"},
		{"url", MaxURL, false, func(n int) string { return fill("https://example.com/", "u", "", n, false) }, "bytes"},
		{"photo", MaxPhotoPath, false, func(n int) string { return fill("photos/", "p", "", n, false) }, "bytes"},
		{"photo", MaxPhotoURL, true, func(n int) string { return fill("https://example.com/", "p", "", n, false) }, "bytes"},
	}
	for _, tt := range tests {
		name := tt.key
		if tt.remote {
			name += " remote"
		}
		t.Run(name, func(t *testing.T) {
			parse := Parse
			if tt.remote {
				parse = ParseRemote
			}
			doc := func(v string) []byte {
				head := "headline: Storm\n"
				if tt.key == "headline" {
					head = ""
				}
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				return []byte(head + tt.key + ": " + string(b) + "\n")
			}
			at := tt.value(tt.max)
			if got := unitsOf(at, tt.unit); got != tt.max {
				t.Fatalf("test value is %d %s, want %d", got, tt.unit, tt.max)
			}
			if _, err := parse("a.yaml", doc(at)); err != nil {
				t.Errorf("%s of %d %s (the limit) refused: %v", tt.key, tt.max, tt.unit, err)
			}
			over := tt.value(tt.max + 1)
			if got := unitsOf(over, tt.unit); got != tt.max+1 {
				t.Fatalf("test value is %d %s, want %d", got, tt.unit, tt.max+1)
			}
			_, err := parse("a.yaml", doc(over))
			line := "2"
			if tt.key == "headline" {
				line = "1"
			}
			wantField := tt.key
			checkErrors(t, err, []wantErr{{"a.yaml:" + line + ":", wantField + ": " + thousands(tt.max+1) + " " + tt.unit + ", over the limit of " + thousands(tt.max) + ";"}})
			fes := strictyaml.FieldErrors(err)
			if len(fes) == 1 && fes[0].Field != wantField {
				t.Errorf("Field = %q, want %q", fes[0].Field, wantField)
			}
		})
	}
}

// unitsOf counts s in characters (code points) or bytes.
func unitsOf(s, unit string) int {
	if unit == "characters" {
		return len([]rune(s))
	}
	return len(s)
}

// TestHeadlineOverLimitMessage checks the message a 5 MB headline gets,
// as the HTTP service shows it.
func TestHeadlineOverLimitMessage(t *testing.T) {
	_, err := ParseRemote("body", []byte(`{"headline": "`+strings.Repeat("x", 5<<20)+`"}`))
	want := `body:1:14: headline: 5,242,880 characters, over the limit of 1,000; shorten it`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
}

// TestLimitsCountAfterTrimming: white space the parser drops does not
// count, and combining marks count one each (code points, not grapheme
// clusters).
func TestLimitsCountAfterTrimming(t *testing.T) {
	padded := "headline: \"   " + strings.Repeat("a  ", MaxHeadline/2) + "   \"\n" // collapses to 999 characters
	if _, err := Parse("a.yaml", []byte(padded)); err != nil {
		t.Errorf("headline of %d characters after collapsing white space refused: %v", MaxHeadline-1, err)
	}
	marks := "headline: \"a" + strings.Repeat("\u0301", MaxHeadline) + "\"\n" // one grapheme, 1,001 code points
	_, err := Parse("a.yaml", []byte(marks))
	checkErrors(t, err, []wantErr{{"a.yaml:1:11: headline: ", "1,001 characters, over the limit of 1,000"}})
}

// TestDataURILimit checks the data: URI photo limit on the length check
// itself (a 70 MB article would make a slow test): a URI that holds
// MaxPhotoBytes of base64 passes, one byte more than MaxPhotoDataURI does
// not, and the message says what to do.
func TestDataURILimit(t *testing.T) {
	header := "data:image/jpeg;base64,"
	base64Len := (MaxPhotoBytes + 2) / 3 * 4
	if base64Len+len(header) > MaxPhotoDataURI {
		t.Fatalf("MaxPhotoDataURI %d cannot hold %d bytes of photo in base64 (%d) with its header", MaxPhotoDataURI, MaxPhotoBytes, base64Len)
	}
	at := header + strings.Repeat("A", MaxPhotoDataURI-len(header))
	if msg := checkLength("photo", at, true); msg != "" {
		t.Errorf("data: URI of %d bytes refused: %s", len(at), msg)
	}
	msg := checkLength("photo", at+"A", true)
	if want := thousands(MaxPhotoDataURI+1) + " bytes, over the limit of " + thousands(MaxPhotoDataURI) + "; send a smaller photo"; !strings.HasPrefix(msg, want) {
		t.Errorf("message %q, want prefix %q", msg, want)
	}
	if msg := checkLength("photo", at, false); msg == "" {
		t.Error("a local photo path of 70 MB passed")
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 5242880: "5,242,880", -1234: "-1,234", 100000: "100,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestEveryTextKeyHasALimit: a new text key must get a limit (limitOf
// panics for a key without one).
func TestEveryTextKeyHasALimit(t *testing.T) {
	for _, key := range Keys() {
		switch key {
		case "focus", "breaking":
			continue
		}
		for _, remote := range []bool{false, true} {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("key %q has no length limit: %v", key, r)
					}
				}()
				limitOf(key, "x", remote)
			}()
		}
	}
}
