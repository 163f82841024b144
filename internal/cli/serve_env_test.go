package cli

import (
	"strings"
	"testing"
)

func TestEnvInt(t *testing.T) {
	tests := []struct {
		value   string
		want    int
		wantErr bool
	}{
		{"", 7, false},
		{"3", 3, false},
		{" 4 ", 4, false},
		{"0", 0, false},
		{"abc", 0, true},
		{"12abc", 0, true},
		{"-1", 0, true},
		{"1.5", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			t.Setenv("SHARECARD_TEST_INT", tc.value)
			got, err := envInt("SHARECARD_TEST_INT", 7)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("envInt(%q) = %d, %v; want %d, error %v", tc.value, got, err, tc.want, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "SHARECARD_TEST_INT") {
				t.Errorf("error %q does not name the variable", err)
			}
		})
	}
}

// TestServe_BadEnvRefused: a typo in a numeric variable stops serve at
// once with exit 2, naming the variable, instead of starting with a
// default.
func TestServe_BadEnvRefused(t *testing.T) {
	t.Setenv("SHARECARD_WORKERS", "abc")
	code, _, stderr := runCLI(t, "serve", "--addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, `SHARECARD_WORKERS="abc"`) {
		t.Fatalf("exit %d, stderr %q; want 2 naming SHARECARD_WORKERS", code, stderr)
	}
}
