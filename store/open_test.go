package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSpec(t *testing.T) {
	// No S3 endpoint or credentials: an s3:// spec must fail before any
	// network request (the working S3 case is in TestS3).
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(k, "")
	}
	data := t.TempDir()
	abs := filepath.Join(t.TempDir(), "abs")
	t.Chdir(t.TempDir())
	rel, _ := filepath.Abs("rel/images")
	cases := []struct {
		name, spec string
		wantDir    string // for a Local store
		wantErr    string // substring of the error
	}{
		{"default", "", filepath.Join(data, "images"), ""},
		{"absolute path", abs, abs, ""},
		{"relative path", "rel/images", rel, ""},
		{"file URL", "file://" + filepath.ToSlash(abs), abs, ""},
		{"file URL with localhost", "file://localhost" + filepath.ToSlash(abs), abs, ""},
		{"file URL with a host", "file://server/srv/images", "", "absolute path"},
		{"file URL relative", "file:images", "", "absolute path"},
		{"file URL with query", "file://" + filepath.ToSlash(abs) + "?x=1", "", "no query"},
		{"http scheme", "http://example.invalid/images", "", `unsupported scheme "http"`},
		{"gs scheme", "gs://bucket/x", "", `unsupported scheme "gs"`},
		{"s3 without credentials", "s3://bucket/prefix", "", "AWS_ACCESS_KEY_ID"},
		{"s3 bad bucket", "s3://B/prefix", "", "bucket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.spec, data)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Open(%q) = %v, want an error mentioning %q", tc.spec, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tc.spec, err)
			}
			l, ok := s.(*Local)
			if !ok {
				t.Fatalf("Open(%q) gave a %T, want *Local", tc.spec, s)
			}
			if l.Dir() != tc.wantDir {
				t.Errorf("Open(%q) keeps files in %s, want %s", tc.spec, l.Dir(), tc.wantDir)
			}
		})
	}
}
