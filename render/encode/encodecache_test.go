package encode

import (
	"bytes"
	"testing"

	"github.com/sharecard/sharecard/render/preset"
)

// TestCache_Reuses encodes the same pixels twice through a cache and
// expects the bytes Encode gives, the second time the very same slice;
// other pixels or another byte limit are encoded anew.
func TestCache_Reuses(t *testing.T) {
	img := noisyImage(120, 63)
	want, err := Encode(img, preset.FormatJPEG, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(1 << 20)
	first, err := c.For(img)(preset.FormatJPEG, Options{})
	if err != nil {
		t.Fatal(err)
	}
	same := noisyImage(120, 63) // equal pixels in another image
	second, err := c.For(same)(preset.FormatJPEG, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Data, want.Data) || !bytes.Equal(second.Data, want.Data) {
		t.Fatal("cached encodings differ from Encode's")
	}
	if &second.Data[0] != &first.Data[0] {
		t.Error("the same pixels were encoded again instead of reused")
	}
	same.Pix[0]++
	other, err := c.For(same)(preset.FormatJPEG, Options{})
	if err != nil {
		t.Fatal(err)
	}
	limited, err := c.For(img)(preset.FormatJPEG, Options{MaxBytes: len(want.Data) - 1})
	if err != nil {
		t.Fatal(err)
	}
	progressive, err := c.For(img)(preset.FormatJPEG, Options{Progressive: true})
	if err != nil {
		t.Fatal(err)
	}
	full, err := c.For(img)(preset.FormatJPEG, Options{Chroma444: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []Encoded{other, limited, progressive, full} {
		if &e.Data[0] == &first.Data[0] {
			t.Error("other pixels, another byte limit or another JPEG mode got the cached encoding")
		}
	}
	if bytes.Equal(progressive.Data, first.Data) || bytes.Equal(full.Data, first.Data) {
		t.Error("the Progressive or Chroma444 option made no difference")
	}
	var none *Cache
	if e, err := none.For(img)(preset.FormatJPEG, Options{}); err != nil || !bytes.Equal(e.Data, want.Data) {
		t.Errorf("a nil cache: %v, bytes equal %v", err, bytes.Equal(e.Data, want.Data))
	}
}

// TestEncodeCache_Limit checks that the cache stays within its size,
// dropping the least recently used encodings.
func TestEncodeCache_Limit(t *testing.T) {
	c := NewCache(250)
	key := func(n byte) cacheKey { return cacheKey{pixels: [32]byte{n}, format: preset.FormatJPEG} }
	enc := func(n int) Encoded { return Encoded{Data: make([]byte, n), Format: preset.FormatJPEG} }
	c.put(key(1), enc(100))
	c.put(key(2), enc(100))
	c.get(key(1)) // 2 is now the least recently used
	c.put(key(3), enc(100))
	c.put(key(4), enc(300)) // larger than the whole cache: not kept
	tests := []struct {
		key  byte
		kept bool
	}{{1, true}, {2, false}, {3, true}, {4, false}}
	for _, tc := range tests {
		if _, ok := c.get(key(tc.key)); ok != tc.kept {
			t.Errorf("encoding %d kept = %v, want %v", tc.key, ok, tc.kept)
		}
	}
	if c.size > 250 {
		t.Errorf("cache holds %d bytes, limit 250", c.size)
	}
}
