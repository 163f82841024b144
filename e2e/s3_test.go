package e2e

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

const versitygwHint = "run `bash .ci/s3-server.sh` (installs versitygw into $(go env GOPATH)/bin) or set SHARECARD_S3_SERVER to a versitygw binary"

// versitygw finds the S3 server binary: $SHARECARD_S3_SERVER, PATH, then
// $(go env GOPATH)/bin.
func versitygw(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SHARECARD_S3_SERVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			if p := filepath.Join(dir, "bin", "versitygw"); fileExists(p) {
				return p
			}
		}
	}
	t.Fatal("the S3 test needs versitygw, which was not found; " + versitygwHint)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// startS3 runs versitygw on a free loopback port over a temporary folder
// and returns its endpoint URL; it stops when the test ends.
func startS3(t *testing.T, access, secret string) string {
	t.Helper()
	bin := versitygw(t)
	root := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	logs := &lockedBuffer{}
	cmd := exec.Command(bin, "--port", addr, "--access", access, "--secret", secret, "--region", "us-east-1", "--quiet", "posix", root)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VGW_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("versitygw output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case <-done:
			t.Fatalf("versitygw exited before listening on %s:\n%s", addr, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not listen on %s within 30 s:\n%s", addr, logs.String())
		}
	}
}

// TestS3 runs the server with an S3 store on a real S3 server (versitygw
// on loopback), renders, and checks the image it serves is the object in
// the bucket.
func TestS3(t *testing.T) {
	skipSlow(t)
	const access, secret, bucket = "e2eaccess", "e2e-secret-key", "cards"
	endpoint := startS3(t, access, secret)
	s3c, err := minio.New(strings.TrimPrefix(endpoint, "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(access, secret, ""), Region: "us-east-1", BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s3c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	srv := startServe(t, "s3", map[string]string{
		"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1",
	}, "--data", t.TempDir(), "--store", "s3://"+bucket+"/renders")

	ctype, body := multipartBody(t, "headline: Stored in S3\nsection: E2E\n", readFile(t, smallPhoto))
	m := manifest(t, do(t, http.MethodPost, srv.url+"/v1/render?presets=og,thumb-square", ctype, body))
	checkImages(t, srv.url, m)
	for _, img := range m.Images {
		served := get(t, srv.url+img.URL)
		key := "renders/" + strings.TrimPrefix(img.URL, "/v1/images/")
		obj, err := s3c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatalf("get %s from the bucket: %v", key, err)
		}
		stored, err := io.ReadAll(obj)
		obj.Close()
		if err != nil {
			t.Fatalf("object %s/%s is not in the bucket: %v", bucket, key, err)
		}
		if served.status != http.StatusOK || !bytes.Equal(served.body, stored) {
			t.Errorf("%s: served %d with %d bytes; the bucket's %s holds %d other bytes", img.URL, served.status, len(served.body), key, len(stored))
		}
	}
	// The manifest is stored last, next to the images.
	manifestKey := "renders/" + strings.TrimSuffix(strings.TrimPrefix(m.Images[0].URL, "/v1/images/"), m.Images[0].File) + "manifest.json"
	if _, err := s3c.StatObject(ctx, bucket, manifestKey, minio.StatObjectOptions{}); err != nil {
		t.Errorf("no manifest at %s in the bucket: %v", manifestKey, err)
	}
	// Rendering the same again is a hit in the S3 store.
	renders := srv.renders(t)
	again := manifest(t, do(t, http.MethodPost, srv.url+"/v1/render?presets=og,thumb-square", ctype, body))
	if now := srv.renders(t); now != renders || again.Images[0].SHA256 != m.Images[0].SHA256 {
		t.Errorf("second render of the same upload: renders %v -> %v, sha256 %s -> %s", renders, now, m.Images[0].SHA256, again.Images[0].SHA256)
	}
}
