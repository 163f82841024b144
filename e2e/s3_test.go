package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/sharecard/sharecard/internal/s3test"
)

// TestS3 runs the server with an S3 store on a real S3 server (versitygw
// on loopback), renders, and checks the image it serves is the object in
// the bucket.
func TestS3(t *testing.T) {
	skipSlow(t)
	const bucket = "cards"
	s3srv := s3test.Start(t, bucket)
	s3c := s3srv.Client(t)
	ctx := context.Background()
	env := s3srv.Env()
	env["AWS_REGION"] = s3test.Region
	srv := startServe(t, "s3", env, "--data", t.TempDir(), "--store", "s3://"+bucket+"/renders")

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
