package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestETagKnownValue(t *testing.T) {
	// sha256("hello") = 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c…
	if got, want := ETag([]byte("hello")), `"2cf24dba5fb0a30e26e83b2ac5b9e29e"`; got != want {
		t.Errorf("ETag(hello) = %s, want %s", got, want)
	}
}

func TestValidKey(t *testing.T) {
	cases := []struct {
		key string
		ok  bool
	}{
		{"3f9ac2/og.jpg", true},
		{"3f9ac2/manifest.json", true},
		{"ab/cd/x-summary-large.webp", true},
		{"a", true},
		{"0", true},
		{"a.b.c", true},
		{strings.Repeat("a", MaxKeyLen), true},
		{strings.Repeat("a", MaxKeyLen+1), false},
		{"", false},
		{"/3f9a/og.jpg", false},
		{"3f9a/og.jpg/", false},
		{"3f9a//og.jpg", false},
		{"..", false},
		{"../og.jpg", false},
		{"3f9a/../og.jpg", false},
		{"3f9a/./og.jpg", false},
		{".hidden", false},
		{"3f9a/.put-123", false},
		{"-flag", false},
		{"3F9A/og.jpg", false},
		{"3f9a/og_1.jpg", false},
		{"3f9a\\og.jpg", false},
		{"3f9a/og.jpg?x=1", false},
		{"3f9a/og jpg", false},
		{"3f9a/\x00", false},
		{"café", false},
	}
	for _, tc := range cases {
		err := ValidKey(tc.key)
		if tc.ok && err != nil {
			t.Errorf("ValidKey(%q) = %v, want ok", tc.key, err)
		}
		if !tc.ok && !errors.Is(err, ErrBadKey) {
			t.Errorf("ValidKey(%q) = %v, want ErrBadKey", tc.key, err)
		}
	}
}

func TestLocalConformance(t *testing.T) {
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	testConformance(t, s, "conf", conformance{readers: 20, readLoops: 50, writes: 100})
	if left := tempFiles(t, dir); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// tempFiles lists the files Put's temporary naming would leave in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var left []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") {
			left = append(left, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return left
}

func TestLocalFileLayout(t *testing.T) {
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "ab12/og.jpg", []byte("JPEGDATA"), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "ab12", "og.jpg"))
	if err != nil {
		t.Fatalf("the object is not at <dir>/<key>: %v", err)
	}
	want := "sharecard-object 1\netag: " + ETag([]byte("JPEGDATA")) + "\ncontent-type: image/jpeg\n\nJPEGDATA"
	if string(raw) != want {
		t.Errorf("file content %q, want %q", raw, want)
	}
	st, _ := os.Stat(filepath.Join(dir, "ab12", "og.jpg"))
	if perm := st.Mode().Perm(); perm != 0o644 {
		t.Errorf("file mode %v, want 0644", perm)
	}
}

func TestLocalFailedPutLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "k/a/b", []byte("x"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	// "k/a" is a folder now, so an object cannot be renamed onto it.
	if err := s.Put(ctx, "k/a", []byte("y"), "text/plain"); err == nil {
		t.Fatal("Put over a folder of objects succeeded")
	}
	if left := tempFiles(t, dir); len(left) > 0 {
		t.Errorf("a failed Put left %v", left)
	}
	if obj, err := s.Open(ctx, "k/a/b"); err != nil {
		t.Errorf("the object below survived badly: %v", err)
	} else {
		obj.Body.Close()
	}
}

func TestLocalForeignFile(t *testing.T) {
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plain.jpg"), []byte("\xff\xd8\xff not ours"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = s.Open(context.Background(), "plain.jpg")
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not a sharecard object file") {
		t.Errorf("Open of a file not written by Put = %v, want an error saying it is not a sharecard object file", err)
	}
}

func TestNewLocal(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewLocal(""); err == nil {
		t.Error("NewLocal(\"\") succeeded")
	}
	if _, err := NewLocal(file); err == nil {
		t.Error("NewLocal on a regular file succeeded")
	}
	s, err := NewLocal(filepath.Join(dir, "new", "images"))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(s.Dir()); err != nil || !st.IsDir() {
		t.Errorf("NewLocal did not create %s: %v", s.Dir(), err)
	}
}
