package encode

import (
	"bytes"
	"context"
	"sharecard/render"
	"sharecard/render/preset"
	"testing"
)

// TestRender_EncodeCache renders a job with a cache twice and expects the
// bytes of a render without one, the second time reused, not re-encoded.
func TestRender_EncodeCache(t *testing.T) {
	eng, lays := render.TestEngine(t)
	job := render.Job{Article: render.TestHeadlines["short"], Layout: lays["standard"], Presets: render.PresetsByID(t, "og", "x-summary", "thumb-square")}
	want, err := eng.Render(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	job.Encodings = NewCache(64 << 20)
	for round := range 2 {
		res, err := eng.Render(context.Background(), job)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range res.Outputs {
			if !bytes.Equal(o.Data, want.Outputs[i].Data) {
				t.Errorf("round %d, %s: bytes differ from a render without the cache", round, o.Preset.ID)
			}
		}
		if round == 0 {
			want = res // the second round must hand out the very same bytes
			continue
		}
		for i, o := range res.Outputs {
			if &o.Data[0] != &want.Outputs[i].Data[0] {
				t.Errorf("%s: encoded again instead of reused", o.Preset.ID)
			}
		}
	}
}

// TestEncodeCache_Limit checks that the cache stays within its size,
// dropping the least recently used encodings.
func TestEncodeCache_Limit(t *testing.T) {
	c := NewCache(250)
	key := func(n byte) EncodeKey { return EncodeKey{pixels: [32]byte{n}, format: preset.FormatJPEG} }
	enc := func(n int) Encoded { return Encoded{Data: make([]byte, n), Format: preset.FormatJPEG} }
	c.Put(key(1), enc(100))
	c.Put(key(2), enc(100))
	c.Get(key(1)) // 2 is now the least recently used
	c.Put(key(3), enc(100))
	c.Put(key(4), enc(300)) // larger than the whole cache: not kept
	tests := []struct {
		key  byte
		kept bool
	}{{1, true}, {2, false}, {3, true}, {4, false}}
	for _, tc := range tests {
		if _, ok := c.Get(key(tc.key)); ok != tc.kept {
			t.Errorf("encoding %d kept = %v, want %v", tc.key, ok, tc.kept)
		}
	}
	if c.size > 250 {
		t.Errorf("cache holds %d bytes, limit 250", c.size)
	}
}
