package photo

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// MaxJPEGScans is the most scans a JPEG may have. Every scan makes the
// decoder visit every block of its components again, however little data
// the scan holds, so a file of a few kilobytes can repeat scans for
// minutes. Encoders' progressive scripts use 10 scans for colour (libjpeg,
// libjpeg-turbo, ImageMagick), 6 for grey, and mozjpeg or Photoshop about
// 20 at most; a baseline JPEG has one scan, or one per component. 100 is
// five times what any of them writes and still bounds the work.
const MaxJPEGScans = 100

// ErrScanScript means a JPEG's scans are not a script a decoder should
// run: more than [MaxJPEGScans] of them, a band of coefficients sent again,
// a refinement that does not follow the bits already sent, or bounds out
// of range (ITU-T T.81 G.1.1.1). Such files come from broken or hostile
// encoders only; re-exporting the photo fixes it. It wraps
// [ErrCorruptPhoto], so errors.Is(err, ErrCorruptPhoto) holds as well.
var ErrScanScript = fmt.Errorf("%w: unsafe JPEG scan script", ErrCorruptPhoto)

// reexport is the advice every scan-script error ends with.
const reexport = "re-export the photo as a baseline JPEG"

// jpegHeader is what the marker walk of a JPEG found.
type jpegHeader struct {
	width, height int
	progressive   bool
	comps         []jpegComponent
	scans         int
	jfif          bool // an APP0 JFIF segment: three components are YCbCr
	adobe         bool // an APP14 Adobe segment, with transform below
	transform     byte
	// The metadata, read from the segments before the first scan up to
	// any stray bytes between segments (decoding applies it).
	orientation int      // EXIF orientation 1-8, 0 if none
	iccs        [][]byte // APP2 ICC profile chunks, at most maxICCChunks
	metaEnd     bool     // past the metadata segments
}

// maxICCChunks bounds the ICC chunks kept: a chunk's sequence number and
// count are bytes, so more than 255 chunks are inconsistent however many
// there are, and keeping 256 gives the same verdict.
const maxICCChunks = 256

// jpegComponent is one colour component of a JPEG frame.
type jpegComponent struct {
	id   byte
	h, v int // sampling factors, as Go's decoder uses them (1, 1 for grey)
}

// scanJPEG walks the markers of a whole JPEG file, as Go's decoder will
// meet them, without decoding any pixel: it reads the frame header, checks
// the scan script (see [ErrScanScript]) and skips each scan's entropy-coded
// data by looking for the next marker. It allocates a fixed amount,
// whatever the file claims. Errors wrap ErrCorruptPhoto (ErrScanScript for
// the scan script) or ErrUnsupportedFormat, and say where and what.
func scanJPEG(data []byte) (*jpegHeader, error) {
	if len(data) < 2 || data[0] != 0xff || data[1] != 0xd8 {
		return nil, fmt.Errorf("%w: no JPEG start-of-image marker", ErrCorruptPhoto)
	}
	h := &jpegHeader{}
	var sc scanChecker
	i := 2
	for {
		at, marker, ok := jpegMarker(data, i)
		if !ok {
			return nil, truncated(h, len(data))
		}
		if len(bytes.TrimLeft(data[i:at], "\xff")) > 0 {
			h.metaEnd = true // stray bytes: the metadata is what came before them
		}
		i = at + 2
		switch {
		case marker == 0xd9: // EOI
			if h.scans == 0 {
				return nil, fmt.Errorf("%w: the JPEG has no image data (no scan before its end-of-image marker); re-export the photo", ErrCorruptPhoto)
			}
			return h, nil
		case marker >= 0xd0 && marker <= 0xd7: // a stray RST: Go's decoder ignores it
			continue
		}
		if i+2 > len(data) {
			return nil, truncated(h, len(data))
		}
		n := int(binary.BigEndian.Uint16(data[i:]))
		if n < 2 {
			return nil, fmt.Errorf("%w: JPEG marker 0x%02X at byte %d has a length of %d", ErrCorruptPhoto, marker, at, n)
		}
		if i+n > len(data) {
			return nil, truncated(h, len(data))
		}
		seg := data[i+2 : i+n]
		i += n
		var err error
		switch {
		case marker == 0xc0 || marker == 0xc1 || marker == 0xc2: // SOF0-2: baseline, extended, progressive
			err = h.readFrame(marker, seg, at)
		case marker == 0xc3 || marker >= 0xc5 && marker <= 0xc7 || marker >= 0xc9 && marker <= 0xcb || marker >= 0xcd && marker <= 0xcf:
			err = fmt.Errorf("%w: %s JPEG (frame marker 0x%02X), which is rarely used and not supported; %s",
				ErrUnsupportedFormat, jpegProcess(marker), marker, reexport)
		case marker == 0xda: // SOS
			h.metaEnd = true
			if err = h.readScan(&sc, seg, at); err != nil {
				return nil, err
			}
			end, ok := entropyEnd(data, i)
			if !ok {
				return nil, truncated(h, len(data))
			}
			i = end
		case marker == 0xe0 && bytes.HasPrefix(seg, []byte("JFIF\x00")):
			h.jfif = true
		case marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
			if !h.metaEnd && h.orientation == 0 {
				h.orientation = exifOrientation(seg[6:])
			}
		case marker == 0xe2 && len(seg) >= 14 && bytes.HasPrefix(seg, []byte("ICC_PROFILE\x00")):
			if !h.metaEnd && len(h.iccs) < maxICCChunks {
				h.iccs = append(h.iccs, seg[12:])
			}
		case marker == 0xee && len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")):
			h.adobe, h.transform = true, seg[11]
		case marker == 0xc4, marker == 0xdb, marker == 0xdd, marker >= 0xe0 && marker <= 0xef, marker == 0xfe:
			// DHT, DQT, DRI, APPn, COM: the decoder checks their contents.
		default:
			err = fmt.Errorf("%w: unknown JPEG marker 0x%02X at byte %d; re-export the photo", ErrCorruptPhoto, marker, at)
		}
		if err != nil {
			return nil, err
		}
	}
}

// jpegMarker finds the next marker at or after i as Go's decoder does:
// bytes before an 0xFF are skipped, "FF 00" is skipped as stray data, and
// fill bytes (0xFF) before a marker are allowed. It returns the offset of
// the marker's last 0xFF and its code; ok is false at the end of data.
func jpegMarker(data []byte, i int) (at int, marker byte, ok bool) {
	for {
		k := bytes.IndexByte(data[min(i, len(data)):], 0xff)
		if k < 0 {
			return 0, 0, false
		}
		at = i + k
		for at+1 < len(data) && data[at+1] == 0xff {
			at++
		}
		if at+1 >= len(data) {
			return 0, 0, false
		}
		if data[at+1] == 0 {
			i = at + 2
			continue
		}
		return at, data[at+1], true
	}
}

// entropyEnd returns the offset of the marker that ends the entropy-coded
// data starting at i: the first 0xFF followed by a byte other than 0x00
// (a stuffed 0xFF), 0xD0-0xD7 (a restart marker) or 0xFF (fill). Go's
// decoder never reads past such a marker inside a scan, so the scans seen
// here are the scans it decodes.
func entropyEnd(data []byte, i int) (int, bool) {
	for {
		k := bytes.IndexByte(data[min(i, len(data)):], 0xff)
		if k < 0 {
			return 0, false
		}
		at := i + k
		if at+1 >= len(data) {
			return 0, false
		}
		switch b := data[at+1]; {
		case b == 0x00, b >= 0xd0 && b <= 0xd7:
			i = at + 2
		case b == 0xff:
			i = at + 1
		default:
			return at, true
		}
	}
}

// truncated is the error for a JPEG that ends before its end-of-image
// marker.
func truncated(h *jpegHeader, size int) error {
	where := "before its first scan"
	if h.scans > 0 {
		where = fmt.Sprintf("in or after scan %d", h.scans)
	}
	return fmt.Errorf("%w: the JPEG ends early, after %d bytes, %s (no end-of-image marker); the upload or download was cut short: send the whole file again",
		ErrCorruptPhoto, size, where)
}

// jpegProcess names the coding process of an unsupported frame marker.
func jpegProcess(marker byte) string {
	switch {
	case marker == 0xc3 || marker == 0xc7 || marker == 0xcb || marker == 0xcf:
		return "a lossless"
	case marker >= 0xc9:
		return "an arithmetic-coded"
	}
	return "a hierarchical"
}

// readFrame reads a SOF0, SOF1 or SOF2 frame header, refusing what Go's
// decoder refuses with a clearer message.
func (h *jpegHeader) readFrame(marker byte, seg []byte, at int) error {
	if h.comps != nil {
		return fmt.Errorf("%w: a second JPEG frame header at byte %d; re-export the photo", ErrCorruptPhoto, at)
	}
	if len(seg) < 6 {
		return fmt.Errorf("%w: the JPEG frame header at byte %d is %d bytes long", ErrCorruptPhoto, at, len(seg))
	}
	if seg[0] != 8 {
		return fmt.Errorf("%w: a %d-bit JPEG; only 8-bit JPEGs are read: export it with 8 bits per channel", ErrUnsupportedFormat, seg[0])
	}
	h.height = int(binary.BigEndian.Uint16(seg[1:]))
	h.width = int(binary.BigEndian.Uint16(seg[3:]))
	h.progressive = marker == 0xc2
	nc := int(seg[5])
	if nc != 1 && nc != 3 && nc != 4 {
		return fmt.Errorf("%w: a JPEG with %d colour components; only grey (1), colour (3) and CMYK (4) are read", ErrUnsupportedFormat, nc)
	}
	if len(seg) != 6+3*nc {
		return fmt.Errorf("%w: the JPEG frame header at byte %d is %d bytes long for %d components", ErrCorruptPhoto, at, len(seg), nc)
	}
	if h.height == 0 {
		return fmt.Errorf("%w: the JPEG header gives a height of 0 (set later by a DNL marker), which is not supported; %s", ErrUnsupportedFormat, reexport)
	}
	if h.width == 0 {
		return fmt.Errorf("%w: the JPEG header gives a width of 0", ErrCorruptPhoto)
	}
	comps := make([]jpegComponent, nc)
	for k := range comps {
		c := &comps[k]
		c.id = seg[6+3*k]
		c.h, c.v = int(seg[7+3*k]>>4), int(seg[7+3*k]&0x0f)
		for _, o := range comps[:k] {
			if o.id == c.id {
				return fmt.Errorf("%w: JPEG component id %d is used twice", ErrCorruptPhoto, c.id)
			}
		}
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return fmt.Errorf("%w: JPEG component %d has sampling factors %d×%d", ErrCorruptPhoto, k+1, c.h, c.v)
		}
		if nc == 1 {
			c.h, c.v = 1, 1 // a single component is never interleaved (T.81 A.2)
		}
	}
	if !supportedSampling(comps) {
		f := make([]string, nc)
		for k, c := range comps {
			f[k] = fmt.Sprintf("%dx%d", c.h, c.v)
		}
		return fmt.Errorf("%w: JPEG chroma subsampling %v is not supported; export it with 4:4:4, 4:2:2 or 4:2:0", ErrUnsupportedFormat, f)
	}
	h.comps = comps
	return nil
}

// supportedSampling reports whether Go's decoder reads these sampling
// factors: for colour, 4:4:4, 4:4:0, 4:2:2, 4:2:0, 4:1:1 or 4:1:0 with
// equal chroma; for four components, 1111 or 2112 in its terms.
func supportedSampling(c []jpegComponent) bool {
	for _, k := range c {
		if k.h == 3 || k.v == 3 {
			return false
		}
	}
	switch len(c) {
	case 3:
		return c[0].v != 4 && c[0].h%c[1].h == 0 && c[0].v%c[1].v == 0 && c[1] == (jpegComponent{c[1].id, c[2].h, c[2].v})
	case 4:
		hv := func(k jpegComponent) int { return k.h<<4 | k.v }
		return (hv(c[0]) == 0x11 || hv(c[0]) == 0x22) && hv(c[1]) == 0x11 && hv(c[2]) == 0x11 && hv(c[3]) == hv(c[0])
	}
	return true
}

// scanChecker follows the scan script: which components a sequential JPEG
// has sent, and for a progressive one the successive-approximation state
// of each coefficient of each component.
type scanChecker struct {
	sent [4]bool
	// al is, per component and coefficient, 1 + the lowest bit sent so
	// far (the Al of its last scan), or 0 when nothing was sent yet.
	al [4][64]int8
}

// readScan checks one SOS header against the frame and the scans before.
func (h *jpegHeader) readScan(sc *scanChecker, seg []byte, at int) error {
	if h.comps == nil {
		return fmt.Errorf("%w: a JPEG scan at byte %d comes before the frame header", ErrCorruptPhoto, at)
	}
	h.scans++
	n := h.scans
	if n > MaxJPEGScans {
		return fmt.Errorf("%w: more than %d scans (scan %d starts at byte %d); real encoders use about 10; %s",
			ErrScanScript, MaxJPEGScans, n, at, reexport)
	}
	if len(seg) < 1 || len(seg) != 4+2*int(seg[0]) || seg[0] == 0 || int(seg[0]) > len(h.comps) {
		return fmt.Errorf("%w: the header of JPEG scan %d at byte %d is malformed", ErrCorruptPhoto, n, at)
	}
	ns := int(seg[0])
	idx := make([]int, 0, 4)
	hv := 0
	for k := range ns {
		ci := -1
		for j, c := range h.comps {
			if c.id == seg[1+2*k] {
				ci = j
			}
		}
		if ci < 0 {
			return fmt.Errorf("%w: JPEG scan %d names component id %d, which the frame does not have", ErrCorruptPhoto, n, seg[1+2*k])
		}
		for _, o := range idx {
			if o == ci {
				return fmt.Errorf("%w: JPEG scan %d names component %d twice", ErrCorruptPhoto, n, ci+1)
			}
		}
		idx = append(idx, ci)
		hv += h.comps[ci].h * h.comps[ci].v
	}
	if ns > 1 && hv > 10 {
		return fmt.Errorf("%w: JPEG scan %d interleaves %d blocks per unit, over T.81's limit of 10", ErrCorruptPhoto, n, hv)
	}
	ss, se := int(seg[1+2*ns]), int(seg[2+2*ns])
	ah, al := int(seg[3+2*ns]>>4), int(seg[3+2*ns]&0x0f)
	if !h.progressive {
		// Go's decoder ignores Ss, Se, Ah and Al here; T.81 sends each
		// component of a sequential JPEG in exactly one scan.
		for _, ci := range idx {
			if sc.sent[ci] {
				return fmt.Errorf("%w: scan %d sends component %d again; a baseline JPEG sends each component once; %s",
					ErrScanScript, n, ci+1, reexport)
			}
			sc.sent[ci] = true
		}
		return nil
	}
	band := fmt.Sprintf("coefficients %d-%d", ss, se)
	if ss == 0 {
		band = "the DC coefficient"
	}
	switch {
	case se > 63 || ss > se:
		return fmt.Errorf("%w: scan %d sends coefficients %d-%d, out of 0-63; %s", ErrScanScript, n, ss, se, reexport)
	case ss == 0 && se != 0:
		return fmt.Errorf("%w: scan %d mixes the DC coefficient with AC coefficients 1-%d; %s", ErrScanScript, n, se, reexport)
	case ss > 0 && ns != 1:
		return fmt.Errorf("%w: scan %d sends AC %s of %d components at once (T.81 allows one); %s", ErrScanScript, n, band, ns, reexport)
	case al > 13 || ah > 13:
		return fmt.Errorf("%w: scan %d has successive approximation bits Ah=%d Al=%d, over 13; %s", ErrScanScript, n, ah, al, reexport)
	case ah != 0 && al != ah-1:
		return fmt.Errorf("%w: scan %d refines %s from bit %d to bit %d; a refinement adds exactly one bit; %s", ErrScanScript, n, band, ah, al, reexport)
	}
	for _, ci := range idx {
		st := &sc.al[ci]
		if ss > 0 && st[0] == 0 {
			return fmt.Errorf("%w: scan %d sends AC %s of component %d before its DC coefficient; %s", ErrScanScript, n, band, ci+1, reexport)
		}
		for k := ss; k <= se; k++ {
			switch {
			case ah == 0 && st[k] != 0:
				return fmt.Errorf("%w: scan %d sends %s of component %d again (coefficient %d was already sent down to bit %d); each band is sent once, then refined; %s",
					ErrScanScript, n, band, ci+1, k, st[k]-1, reexport)
			case ah != 0 && st[k] == 0:
				return fmt.Errorf("%w: scan %d refines %s of component %d before they were first sent; %s", ErrScanScript, n, band, ci+1, reexport)
			case ah != 0 && int(st[k]-1) != ah:
				return fmt.Errorf("%w: scan %d refines %s of component %d from bit %d, but coefficient %d was sent down to bit %d; %s",
					ErrScanScript, n, band, ci+1, ah, k, st[k]-1, reexport)
			}
			st[k] = int8(al + 1)
		}
	}
	return nil
}
