package photo

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"unicode/utf8"
)

// iimInfo is what an IPTC-IIM block said.
type iimInfo struct {
	credit, byline, copyright, caption Field
}

// parseIIM reads the text fields of IPTC-IIM datasets (IPTC-NAA
// Information Interchange Model 4.2): each a tag 0x1C, record, dataset
// number, a 16-bit length (or, with its top bit set, the number of bytes
// of a longer length) and the data. The text is UTF-8 when dataset 1:90
// says so (ESC % G); without it, text that is valid UTF-8 is taken as
// UTF-8 and anything else as Latin-1 (ISO 8859-1), as most writers use
// one of the two.
func parseIIM(b []byte, notes *[]string) iimInfo {
	var x iimInfo
	var credit, copyright, caption []byte
	var bylines [][]byte
	utf8Set := false
	for range maxIIMDatasets {
		if len(b) < 5 || b[0] != 0x1c {
			break
		}
		rec, ds := b[1], b[2]
		n := int(binary.BigEndian.Uint16(b[3:]))
		b = b[5:]
		if n&0x8000 != 0 { // extended dataset: n&0x7fff bytes of length
			k := n & 0x7fff
			if k > 4 || k > len(b) {
				*notes = append(*notes, "IPTC-IIM dataset "+strconv.Itoa(int(rec))+":"+strconv.Itoa(int(ds))+" too long; the rest ignored")
				break
			}
			n = 0
			for _, c := range b[:k] {
				n = n<<8 | int(c)
			}
			b = b[k:]
		}
		if n < 0 || n > len(b) {
			*notes = append(*notes, "IPTC-IIM data truncated; the rest ignored")
			break
		}
		v := b[:n]
		b = b[n:]
		switch {
		case rec == 1 && ds == 90:
			utf8Set = bytes.Equal(v, []byte("\x1b%G"))
		case rec == 2 && ds == 80:
			if len(bylines) < maxListItems {
				bylines = append(bylines, v)
			}
		case rec == 2 && ds == 110:
			credit = first(credit, v)
		case rec == 2 && ds == 116:
			copyright = first(copyright, v)
		case rec == 2 && ds == 120:
			caption = first(caption, v)
		}
	}
	text := func(v []byte) string {
		if utf8Set || utf8.Valid(v) {
			return string(v)
		}
		return latin1(v)
	}
	field := func(v []byte, source string) Field {
		if len(v) == 0 {
			return Field{}
		}
		return Field{Value: text(v), Source: source}
	}
	x.credit = field(credit, "IPTC 2:110")
	x.copyright = field(copyright, "IPTC 2:116")
	x.caption = field(caption, "IPTC 2:120")
	var names []string
	for _, v := range bylines {
		if s := strings.TrimSpace(text(v)); s != "" {
			names = append(names, s)
		}
	}
	if len(names) > 0 {
		x.byline = Field{Value: strings.Join(names, "; "), Source: "IPTC 2:80"}
	}
	return x
}

// first returns have, or v when have is empty.
func first(have, v []byte) []byte {
	if len(have) > 0 {
		return have
	}
	return v
}

// latin1 decodes ISO 8859-1 bytes.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
