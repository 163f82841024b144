package encode

import (
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"image"
	"sync"

	"github.com/sharecard/sharecard/render/preset"
)

// Cache remembers recent encodings by the pixels they were made
// from, so a render that draws a canvas exactly as an earlier one did (a
// layout saved with one variant changed leaves the other variants'
// canvases as they were) reuses the bytes instead of encoding again.
// Encoding is deterministic, so the outputs are the same with or without
// it. It holds at most the bytes it was made for, dropping the least
// recently used encodings first, and is safe for concurrent use.
type Cache struct {
	max int

	mu      sync.Mutex
	size    int
	entries map[cacheKey]*list.Element // of *encodeEntry
	lru     list.List                  // most recently used first
}

// cacheKey is a canvas's pixels and how they are encoded.
type cacheKey struct {
	pixels [sha256.Size]byte
	format preset.Format
	opt    Options
}

type encodeEntry struct {
	key cacheKey
	enc Encoded
}

// NewCache returns a cache holding up to maxBytes bytes of encoded
// images.
func NewCache(maxBytes int) *Cache {
	return &Cache{max: maxBytes, entries: map[cacheKey]*list.Element{}}
}

// get returns the encoding stored under k.
func (c *Cache) get(k cacheKey) (Encoded, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return Encoded{}, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*encodeEntry).enc, true
}

// put stores enc under k, dropping old encodings to stay within the limit.
func (c *Cache) put(k cacheKey, enc Encoded) {
	if len(enc.Data) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok {
		return
	}
	c.entries[k] = c.lru.PushFront(&encodeEntry{k, enc})
	c.size += len(enc.Data)
	for c.size > c.max {
		last := c.lru.Back()
		e := last.Value.(*encodeEntry)
		c.lru.Remove(last)
		delete(c.entries, e.key)
		c.size -= len(e.enc.Data)
	}
}

// pixelSum identifies a canvas by its size and pixels.
func pixelSum(img *image.NRGBA) [sha256.Size]byte {
	h := sha256.New()
	b := img.Bounds()
	var size [16]byte
	binary.LittleEndian.PutUint64(size[:8], uint64(b.Dx()))
	binary.LittleEndian.PutUint64(size[8:], uint64(b.Dy()))
	h.Write(size[:])
	for y := b.Min.Y; y < b.Max.Y; y++ {
		i := img.PixOffset(b.Min.X, y)
		h.Write(img.Pix[i : i+4*b.Dx()])
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// For returns an encoder of the canvas img that gives what [Encode] would
// for each format and options it is asked for, reusing the encodings the
// cache keeps of the same pixels. The canvas is hashed once, on the first
// call, however many encodings it is asked for. A nil Cache's encoder just
// encodes.
func (c *Cache) For(img *image.NRGBA) func(f preset.Format, opt Options) (Encoded, error) {
	if c == nil {
		return func(f preset.Format, opt Options) (Encoded, error) { return Encode(img, f, opt) }
	}
	var (
		sum    [sha256.Size]byte
		hashed bool
	)
	return func(f preset.Format, opt Options) (Encoded, error) {
		if !hashed {
			sum, hashed = pixelSum(img), true
		}
		k := cacheKey{sum, f, opt}
		if enc, ok := c.get(k); ok {
			return enc, nil
		}
		enc, err := Encode(img, f, opt)
		if err == nil {
			c.put(k, enc)
		}
		return enc, err
	}
}
