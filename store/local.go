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
		return fmt.Errorf("put %s: create folder: %w", key, err)
	}
	tmp, err := os.CreateTemp(folder, ".put-*")
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	header := localMagic + "etag: " + ETag(data) + "\ncontent-type: " + ct + "\n\n"
	if _, err := tmp.WriteString(header); err != nil {
		return fmt.Errorf("put %s: write: %w", key, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("put %s: write: %w", key, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("put %s: fsync: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("put %s: close: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		_ = os.Remove(tmp.Name())
		done = true
		return fmt.Errorf("put %s: %w", key, err)
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
		return nil, Info{}, 0, fmt.Errorf("open %s: %w", key, err)
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
