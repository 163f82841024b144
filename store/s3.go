package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// etagMeta is the user metadata (x-amz-meta-sharecard-etag) that holds the
// ETag computed by Put, so that S3 and Local give the same tag to the same
// bytes. S3's own ETag is an MD5 and differs for multipart uploads.
const etagMeta = "Sharecard-Etag"

// defaultMemLimit is the largest object, in bytes, that Open reads whole
// into memory; see S3.Open.
const defaultMemLimit = 16 << 20

// S3 is a Store in a bucket of S3-compatible object storage. The object
// under key "ab12/og.jpg" is the S3 object "<prefix>/ab12/og.jpg". Put is a
// single PutObject request, which S3 makes visible all at once; it sets
// Content-Type and stores the ETag (see ETag) as user metadata
// "sharecard-etag". An object without that metadata (written by another
// tool) gets S3's own ETag, quoted.
//
// S3 is safe for concurrent use.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ends in "/"
	// memLimit is the largest object Open reads whole into memory.
	memLimit int64
}

// NewS3 connects to the bucket that rawURL ("s3://bucket" or
// "s3://bucket/prefix") names and checks that it exists. The connection comes
// from the standard AWS environment variables:
//
//   - AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL: the endpoint, as
//     "https://host[:port]" or "http://host:port"; buckets are then addressed
//     by path (http://host/bucket/key), as most S3-compatible servers want.
//     Without either, the store talks to AWS S3 over HTTPS.
//   - AWS_REGION, else AWS_DEFAULT_REGION: the region; with an endpoint and
//     no region, "us-east-1".
//   - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (both required), and
//     AWS_SESSION_TOKEN for temporary credentials.
func NewS3(ctx context.Context, rawURL string) (*S3, error) {
	return newS3(ctx, rawURL, os.Getenv)
}

// newS3 is NewS3 with the environment given as a lookup function.
func newS3(ctx context.Context, rawURL string, getenv func(string) string) (*S3, error) {
	bucket, prefix, err := parseS3URL(rawURL)
	if err != nil {
		return nil, err
	}
	// Few retries: during an outage a request should get its 503 in about
	// a second, not after minio's default ten tries.
	opts := &minio.Options{Secure: true, BucketLookup: minio.BucketLookupAuto, MaxRetries: 3}
	endpoint := "s3.amazonaws.com"
	rawEndpoint, endpointVar := getenv("AWS_ENDPOINT_URL_S3"), "AWS_ENDPOINT_URL_S3"
	if rawEndpoint == "" {
		rawEndpoint, endpointVar = getenv("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL"
	}
	if rawEndpoint != "" {
		u, err := url.Parse(rawEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" {
			return nil, fmt.Errorf("s3 store: %s=%q is not an endpoint URL; write http(s)://host[:port] with no path", endpointVar, rawEndpoint)
		}
		endpoint = u.Host
		opts.Secure = u.Scheme == "https"
		opts.BucketLookup = minio.BucketLookupPath
	}
	opts.Region = getenv("AWS_REGION")
	if opts.Region == "" {
		opts.Region = getenv("AWS_DEFAULT_REGION")
	}
	if opts.Region == "" && rawEndpoint != "" {
		opts.Region = "us-east-1"
	}
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return nil, errors.New("s3 store: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)")
	}
	opts.Creds = credentials.NewStaticV4(id, secret, getenv("AWS_SESSION_TOKEN"))
	client, err := minio.New(endpoint, opts)
	if err != nil {
		return nil, fmt.Errorf("s3 store: endpoint %s: %w", endpoint, err)
	}
	ok, err := client.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("s3 store: check bucket %q at %s: %w", bucket, client.EndpointURL(), err)
	}
	if !ok {
		return nil, fmt.Errorf("s3 store: bucket %q does not exist at %s; create it first", bucket, client.EndpointURL())
	}
	return &S3{client: client, bucket: bucket, prefix: prefix, memLimit: defaultMemLimit}, nil
}

// parseS3URL splits "s3://bucket/prefix" into the bucket and a prefix that
// is "" or ends in "/".
func parseS3URL(rawURL string) (bucket, prefix string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", fmt.Errorf("s3 store %q: %w; write s3://bucket/prefix", rawURL, err)
	}
	if u.Scheme != "s3" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", fmt.Errorf("s3 store %q: write s3://bucket or s3://bucket/prefix, with no credentials, port, query or fragment", rawURL)
	}
	if err := s3utils.CheckValidBucketNameStrict(u.Host); err != nil {
		return "", "", fmt.Errorf("s3 store %q: bucket %q: %w", rawURL, u.Host, err)
	}
	p := strings.Trim(u.Path, "/")
	if p != "" {
		for _, seg := range strings.Split(p, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return "", "", fmt.Errorf("s3 store %q: the prefix %q has an empty, '.' or '..' segment", rawURL, p)
			}
		}
		p += "/"
	}
	return u.Host, p, nil
}

// Bucket returns the bucket's name.
func (s *S3) Bucket() string { return s.bucket }

// Prefix returns the prefix put before every key: "" or ending in "/".
func (s *S3) Prefix() string { return s.prefix }

// Put stores data under key in one PutObject request; see Store.Put.
func (s *S3) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	ct, err := normContentType(contentType)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	_, err = s.client.PutObject(ctx, s.bucket, s.prefix+key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType:      ct,
		UserMetadata:     map[string]string{etagMeta: ETag(data)},
		DisableMultipart: true,
	})
	if err != nil {
		return s.wrap("put", key, err)
	}
	return nil
}

// Ping checks that the bucket answers (a HEAD request on it); any failure
// wraps ErrUnavailable.
func (s *S3) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err == nil && !ok {
		err = errors.New("the bucket does not exist")
	}
	if err != nil {
		return fmt.Errorf("s3 store: bucket %s at %s: %w: %w", s.bucket, s.client.EndpointURL(), ErrUnavailable, err)
	}
	return nil
}

// Stat returns the metadata of the object under key (a HEAD request); see
// Store.Stat.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.wrap("stat", key, err)
	}
	return s.info(key, oi), nil
}

// Open returns the object under key; see Store.Open. An object of up to
// 16 MiB is fetched with one GET and read whole into memory, so its body is
// one consistent version even if the key is replaced meanwhile, and seeking
// costs no request. A larger object is streamed: each seek to another
// offset makes a ranged GET pinned with If-Match to the version first seen,
// so a replacement makes reads fail rather than mix two versions.
func (s *S3) Open(ctx context.Context, key string) (*Object, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	name := s.prefix + key
	// One plain GET gives the metadata and the body of the same version.
	body, oi, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.wrap("open", key, err)
	}
	info := s.info(key, oi)
	if oi.Size >= 0 && oi.Size <= s.memLimit {
		buf := make([]byte, oi.Size)
		_, err := io.ReadFull(body, buf)
		_ = body.Close()
		if err != nil {
			return nil, s.wrap("read", key, err)
		}
		return &Object{Info: info, Body: nopCloser{bytes.NewReader(buf)}}, nil
	}
	_ = body.Close()
	var opts minio.GetObjectOptions
	if err := opts.SetMatchETag(oi.ETag); err != nil {
		return nil, s.wrap("open", key, err)
	}
	pinned, err := s.client.GetObject(ctx, s.bucket, name, opts)
	if err != nil {
		return nil, s.wrap("open", key, err)
	}
	return &Object{Info: info, Body: pinned}, nil
}

// info converts minio's object info.
func (s *S3) info(key string, oi minio.ObjectInfo) Info {
	etag := ""
	for k, v := range oi.UserMetadata {
		if strings.EqualFold(k, etagMeta) && validETag(v) {
			etag = v
		}
	}
	if etag == "" {
		etag = `"` + strings.Trim(oi.ETag, `"`) + `"`
	}
	return Info{Key: key, Size: oi.Size, ContentType: oi.ContentType, ETag: etag, ModTime: oi.LastModified}
}

// wrap turns a minio error into one that names the key and wraps
// ErrNotFound when the object is absent. A cancelled or expired context
// stays as it is; any other failure (the endpoint unreachable, a 5xx, a
// missing bucket, refused credentials) wraps ErrUnavailable: the object
// may well exist, so it must not be taken for a miss.
func (s *S3) wrap(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket:
		return fmt.Errorf("%s %s: %w", op, key, ErrNotFound)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s %s in bucket %s: %w", op, key, s.bucket, err)
	}
	return fmt.Errorf("%s %s in bucket %s: %w: %w", op, key, s.bucket, ErrUnavailable, err)
}

// nopCloser gives a bytes.Reader a Close method.
type nopCloser struct{ *bytes.Reader }

// Close does nothing.
func (nopCloser) Close() error { return nil }
