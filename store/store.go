// Package store keeps the rendered images and manifests that sharecard serves.
//
// A Store holds immutable objects under content-address keys chosen by the
// caller. Two implementations exist: Local, a folder on disk (the default),
// and S3, a bucket on any S3-compatible object storage. Both return the same
// strong ETag for the same bytes (see ETag), so a CDN in front of several
// replicas, or a move from one store to the other, keeps its validators.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotFound is returned (wrapped) by Open and Stat when no object is stored
// under the key. A server maps it to 404.
var ErrNotFound = errors.New("object not found")

// ErrBadKey is returned (wrapped) by every method when a key breaks the rules
// of ValidKey. A server maps it to 400 when the key comes from a request.
var ErrBadKey = errors.New("bad object key")

// ErrUnavailable is returned (wrapped) when the store cannot be reached or
// answers with a server error: the object may well exist. A server maps it
// to 503 with Retry-After and reports not ready; it never treats it as a
// miss.
var ErrUnavailable = errors.New("store unavailable")

// ErrNoSpace is returned (wrapped) by Put when the store's disk or quota is
// full. A server maps it to 507 and reports not ready.
var ErrNoSpace = errors.New("store has no space left")

// MaxKeyLen is the longest key accepted, in bytes.
const MaxKeyLen = 512

// Store keeps immutable objects by key. Implementations are safe for
// concurrent use by multiple goroutines.
type Store interface {
	// Put stores data under key atomically: a reader sees the whole object or
	// nothing, never a part. Putting a key again replaces the object whole.
	// An empty contentType is stored as "application/octet-stream".
	Put(ctx context.Context, key string, data []byte, contentType string) error
	// Open returns the object for reading; errors.Is(err, ErrNotFound) when
	// it is absent. The caller must Close the Body.
	Open(ctx context.Context, key string) (*Object, error)
	// Stat returns the object's metadata without its body;
	// errors.Is(err, ErrNotFound) when it is absent.
	Stat(ctx context.Context, key string) (Info, error)
}

// Pinger is a Store that can check cheaply that it works; both Local and
// S3 are Pingers. Ping returns nil when the store can take new objects, or
// an error wrapping ErrUnavailable or ErrNoSpace. A server's readiness
// check calls it; callers bound it with ctx and should not call it for
// every request.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Info describes a stored object.
type Info struct {
	// Key is the key the object is stored under.
	Key string
	// Size is the length of the object's body in bytes.
	Size int64
	// ContentType is the media type given to Put.
	ContentType string
	// ETag is a strong entity tag with its quotes, derived from the bytes
	// alone (see ETag), ready for an ETag response header.
	ETag string
	// ModTime is when the object was last stored.
	ModTime time.Time
}

// Object is a stored object opened for reading. Body is seekable so that
// http.ServeContent can answer Range requests from it; it is not safe for
// concurrent use, and the caller must Close it.
type Object struct {
	Info
	// Body reads the object's bytes, Size of them.
	Body io.ReadSeekCloser
}

// ETag returns the strong entity tag that both stores give to data: the first
// 128 bits of its SHA-256 in lower-case hex, in double quotes, e.g.
// "\"3f9a…\"" (34 characters with the quotes).
func ETag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// validETag reports whether s has the shape ETag produces.
func validETag(s string) bool {
	if len(s) != 34 || s[0] != '"' || s[33] != '"' {
		return false
	}
	for _, c := range []byte(s[1:33]) {
		if !isHexLower(c) {
			return false
		}
	}
	return true
}

func isHexLower(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// ValidKey checks a key and returns an error wrapping ErrBadKey when it is
// not acceptable. A key is at most MaxKeyLen bytes of segments joined by "/";
// each segment is lower-case letters, digits, dots and hyphens and starts with
// a letter or a digit. So "3f9ac2/og.jpg" is a key, while "", "/a", "a/",
// "a//b", "../a", ".hidden" and "A.jpg" are not.
func ValidKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: the key is empty", ErrBadKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: key is %d bytes long, the limit is %d", ErrBadKey, len(key), MaxKeyLen)
	}
	for i, seg := range strings.Split(key, "/") {
		if seg == "" {
			return fmt.Errorf("%w: %q has an empty path segment (leading, trailing or double slash)", ErrBadKey, key)
		}
		if c := seg[0]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return fmt.Errorf("%w: %q: segment %d %q must start with a lower-case letter or a digit", ErrBadKey, key, i+1, seg)
		}
		for _, c := range []byte(seg) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
				return fmt.Errorf("%w: %q contains %q; use lower-case letters, digits, '.', '-' and '/'", ErrBadKey, key, c)
			}
		}
	}
	return nil
}

// normContentType checks a media type for Put and fills in the default.
func normContentType(ct string) (string, error) {
	if ct == "" {
		return "application/octet-stream", nil
	}
	if len(ct) > 255 {
		return "", fmt.Errorf("content type is %d bytes long, the limit is 255", len(ct))
	}
	for _, c := range []byte(ct) {
		if c < 0x20 || c > 0x7e {
			return "", fmt.Errorf("content type %q contains a control or non-ASCII byte", ct)
		}
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		return "", fmt.Errorf("content type %q: %w", ct, err)
	}
	return ct, nil
}

// Open makes the store that spec names:
//
//   - "" is a Local store in the folder "images" under dataDir;
//   - "file:///abs/dir" or a plain path ("data/img", "/srv/img") is a Local
//     store in that folder, created if missing;
//   - "s3://bucket/prefix" is an S3 store (see NewS3 for its environment).
//
// Any other scheme is an error that lists these forms.
func Open(ctx context.Context, spec, dataDir string) (Store, error) {
	switch {
	case spec == "":
		return NewLocal(filepath.Join(dataDir, "images"))
	case strings.HasPrefix(spec, "s3://"):
		return NewS3(ctx, spec)
	case strings.HasPrefix(spec, "file:"):
		u, err := url.Parse(spec)
		if err != nil {
			return nil, fmt.Errorf("store %q: %w; write file:///absolute/dir", spec, err)
		}
		if u.Host != "" && u.Host != "localhost" || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
			return nil, fmt.Errorf("store %q: a file URL needs an absolute path, as in file:///srv/sharecard/images", spec)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("store %q: a file URL takes no query or fragment", spec)
		}
		return NewLocal(filepath.FromSlash(u.Path))
	case strings.Contains(spec, "://"):
		scheme, _, _ := strings.Cut(spec, "://")
		return nil, fmt.Errorf("store %q: unsupported scheme %q; use a directory path, file:///abs/dir or s3://bucket/prefix", spec, scheme)
	default:
		return NewLocal(spec)
	}
}
