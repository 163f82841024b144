package main

import (
	"bytes"
	"image/jpeg"
	"testing"
)

// TestBombJPEG: the generated bomb is a JPEG that Go's decoder takes, of
// the size it claims (decoded in full only at a small size).
func TestBombJPEG(t *testing.T) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(bombJPEG(10000, 10000, 3)))
	if err != nil || cfg.Width != 10000 || cfg.Height != 10000 {
		t.Fatalf("DecodeConfig = %+v, %v; want 10000x10000", cfg, err)
	}
	for _, scans := range []int{3, 30} {
		img, err := jpeg.Decode(bytes.NewReader(bombJPEG(240, 160, scans)))
		if err != nil {
			t.Fatalf("%d scans: %v", scans, err)
		}
		if b := img.Bounds(); b.Dx() != 240 || b.Dy() != 160 {
			t.Fatalf("%d scans: decoded %v", scans, b)
		}
	}
}

// TestCheckLoopback: the client dials loopback addresses only.
func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": true, "[::1]:8080": true, "127.5.6.7:1": true,
		"10.0.0.1:80": false, "192.168.1.1:443": false, "8.8.8.8:53": false, "localhost:80": false, "[::]:80": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%s) = %v, want allowed %v", addr, err, ok)
		}
	}
}
