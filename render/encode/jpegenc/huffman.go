package jpegenc

// huffSpec is a Huffman table as DHT stores it: counts[i] codes of length
// i+1, then the symbols in order of code length.
type huffSpec struct {
	counts [16]uint8
	vals   []uint8
}

// huffCode is a table ready for encoding: the code and its length per
// symbol.
type huffCode struct {
	code [256]uint16
	size [256]uint8
}

// optimalSpec builds a length-limited (16-bit) Huffman table for the
// symbol counts freq, following the procedure of ITU T.81 Annex K.2: a
// reserved symbol with count 1 keeps any code from being all ones; code
// lengths over 16 are then folded back, and the reserved code removed.
func optimalSpec(freq *[256]int64) huffSpec {
	var f [257]int64
	copy(f[:], freq[:])
	f[256] = 1
	var size [257]int
	var next [257]int
	for i := range next {
		next[i] = -1
	}
	for {
		// The two least frequent live entries; on a tie the higher
		// symbol is taken, which makes the result independent of order.
		a, b := -1, -1
		for i := range f {
			if f[i] == 0 {
				continue
			}
			switch {
			case a < 0 || f[i] <= f[a]:
				a, b = i, a
			case b < 0 || f[i] <= f[b]:
				b = i
			}
		}
		if b < 0 {
			break
		}
		f[a] += f[b]
		f[b] = 0
		// Every symbol in both chains gets one bit longer; then chain
		// b's list after a's.
		i := a
		size[i]++
		for next[i] >= 0 {
			i = next[i]
			size[i]++
		}
		next[i] = b
		for j := b; j >= 0; j = next[j] {
			size[j]++
		}
	}
	var bits [258]int
	maxLen := 0
	for _, s := range size {
		if s > 0 {
			bits[s]++
			maxLen = max(maxLen, s)
		}
	}
	// Fold lengths above 16: two codes of length i leave, a prefix of
	// length i-1 takes one of them, and a code of a shorter length j is
	// split in two at j+1.
	for i := maxLen; i > 16; i-- {
		for bits[i] > 0 {
			j := i - 2
			for bits[j] == 0 {
				j--
			}
			bits[i] -= 2
			bits[i-1]++
			bits[j+1] += 2
			bits[j]--
		}
	}
	// Drop the reserved symbol's code, one of the longest.
	for i := 16; i > 0; i-- {
		if bits[i] > 0 {
			bits[i]--
			break
		}
	}
	var spec huffSpec
	for i := range 16 {
		spec.counts[i] = uint8(bits[i+1])
	}
	// Symbols by code length, then value. The lengths in size may differ
	// from the folded ones, but the order (shorter first) is kept, and
	// the folded counts say where each length starts.
	for l := 1; l <= maxLen; l++ {
		for v := range 256 {
			if size[v] == l {
				spec.vals = append(spec.vals, uint8(v))
			}
		}
	}
	return spec
}

// codes assigns the canonical codes of ITU T.81 Annex C to spec.
func (s *huffSpec) codes() *huffCode {
	var h huffCode
	code, k := uint16(0), 0
	for l := range 16 {
		for range s.counts[l] {
			v := s.vals[k]
			h.code[v], h.size[v] = code, uint8(l+1)
			code++
			k++
		}
		code <<= 1
	}
	return &h
}
