package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Local is a Store in a folder on disk. The object under key "ab12/og.jpg"
// is the file <dir>/ab12/og.jpg. Each file starts with a short text header
// that holds the object's ETag and content type, then the object's bytes:
//
//	sharecard-object 1\n
//	etag: "<32 hex digits>"\n
//	content-type: image/jpeg\n
//	\n
//	<body>
//
// Keeping data and metadata in one file makes a Put a single rename, so a
// reader always gets a body and metadata that belong together. Put writes a
// temporary file (".put-*", a name no key can take) in the object's folder,
// fsyncs it, renames it over the object and fsyncs the folder. ModTime is
// the file's modification time.
//
// Local is safe for concurrent use, also by several processes sharing the
// folder.
type Local struct {
	dir string
}

// localMagic opens every object file.
const localMagic = "sharecard-object 1\n"

// maxHeader bounds the header of an object file, in bytes.
const maxHeader = 512

// NewLocal returns a Local store in dir, creating the folder if needed.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("local store: the folder name is empty; give a directory such as ./data/images")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local store %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("local store: create folder: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("local store: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("local store: %s is not a folder", abs)
	}
	return &Local{dir: abs}, nil
}

// Dir returns the absolute folder the store keeps its files in.
func (l *Local) Dir() string { return l.dir }

func (l *Local) path(key string) string { return filepath.Join(l.dir, filepath.FromSlash(key)) }

// Put stores data under key; see Store.Put and the Local doc for the file layout.
func (l *Local) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	ct, err := normContentType(contentType)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	final := l.path(key)
	folder := filepath.Dir(final)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return diskError("put "+key+": create folder", err)
	}
	tmp, err := os.CreateTemp(folder, tempPrefix+"*")
	if err != nil {
		return diskError("put "+key, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	header := localMagic + "etag: " + ETag(data) + "\ncontent-type: " + ct + "\n\n"
	if _, err := writer(tmp).Write([]byte(header)); err != nil {
		return diskError("put "+key+": write", err)
	}
	if _, err := writer(tmp).Write(data); err != nil {
		return diskError("put "+key+": write", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return diskError("put "+key, err)
	}
	if err := tmp.Sync(); err != nil {
		return diskError("put "+key+": fsync", err)
	}
	if err := tmp.Close(); err != nil {
		return diskError("put "+key+": close", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		_ = os.Remove(tmp.Name())
		done = true
		return diskError("put "+key, err)
	}
	done = true
	// Make the rename itself durable. Some platforms cannot fsync a folder;
	// the object is in place either way, so that is not an error.
	if d, err := os.Open(folder); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// tempPrefix starts the names of Put's temporary files (and of Ping's
// probes): no key segment can start with a dot.
const tempPrefix = ".put-"

// OrphanAge is how old a temporary file must be before RemoveOrphans takes
// it for the leftover of a killed process: far longer than any Put takes.
const OrphanAge = 15 * time.Minute

// writer returns where Put writes a temporary file; tests replace it to
// inject a full disk.
var writer = func(f *os.File) io.Writer { return f }

// diskError describes a failed file operation: a full disk or quota wraps
// ErrNoSpace, another failure of the file system (permissions, I/O error,
// read-only mount) ErrUnavailable, and a cancelled context stays as it is.
func diskError(what string, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", what, err)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%s: %w (free space on the store's disk): %w", what, ErrNoSpace, err)
	default:
		return fmt.Errorf("%s: %w: %w", what, ErrUnavailable, err)
	}
}

// Ping checks that the store can take a new object: it writes, syncs and
// removes a one-byte temporary file in the store's folder. A full disk
// gives an error wrapping ErrNoSpace, another failure ErrUnavailable.
func (l *Local) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(l.dir, tempPrefix+"probe-*")
	if err != nil {
		return diskError("local store "+l.dir+": write probe", err)
	}
	defer os.Remove(f.Name())
	_, err = writer(f).Write([]byte{'\n'})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return diskError("local store "+l.dir+": write probe", err)
	}
	return nil
}

// RemoveOrphans deletes the temporary files (".put-*") that Puts of a
// killed process left in the store's folders, if they are older than
// olderThan (OrphanAge when zero), so a Put still running in another
// process keeps its file. It returns how many it removed; it walks every
// folder of the store, so callers run it in the background at start.
func (l *Local) RemoveOrphans(ctx context.Context, olderThan time.Duration) (int, error) {
	if olderThan <= 0 {
		olderThan = OrphanAge
	}
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	err := filepath.WalkDir(l.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.ModTime().After(cutoff) {
			return nil
		}
		if err := os.Remove(path); err == nil {
			removed++
		}
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("local store %s: remove orphaned temporary files: %w", l.dir, err)
	}
	return removed, nil
}

// Open returns the object under key; see Store.Open.
func (l *Local) Open(ctx context.Context, key string) (*Object, error) {
	f, info, off, err := l.open(ctx, key)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	return &Object{Info: info, Body: &fileBody{f: f, off: off, size: info.Size}}, nil
}

// Stat returns the metadata of the object under key; see Store.Stat.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	f, info, _, err := l.open(ctx, key)
	if err != nil {
		return Info{}, err
	}
	_ = f.Close()
	return info, nil
}

// open opens the object file and parses its header. It returns the file,
// the object's Info and the offset of the body in the file.
func (l *Local) open(ctx context.Context, key string) (*os.File, Info, int64, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, 0, fmt.Errorf("open %s: %w", key, err)
	}
	f, err := os.Open(l.path(key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, Info{}, 0, fmt.Errorf("open %s: %w", key, ErrNotFound)
		}
		return nil, Info{}, 0, diskError("open "+key, err)
	}
	info, off, err := readHeader(f, key)
	if err != nil {
		_ = f.Close()
		return nil, Info{}, 0, err
	}
	return f, info, off, nil
}

// readHeader parses the header of an object file.
func readHeader(f *os.File, key string) (Info, int64, error) {
	st, err := f.Stat()
	if err != nil {
		return Info{}, 0, fmt.Errorf("open %s: %w", key, err)
	}
	if st.IsDir() {
		return Info{}, 0, fmt.Errorf("open %s: it is a folder of other objects: %w", key, ErrNotFound)
	}
	buf := make([]byte, min(st.Size(), maxHeader))
	if _, err := f.ReadAt(buf, 0); err != nil {
		return Info{}, 0, fmt.Errorf("open %s: read header: %w", key, err)
	}
	corrupt := func(why string) error {
		return fmt.Errorf("open %s: %s is not a sharecard object file (%s); remove it and render again", key, f.Name(), why)
	}
	rest, ok := bytes.CutPrefix(buf, []byte(localMagic))
	if !ok {
		return Info{}, 0, corrupt("no header")
	}
	end := bytes.Index(rest, []byte("\n\n"))
	if end < 0 {
		return Info{}, 0, corrupt("header not terminated")
	}
	info := Info{Key: key, ModTime: st.ModTime()}
	for _, line := range strings.Split(string(rest[:end]), "\n") {
		name, val, _ := strings.Cut(line, ": ")
		switch name {
		case "etag":
			info.ETag = val
		case "content-type":
			info.ContentType = val
		}
	}
	if !validETag(info.ETag) || info.ContentType == "" {
		return Info{}, 0, corrupt("etag or content type missing")
	}
	off := int64(len(localMagic) + end + 2)
	info.Size = st.Size() - off
	return info, off, nil
}

// fileBody is the body of a Local object: the file past its header. It
// reads and seeks the file itself, so the file offset always matches the
// body's, and it exposes the file's SyscallConn so that net/http can send
// it with sendfile(2) (which starts at the file offset).
type fileBody struct {
	f         *os.File
	off, size int64 // where the body starts in the file, and its length
	pos       int64 // read position in the body
}

// Read reads the body, never past its end.
func (b *fileBody) Read(p []byte) (int, error) {
	if b.pos >= b.size {
		return 0, io.EOF
	}
	if rest := b.size - b.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.f.Read(p)
	b.pos += int64(n)
	return n, err
}

// Seek moves in the body; offsets are relative to its start.
func (b *fileBody) Seek(offset int64, whence int) (int64, error) {
	abs := offset
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		abs += b.pos
	case io.SeekEnd:
		abs += b.size
	default:
		return b.pos, fmt.Errorf("seek %s: bad whence %d", b.f.Name(), whence)
	}
	if abs < 0 {
		return b.pos, fmt.Errorf("seek %s: negative position %d", b.f.Name(), abs)
	}
	if _, err := b.f.Seek(b.off+abs, io.SeekStart); err != nil {
		return b.pos, err
	}
	b.pos = abs
	return abs, nil
}

// SyscallConn returns the file's raw connection, for sendfile(2).
func (b *fileBody) SyscallConn() (syscall.RawConn, error) { return b.f.SyscallConn() }

// Close closes the file.
func (b *fileBody) Close() error { return b.f.Close() }
