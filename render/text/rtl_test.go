package text

import "testing"

// TestIsRTL checks the one direction rule: the language tag decides when
// it names or implies a script, else the first strong letter of the
// sample does.
func TestIsRTL(t *testing.T) {
	tests := []struct {
		lang, sample string
		want         bool
	}{
		{"ar", "Breaking news", true},
		{"fa-IR", "", true},
		{"he", "", true},
		{"ur", "", true},
		{"yi", "", true},
		{"ps", "", true},
		{"sd", "", true},
		{"ug", "", true},
		{"dv", "", true},
		{"ckb", "", true},
		{"az-Arab", "", true},
		// Languages whose likely script (CLDR) is Arabic: the layout was
		// mirrored for them while the text was set left to right.
		{"mzn", "", true},
		{"lrc", "", true},
		{"glk", "", true},
		{"bal", "", true},
		{"mzn", "Storm closes schools", true},
		{"bal-PK", "", true},
		{"en", "عاجل: عاصفة", false},
		{"ku", "", false},
		{"ar-Latn", "", false},
		{"", "عاجل: عاصفة تغلق الطريق", true},
		{"", "«2024» שלום", true},
		{"", "2024: Storm", false},
		{"", "", false},
		{"und", "مرحبا", true},
		{"bad tag!", "מבזק", true},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.sample, func(t *testing.T) {
			if got := IsRTL(tt.lang, tt.sample); got != tt.want {
				t.Errorf("IsRTL(%q, %q) = %v, want %v", tt.lang, tt.sample, got, tt.want)
			}
		})
	}
}

// TestFitDirectionIsRTL checks that a fitted block takes its direction
// from IsRTL, the rule that mirrors the layout, for languages the old
// text rule set left to right.
func TestFitDirectionIsRTL(t *testing.T) {
	s := mustFonts(t)
	for _, lang := range []string{"mzn", "lrc", "glk", "bal", "ar", "fa", "en", "de", ""} {
		for _, sample := range []string{headlineShort, headlineArabic} {
			tb, err := s.Fit(sample, Style{Family: "Noto Sans", MaxSize: 40, Lang: lang}, 2000, 200)
			if err != nil {
				t.Fatal(err)
			}
			if want := IsRTL(lang, sample); tb.RTL != want {
				t.Errorf("lang %q, %q: block RTL %v, IsRTL %v", lang, sample, tb.RTL, want)
			}
		}
	}
}
