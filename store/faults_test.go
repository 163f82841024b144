package store

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/s3test"
)

// TestS3_OutageIsUnavailable stops the S3 server mid-run: every operation
// fails with an error wrapping ErrUnavailable, never ErrNotFound (before,
// an image that exists was "no such image" and a Put failure a bare
// error), Ping reports it, and after a restart the object is there.
func TestS3_OutageIsUnavailable(t *testing.T) {
	srv := s3test.Start(t, "outage")
	env := srv.Env()
	env["AWS_REGION"] = s3test.Region
	s, err := newS3(context.Background(), "s3://outage/p", lookup(env))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "k/og.jpg", []byte("image"), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping with the server up: %v", err)
	}
	srv.Stop(t)
	for name, op := range map[string]func() error{
		"Open": func() error { _, err := s.Open(ctx, "k/og.jpg"); return err },
		"Stat": func() error { _, err := s.Stat(ctx, "k/og.jpg"); return err },
		"Put":  func() error { return s.Put(ctx, "k/twitter.jpg", []byte("x"), "image/jpeg") },
		"Ping": func() error { return s.Ping(ctx) },
	} {
		if err := op(); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
			t.Errorf("%s during the outage: %v; want an error wrapping ErrUnavailable", name, err)
		}
	}
	srv.Restart(t)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after the restart: %v", err)
	}
	obj, err := s.Open(ctx, "k/og.jpg")
	if err != nil {
		t.Fatalf("Open after the restart: %v", err)
	}
	b, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(b) != "image" {
		t.Errorf("after the restart: %q", b)
	}
}

// failingWriter fails every write with err.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestLocal_NoSpace: a Put or Ping that hits a full disk (ENOSPC) or quota
// (EDQUOT) fails with an error wrapping ErrNoSpace and leaves no temporary
// file; another write error wraps ErrUnavailable. Before, the error was
// bare (a 500 after a full render).
func TestLocal_NoSpace(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		errno syscall.Errno
		want  error
	}{{syscall.ENOSPC, ErrNoSpace}, {syscall.EDQUOT, ErrNoSpace}, {syscall.EIO, ErrUnavailable}} {
		t.Run(tc.errno.Error(), func(t *testing.T) {
			writer = func(*os.File) io.Writer { return failingWriter{&os.PathError{Op: "write", Path: "x", Err: tc.errno}} }
			defer func() { writer = func(f *os.File) io.Writer { return f } }()
			if err := l.Put(context.Background(), "k/og.jpg", []byte("image"), "image/jpeg"); !errors.Is(err, tc.want) {
				t.Errorf("Put: %v; want an error wrapping %v", err, tc.want)
			}
			if err := l.Ping(context.Background()); !errors.Is(err, tc.want) {
				t.Errorf("Ping: %v; want an error wrapping %v", err, tc.want)
			}
			assertNoTemp(t, l.Dir())
		})
	}
	if err := l.Ping(context.Background()); err != nil {
		t.Errorf("Ping with room: %v", err)
	}
}

// assertNoTemp fails if a temporary file is left under dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tempPrefix) {
			t.Errorf("temporary file left: %s", path)
		}
		return nil
	})
}

// TestLocal_RemoveOrphans: temporary files older than the limit (a Put of
// a killed process) are removed; a recent one (a Put running in another
// process) and the objects stay. Before, nothing removed them.
func TestLocal_RemoveOrphans(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := l.Put(ctx, "k/og.jpg", []byte("image"), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(l.Dir(), "k", ".put-12345")
	fresh := filepath.Join(l.Dir(), "k", ".put-67890")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	n, err := l.RemoveOrphans(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("RemoveOrphans = %d, %v; want 1 removed", n, err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the old temporary file is still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("the recent temporary file was removed: %v", err)
	}
	if _, err := l.Stat(ctx, "k/og.jpg"); err != nil {
		t.Errorf("the object: %v", err)
	}
}
