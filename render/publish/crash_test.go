package publish

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// failAfter fails the writes after the first n with ENOSPC.
type failAfter struct {
	f *os.File
	n *int
}

func (w failAfter) Write(p []byte) (int, error) {
	if *w.n <= 0 {
		return 0, &os.PathError{Op: "write", Path: w.f.Name(), Err: syscall.ENOSPC}
	}
	*w.n--
	return w.f.Write(p)
}

// TestWriteDir_FullDisk: a disk that fills up in the middle of an
// article's files leaves the folder as it was (absent, or the previous
// version) and no temporary folder, and the error says the disk is full.
func TestWriteDir_FullDisk(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "story")
	files := map[string][]byte{"a.jpg": []byte("a"), "b.jpg": []byte("b"), "manifest.json": []byte("{}")}
	for _, previous := range []bool{false, true} {
		if previous {
			if err := WriteDir(dir, map[string][]byte{"old.jpg": []byte("old")}); err != nil {
				t.Fatal(err)
			}
		}
		left := 1
		fileWriter = func(f *os.File) io.Writer { return failAfter{f, &left} }
		err := WriteDir(dir, files)
		fileWriter = func(f *os.File) io.Writer { return f }
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("WriteDir on a full disk: %v; want ENOSPC", err)
		}
		ents, _ := os.ReadDir(parent)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if previous {
			if len(names) != 1 || names[0] != "story" {
				t.Errorf("after a failed replace the parent holds %v; want the previous story only", names)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "old.jpg")); err != nil || string(b) != "old" {
				t.Errorf("the previous version: %q, %v", b, err)
			}
		} else if len(names) != 0 {
			t.Errorf("after a failed first write the parent holds %v; want nothing", names)
		}
	}
}

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestRemoveStale: the temporary folder of a killed run (its process is
// gone), a very old one and an old one of an older version are removed;
// the folder this process is writing, one of a live process that is
// recent, a recent old-style one and the articles stay. Before, nothing
// removed them.
func TestRemoveStale(t *testing.T) {
	out := t.TempDir()
	old := time.Now().Add(-2 * StaleAge)
	mk := func(name string, mtime time.Time) {
		p := filepath.Join(out, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "og.jpg"), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
		if !mtime.IsZero() {
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
	killed := TempPrefix + strconv.Itoa(deadPID(t)) + "-story-123"
	own := TempPrefix + strconv.Itoa(os.Getpid()) + "-story-456"
	liveRecent := TempPrefix + "1-story-789" // pid 1 lives
	liveOld := TempPrefix + "1-story-000"
	legacyOld, legacyRecent := ".story.111.tmp", ".story.222.tmp"
	mk(killed, time.Time{})
	mk(own, old)
	mk(liveRecent, time.Time{})
	mk(liveOld, old)
	mk(legacyOld, old)
	mk(legacyRecent, time.Time{})
	mk("story", old)
	removed, err := RemoveStale(out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{killed: true, liveOld: true, legacyOld: true}
	if len(removed) != len(want) {
		t.Errorf("removed %v; want %v", removed, want)
	}
	for _, name := range removed {
		if !want[name] {
			t.Errorf("removed %s", name)
		}
	}
	for _, keep := range []string{own, liveRecent, legacyRecent, "story"} {
		if _, err := os.Stat(filepath.Join(out, keep)); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
	if r, err := RemoveStale(filepath.Join(out, "missing")); err != nil || len(r) != 0 {
		t.Errorf("a missing folder: %v, %v", r, err)
	}
}
