// Package s3test starts a real S3-compatible server (versitygw, installed
// by .ci/s3-server.sh) on loopback for tests: the store's S3 tests and the
// end-to-end tests share it.
package s3test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sharecard/sharecard/internal/syncbuf"
)

// Region is the region the server runs in.
const Region = "us-east-1"

// install tells how to get the server.
const install = "install it with `bash .ci/s3-server.sh` (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0), " +
	"or point SHARECARD_S3_SERVER at a versitygw binary"

// Server is a running versitygw on loopback.
type Server struct {
	Endpoint       string // http://127.0.0.1:port
	Access, Secret string
	proc           *process
}

// process is the versitygw process of a Server, which Stop and Restart
// replace.
type process struct {
	bin, root, addr string
	out             syncbuf.Buffer
	cmd             *exec.Cmd
	exited          chan error
}

// Binary returns the versitygw binary: $SHARECARD_S3_SERVER, else
// versitygw in PATH, else in $(go env GOPATH)/bin. It fails the test when
// there is none, and skips it only under -short.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SHARECARD_S3_SERVER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("SHARECARD_S3_SERVER=%s: %v; %s", p, err, install)
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
		t.Skip("no versitygw binary for the S3 tests (skipped under -short); " + install)
	}
	t.Fatal("the S3 tests need the versitygw S3 server, which was not found; " + install)
	return ""
}

// Start runs versitygw's posix backend on a free loopback port over a
// temporary folder, creates the buckets, and stops it when the test ends.
func Start(t testing.TB, buckets ...string) Server {
	t.Helper()
	bin := Binary(t)
	root := t.TempDir() // removed after the server stops (cleanups run last-in first-out)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv := Server{Endpoint: "http://" + addr, Access: "sharecardtest", Secret: "sharecard-test-secret",
		proc: &process{bin: bin, root: root, addr: addr}}
	srv.launch(t)
	t.Cleanup(func() {
		srv.Stop(t)
		if t.Failed() {
			t.Logf("versitygw output:\n%s", srv.proc.out.String())
		}
	})
	c := srv.Client(t)
	for _, b := range buckets {
		if err := c.MakeBucket(context.Background(), b, minio.MakeBucketOptions{Region: Region}); err != nil {
			t.Fatalf("create bucket %s: %v\n%s", b, err, srv.proc.out.String())
		}
	}
	return srv
}

// launch starts the process and waits until it listens.
func (s Server) launch(t testing.TB) {
	t.Helper()
	p := s.proc
	cmd := exec.Command(p.bin, "--port", p.addr, "--access", s.Access, "--secret", s.Secret,
		"--region", Region, "--quiet", "posix", p.root)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VGW_") { // its own settings would override the flags
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = &p.out, &p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	p.cmd, p.exited = cmd, exited
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("versitygw exited before listening on %s: %v\n%s", p.addr, err, p.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not listen on %s within 30 s:\n%s", p.addr, p.out.String())
		}
	}
}

// Stop stops the server (an outage); Restart starts it again on the same
// port and folder. Stopping a stopped server does nothing.
func (s Server) Stop(t testing.TB) {
	t.Helper()
	p := s.proc
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd = nil
}

// Restart starts a stopped server again, with the objects it had.
func (s Server) Restart(t testing.TB) {
	t.Helper()
	if s.proc.cmd != nil {
		t.Fatal("s3test: Restart of a server that runs")
	}
	s.launch(t)
}

// Client is a raw S3 client for the server, to check what was written.
func (s Server) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(strings.TrimPrefix(s.Endpoint, "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(s.Access, s.Secret, ""), Region: Region, BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Env is the standard AWS environment that points a client at the server.
func (s Server) Env() map[string]string {
	return map[string]string{"AWS_ENDPOINT_URL": s.Endpoint, "AWS_ACCESS_KEY_ID": s.Access, "AWS_SECRET_ACCESS_KEY": s.Secret}
}
