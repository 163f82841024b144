package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/sharecard/sharecard/internal/s3test"
)

func lookup(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestS3(t *testing.T) {
	srv := s3test.Start(t, "sharecard-test")
	ctx := context.Background()
	raw := srv.Client(t)

	// The public entry point, with the real environment variables.
	for _, k := range []string{"AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	for k, v := range srv.Env() {
		t.Setenv(k, v)
	}
	st, err := Open(ctx, "s3://sharecard-test/renders/", "")
	if err != nil {
		t.Fatalf("Open(s3://sharecard-test/renders/): %v", err)
	}
	s, ok := st.(*S3)
	if !ok {
		t.Fatalf("Open(s3://…) gave a %T, want *S3", st)
	}
	if s.Bucket() != "sharecard-test" || s.Prefix() != "renders/" {
		t.Errorf("bucket %q prefix %q, want sharecard-test and renders/", s.Bucket(), s.Prefix())
	}

	testConformance(t, s, "conf", conformance{readers: 20, readLoops: 10, writes: 30})

	t.Run("objects live under the prefix with type and etag metadata", func(t *testing.T) {
		data := []byte("prefixed")
		if err := s.Put(ctx, "p/og.jpg", data, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		oi, err := raw.StatObject(ctx, "sharecard-test", "renders/p/og.jpg", minio.StatObjectOptions{})
		if err != nil {
			t.Fatalf("the object is not at renders/p/og.jpg: %v", err)
		}
		if oi.ContentType != "image/jpeg" || oi.UserMetadata["Sharecard-Etag"] != ETag(data) {
			t.Errorf("S3 object has type %q and metadata %v; want image/jpeg and sharecard-etag %s", oi.ContentType, oi.UserMetadata, ETag(data))
		}
	})

	t.Run("object written by another tool gets S3's etag", func(t *testing.T) {
		data := []byte("written elsewhere")
		if _, err := raw.PutObject(ctx, "sharecard-test", "renders/foreign.txt", bytes.NewReader(data), int64(len(data)),
			minio.PutObjectOptions{ContentType: "text/plain"}); err != nil {
			t.Fatal(err)
		}
		info, err := s.Stat(ctx, "foreign.txt")
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(data)
		if want := `"` + hex.EncodeToString(sum[:]) + `"`; info.ETag != want {
			t.Errorf("ETag %s, want S3's MD5 ETag %s", info.ETag, want)
		}
	})

	t.Run("streamed objects", func(t *testing.T) {
		big := *s
		big.memLimit = 0 // every object takes the streaming path
		testServeContent(t, &big, "stream/og.jpg", payload(10, 50_000))

		key := "stream/pinned.jpg"
		a, b := payload(11, 30_000), payload(12, 30_000)
		if err := big.Put(ctx, key, a, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		obj, err := big.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Body.Close()
		head := make([]byte, 100)
		if _, err := io.ReadFull(obj.Body, head); err != nil || !bytes.Equal(head, a[:100]) {
			t.Fatalf("first 100 bytes: %v", err)
		}
		if err := big.Put(ctx, key, b, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		if _, err := obj.Body.Seek(20_000, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		rest, err := io.ReadAll(obj.Body)
		if err == nil {
			mixed := bytes.Equal(rest, b[20_000:])
			t.Errorf("reading on after the key was replaced succeeded (%d bytes, from the new version: %v); want an error", len(rest), mixed)
		}
	})

	t.Run("NewS3 configuration errors", func(t *testing.T) {
		with := func(changes map[string]string) map[string]string {
			m := srv.Env()
			for k, v := range changes {
				m[k] = v
			}
			return m
		}
		cases := []struct {
			name, url string
			env       map[string]string
			want      string
		}{
			{"missing bucket", "s3://no-such-bucket", srv.Env(), "does not exist"},
			{"wrong secret", "s3://sharecard-test", with(map[string]string{"AWS_SECRET_ACCESS_KEY": "wrong"}), "check bucket"},
			{"no credentials", "s3://sharecard-test", with(map[string]string{"AWS_ACCESS_KEY_ID": ""}), "AWS_ACCESS_KEY_ID"},
			{"endpoint with a path", "s3://sharecard-test", with(map[string]string{"AWS_ENDPOINT_URL": srv.Endpoint + "/x"}), "AWS_ENDPOINT_URL"},
			{"endpoint without scheme", "s3://sharecard-test", with(map[string]string{"AWS_ENDPOINT_URL": "127.0.0.1:9"}), "AWS_ENDPOINT_URL"},
			{"bad bucket name", "s3://Bad_Bucket", srv.Env(), "bucket"},
			{"prefix with ..", "s3://sharecard-test/a/../b", srv.Env(), "'..'"},
			{"port in URL", "s3://sharecard-test:9000/x", srv.Env(), "bucket"},
			{"query in URL", "s3://sharecard-test/x?region=eu", srv.Env(), "query"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := newS3(ctx, tc.url, lookup(tc.env))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("newS3(%q) = %v, want an error mentioning %q", tc.url, err, tc.want)
				}
			})
		}
	})

	t.Run("AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL", func(t *testing.T) {
		env := srv.Env()
		env["AWS_ENDPOINT_URL_S3"] = srv.Endpoint
		env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1" // nothing listens there
		env["AWS_REGION"] = "us-east-1"
		s2, err := newS3(ctx, "s3://sharecard-test", lookup(env))
		if err != nil {
			t.Fatal(err)
		}
		if err := s2.Put(ctx, "unprefixed", []byte("x"), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, "unprefixed"); !errors.Is(err, ErrNotFound) {
			t.Errorf("an object put without prefix is visible under the prefix: %v", err)
		}
	})
}
