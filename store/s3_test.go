package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3ServerInstall tells how to get the server the S3 tests run against.
const s3ServerInstall = "install it with `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0` " +
	"(or `bash .ci/s3-server.sh`), or point SHARECARD_S3_SERVER at a versitygw binary"

// findS3Server returns the versitygw binary: $SHARECARD_S3_SERVER, else
// versitygw in PATH, else in $(go env GOPATH)/bin. It fails the test when
// there is none, and skips it only under -short.
func findS3Server(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SHARECARD_S3_SERVER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("SHARECARD_S3_SERVER=%s: %v; %s", p, err, s3ServerInstall)
		}
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "versitygw")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if testing.Short() {
		t.Skip("no versitygw binary for the S3 tests (skipped under -short); " + s3ServerInstall)
	}
	t.Fatal("the S3 tests need the versitygw S3 server, which was not found; " + s3ServerInstall)
	return ""
}

// s3Server is a running versitygw on loopback.
type s3Server struct {
	endpoint       string // http://127.0.0.1:port
	access, secret string
}

// lockedBuffer collects a child process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startS3Server runs versitygw's posix backend on a free loopback port with
// a temporary root folder, creates the given buckets, and stops it when the
// test ends.
func startS3Server(t *testing.T, buckets ...string) s3Server {
	t.Helper()
	bin := findS3Server(t)
	root := t.TempDir() // removed after the server stops (cleanups run last-in first-out)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv := s3Server{endpoint: "http://" + addr, access: "sharecardtest", secret: "sharecard-test-secret"}
	var out lockedBuffer
	cmd := exec.Command(bin, "--port", addr, "--access", srv.access, "--secret", srv.secret,
		"--region", "us-east-1", "--quiet", "posix", root)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("versitygw exited before listening on %s: %v\n%s", addr, err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not listen on %s within 15s:\n%s", addr, out.String())
		}
	}
	c := srv.client(t)
	for _, b := range buckets {
		if err := c.MakeBucket(context.Background(), b, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
			t.Fatalf("create bucket %s: %v\n%s", b, err, out.String())
		}
	}
	return srv
}

// client is a raw minio client for the server, to check what the store wrote.
func (s s3Server) client(t *testing.T) *minio.Client {
	t.Helper()
	c, err := minio.New(strings.TrimPrefix(s.endpoint, "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(s.access, s.secret, ""), Region: "us-east-1", BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// env is the environment NewS3 reads, for this server.
func (s s3Server) env() map[string]string {
	return map[string]string{"AWS_ENDPOINT_URL": s.endpoint, "AWS_ACCESS_KEY_ID": s.access, "AWS_SECRET_ACCESS_KEY": s.secret}
}

func lookup(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestS3(t *testing.T) {
	srv := startS3Server(t, "sharecard-test")
	ctx := context.Background()
	raw := srv.client(t)

	// The public entry point, with the real environment variables.
	for _, k := range []string{"AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	for k, v := range srv.env() {
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
			m := srv.env()
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
			{"missing bucket", "s3://no-such-bucket", srv.env(), "does not exist"},
			{"wrong secret", "s3://sharecard-test", with(map[string]string{"AWS_SECRET_ACCESS_KEY": "wrong"}), "check bucket"},
			{"no credentials", "s3://sharecard-test", with(map[string]string{"AWS_ACCESS_KEY_ID": ""}), "AWS_ACCESS_KEY_ID"},
			{"endpoint with a path", "s3://sharecard-test", with(map[string]string{"AWS_ENDPOINT_URL": srv.endpoint + "/x"}), "AWS_ENDPOINT_URL"},
			{"endpoint without scheme", "s3://sharecard-test", with(map[string]string{"AWS_ENDPOINT_URL": "127.0.0.1:9"}), "AWS_ENDPOINT_URL"},
			{"bad bucket name", "s3://Bad_Bucket", srv.env(), "bucket"},
			{"prefix with ..", "s3://sharecard-test/a/../b", srv.env(), "'..'"},
			{"port in URL", "s3://sharecard-test:9000/x", srv.env(), "bucket"},
			{"query in URL", "s3://sharecard-test/x?region=eu", srv.env(), "query"},
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
		env := srv.env()
		env["AWS_ENDPOINT_URL_S3"] = srv.endpoint
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
