package jobs

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sharecard/sharecard/internal/testwait"
)

// smallDisk mounts a tmpfs of size bytes for the test and returns its
// folder. It skips the test unless it runs as root where mounting is
// allowed: without a real full disk there is nothing to test here.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs (a real full disk); run the tests as root to include it")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs on %s (%v): no full-disk test here", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fill writes a file into dir until the disk is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for i := 0; i < 1<<16; i++ { // at most 4 GiB, far beyond the tmpfs
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
	t.Fatal("the disk did not fill up")
	return ""
}

// TestEnqueue_FullDisk: with the embedded server's disk full, Enqueue
// answers within EnqueueTimeout with an error wrapping ErrUnavailable
// (before: it hung for the caller's whole deadline), and once space is
// freed the queue takes jobs again without a restart of the process
// (before: JetStream stayed off until one).
func TestEnqueue_FullDisk(t *testing.T) {
	disk := smallDisk(t, "16m")
	cfg := testConfig(t)
	cfg.DataDir = filepath.Join(disk, "nats")
	cfg.EnqueueTimeout = time.Second
	if os.Getenv("JOBS_DEBUG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	q := open(t, cfg)
	enqueue(t, q, "before", "{}", true)
	filler := fill(t, disk)
	payload := []byte(`{"pad":"` + strings.Repeat("x", 256<<10) + `"}`)
	var err error
	for i := 0; i < 8 && err == nil; i++ { // the first writes may still fit in a block
		_, err = q.Enqueue(context.Background(), "during-"+string(rune('a'+i)), payload)
	}
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Enqueue on a full disk: %v; want an error wrapping ErrUnavailable", err)
	}
	if q.Ready() {
		t.Error("Ready on a full disk")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, 50*time.Millisecond, func() (bool, string) {
		if !q.Ready() {
			return false, "not ready after space was freed"
		}
		_, err := q.Enqueue(context.Background(), "after", []byte("{}"))
		return err == nil, "Enqueue after space was freed: " + errString(err)
	})
	if st, err := q.Status(context.Background(), "before"); err != nil || st.State != StateQueued {
		t.Errorf("a job stored before the disk filled: %+v, %v", st, err)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
