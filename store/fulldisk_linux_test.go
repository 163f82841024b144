package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestLocal_FullDisk is TestLocal_NoSpace on a real full disk: a small
// tmpfs, which needs root (skipped otherwise). Freeing space makes Ping
// and Put work again.
func TestLocal_FullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs (a real full disk); TestLocal_NoSpace covers it with an injected ENOSPC")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs on %s (%v); TestLocal_NoSpace covers it with an injected ENOSPC", dir, err)
	}
	defer syscall.Unmount(dir, syscall.MNT_DETACH)
	l, err := NewLocal(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for i := 0; i < 1024; i++ { // at most 64 MiB, far beyond the tmpfs
		if _, err = f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the tmpfs: %v", err)
	}
	if err := l.Put(context.Background(), "k/og.jpg", make([]byte, 200<<10), "image/jpeg"); !errors.Is(err, ErrNoSpace) {
		t.Errorf("Put on a full disk: %v; want an error wrapping ErrNoSpace", err)
	}
	if err := l.Ping(context.Background()); !errors.Is(err, ErrNoSpace) {
		t.Errorf("Ping on a full disk: %v; want an error wrapping ErrNoSpace", err)
	}
	assertNoTemp(t, l.Dir())
	if _, err := l.Stat(context.Background(), "k/og.jpg"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed Put left an object: %v", err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := l.Ping(context.Background()); err != nil {
		t.Errorf("Ping once space is freed: %v", err)
	}
	if err := l.Put(context.Background(), "k/og.jpg", make([]byte, 200<<10), "image/jpeg"); err != nil {
		t.Errorf("Put once space is freed: %v", err)
	}
}
