package layout

import "testing"

func TestParseLength(t *testing.T) {
	tests := []struct {
		in   string
		bare Unit
		want Length
		err  bool
	}{
		{"0.25", UnitFrac, Length{0.25, UnitFrac}, false},
		{"25%", UnitVmin, Length{0.25, UnitFrac}, false},
		{"24px", UnitFrac, Length{24, UnitPx}, false},
		{"8vmin", UnitFrac, Length{8, UnitVmin}, false},
		{"7", UnitVmin, Length{7, UnitVmin}, false},
		{"-3", UnitFrac, Length{}, true},
		{"abc", UnitFrac, Length{}, true},
		{"", UnitFrac, Length{}, true},
	}
	for _, tc := range tests {
		got, err := parseLength(tc.in, tc.bare)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("parseLength(%q) = %v, %v; want %v, err %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
