package photo

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"image"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SubjectTagged is the kind of a subject a photo desk tagged in the
// photo's XMP (an MWG or IPTC image region), read by [ReadEmbedded].
const SubjectTagged = "tagged"

// SubjectTaggedFace is the kind [Embedded.Subjects] gives a face region
// the photo desk tagged: a head the crop keeps whole before any other.
const SubjectTaggedFace = "tagged-face"

// Embedded is what a photo desk wrote into the photo file: the regions it
// tagged (faces, pets, subjects) and the credit, byline, copyright and
// caption, read from XMP (JPEG APP1 with Extended XMP, PNG iTXt, WebP
// "XMP " chunk) and from IPTC-IIM (JPEG APP13). Damaged or hostile
// metadata is ignored, never fatal: what could not be read is left empty,
// with a note.
type Embedded struct {
	// Regions are the tagged regions, Kind [SubjectTagged]: MWG regions
	// first, then IPTC ones, a region tagged in both schemas once. Their
	// Rect is in upright source pixels (EXIF orientation applied) from
	// [ReadEmbedded], in working pixels in [Prepared.Embedded].
	Regions []Region `json:"regions,omitempty"`
	// Credit is the photo credit (XMP photoshop:Credit, IPTC 2:110).
	Credit Field `json:"credit,omitzero"`
	// Byline is the photographer (XMP dc:creator, IPTC 2:80).
	Byline Field `json:"byline,omitzero"`
	// Copyright is the copyright notice (XMP dc:rights, IPTC 2:116).
	Copyright Field `json:"copyright,omitzero"`
	// Caption is the caption (XMP dc:description, IPTC 2:120).
	Caption Field `json:"caption,omitzero"`
	// Notes say what metadata was ignored and why.
	Notes []string `json:"notes,omitempty"`
}

// Field is one text field read from a photo's metadata, with where it
// came from.
type Field struct {
	// Value is the text, trimmed, with control characters removed (and,
	// but for the caption, runs of white space collapsed), capped at the
	// length the article field takes.
	Value string `json:"value"`
	// Source names the tag, such as "XMP photoshop:Credit" or
	// "IPTC 2:110"; empty when Value is.
	Source string `json:"source"`
}

// Region is a region tagged in a photo's metadata.
type Region struct {
	// Subject is the region as a subject: Kind [SubjectTagged], Score 1
	// and Confident, but for an MWG "Focus" region (the camera's focus
	// area, not the desk's choice): Score 0.5, not Confident.
	Subject
	// Name is the region's name (a person's name, usually); may be empty.
	Name string `json:"name,omitempty"`
	// Type is the MWG type ("Face", "Pet", "Focus") or the last part of
	// the IPTC content type (rCtype, such as "face", "human", "animal").
	Type string `json:"type,omitempty"`
	// Source says which schema the region came from: "XMP mwg-rs:Regions"
	// or "XMP Iptc4xmpExt:ImageRegion".
	Source string `json:"source"`
}

// Subjects returns the regions as subjects, for the crop: a face region
// (MWG type Face, IPTC content type face or headshot) that the desk is sure
// of has Kind SubjectTaggedFace (a head, kept whole with headroom); the
// others keep Kind SubjectTagged.
func (e *Embedded) Subjects() []Subject {
	var out []Subject
	for _, r := range e.Regions {
		s := r.Subject
		if s.Confident && faceRegion(r.Type) {
			s.Kind = SubjectTaggedFace
		}
		out = append(out, s)
	}
	return out
}

// faceRegion reports whether a region type names a face.
func faceRegion(typ string) bool {
	switch strings.ToLower(typ) {
	case "face", "headshot":
		return true
	}
	return false
}

// Bounds on the metadata read, so that a hostile file costs little: the
// parse is linear in the bytes read, and these cap the bytes and what is
// kept from them.
const (
	// maxXMPBytes is the largest XMP packet read (main or extended, each):
	// parsing one takes up to 90 ms. The main packet of a JPEG fits one
	// APP1 segment (64 KiB); writers move the biggest properties
	// (thumbnails, edit histories, document ancestors) to Extended XMP,
	// and the regions and text stay in the main packet, so a bigger
	// Extended XMP loses little.
	maxXMPBytes = 1 << 20
	// maxXMPDepth is the deepest element nesting read; the regions sit at
	// depth 12 or so.
	maxXMPDepth = 48
	// maxXMPNodes is the most elements kept from one packet.
	maxXMPNodes = 50000
	// maxRegions is the most regions kept (of each schema).
	maxRegions = 64
	// maxListItems is the most items read from one rdf:Bag, Seq or Alt.
	maxListItems = 256
	// maxIIMBytes is the largest IPTC-IIM block read.
	maxIIMBytes = 1 << 20
	// maxIIMDatasets is the most IIM datasets read.
	maxIIMDatasets = 4096
	// maxMetaSegments is the most JPEG segments, PNG chunks or WebP chunks
	// walked.
	maxMetaSegments = 1 << 16
)

// Length caps of the text fields, in characters: those of the article
// fields they stand in for (render/article/limits.go: MaxCredit,
// MaxByline, MaxCaption; a copyright line is capped like a credit).
const (
	maxCreditChars    = 300
	maxBylineChars    = 300
	maxCopyrightChars = 300
	maxCaptionChars   = 2000
)

// XML namespaces of the properties read.
const (
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXML       = "http://www.w3.org/XML/1998/namespace"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsPhotoshop = "http://ns.adobe.com/photoshop/1.0/"
	nsXMPNote   = "http://ns.adobe.com/xmp/note/"
	nsXMP       = "http://ns.adobe.com/xap/1.0/"
	nsMWGRS     = "http://www.metadataworkinggroup.com/schemas/regions/"
	nsStArea    = "http://ns.adobe.com/xmp/sType/Area#"
	nsStDim     = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
	nsIPTCExt   = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
)

// JPEG APP1 signatures of XMP and Extended XMP.
var (
	xmpSignature    = []byte("http://ns.adobe.com/xap/1.0/\x00")
	xmpExtSignature = []byte("http://ns.adobe.com/xmp/extension/\x00")
)

// ReadEmbedded reads the regions and text fields a photo desk embedded in
// a JPEG, PNG or WebP photo (see [Embedded]); other formats, files
// [Inspect] refuses and photos without metadata give an empty Embedded. Region rectangles are in
// upright source pixels. It only scans the bytes, decoding no pixel; it
// never fails.
func ReadEmbedded(data []byte) Embedded {
	h, err := Inspect(data)
	if err != nil {
		return Embedded{}
	}
	return readEmbedded(data, h)
}

// readEmbedded reads the metadata of data, inspected as h.
func readEmbedded(data []byte, h *Header) Embedded {
	var raw rawMeta
	switch h.Format {
	case "jpeg":
		raw = jpegRawMeta(data)
		raw.orientation = h.Orientation
	case "png":
		raw = pngRawMeta(data)
	case "webp":
		raw = webpRawMeta(data)
	default:
		return Embedded{}
	}
	e := Embedded{Notes: raw.notes}
	stored := image.Pt(h.Width, h.Height)
	var x xmpInfo
	if raw.xmp != nil {
		x = parseXMPPacket(raw.xmp, &e.Notes)
		if x.extGUID != "" && raw.ext != nil {
			if ext := raw.ext.assemble(x.extGUID, &e.Notes); ext != nil {
				x.merge(parseXMPPacket(ext, &e.Notes))
			}
		}
	}
	var iim iimInfo
	if raw.iim != nil {
		iim = parseIIM(raw.iim, &e.Notes)
	}
	e.Credit = pickField(maxCreditChars, true, x.credit, iim.credit)
	e.Byline = pickField(maxBylineChars, true, x.byline, iim.byline)
	e.Copyright = pickField(maxCopyrightChars, true, x.copyright, iim.copyright)
	e.Caption = pickField(maxCaptionChars, false, x.caption, iim.caption)
	for _, list := range [][]rawRegion{x.mwg, x.iptc} {
		for _, r := range list {
			if reg, ok := r.toRegion(stored, raw.orientation); ok {
				e.Regions = addRegion(e.Regions, reg)
			}
		}
	}
	return e
}

// addRegion appends r to regs unless a region already there is the same
// (tools write a face as an MWG and an IPTC region both): boxes that
// overlap by 80% of their union or more are one, the first kept, with the
// name and type of the second where it had none and the higher score.
func addRegion(regs []Region, r Region) []Region {
	for i := range regs {
		q := &regs[i]
		in := q.Rect.Intersect(r.Rect)
		union := regionArea(q.Rect) + regionArea(r.Rect) - regionArea(in)
		if union > 0 && float64(regionArea(in)) >= 0.8*float64(union) {
			if q.Name == "" {
				q.Name = r.Name
			}
			if q.Type == "" {
				q.Type = r.Type
			}
			if r.Score > q.Score {
				q.Score, q.Confident = r.Score, r.Confident
			}
			return regs
		}
	}
	return append(regs, r)
}

// regionArea is the area of r in pixels.
func regionArea(r image.Rectangle) int64 { return int64(r.Dx()) * int64(r.Dy()) }

// rawMeta is the metadata blocks found in a photo file, not yet parsed.
type rawMeta struct {
	xmp         []byte   // the main XMP packet
	ext         *extXMP  // Extended XMP chunks (JPEG)
	iim         []byte   // IPTC-IIM datasets (JPEG APP13 8BIM 0x0404)
	orientation int      // EXIF orientation, PNG and WebP
	notes       []string // what was ignored
}

// extXMP collects the chunks of Extended XMP (XMP Specification Part 3,
// 1.1.3.1): each APP1 holds the GUID of the whole (the MD5 of its bytes,
// in hex), its full length, the offset of the chunk and the chunk.
type extXMP struct {
	chunks []extChunk
}

type extChunk struct {
	guid      string
	full, off uint32
	data      []byte
}

// add records one Extended XMP segment body (after the signature).
func (x *extXMP) add(b []byte) {
	if len(b) < 40 || len(x.chunks) >= maxMetaSegments {
		return
	}
	x.chunks = append(x.chunks, extChunk{
		guid: string(b[:32]),
		full: binary.BigEndian.Uint32(b[32:]),
		off:  binary.BigEndian.Uint32(b[36:]),
		data: b[40:],
	})
}

// assemble joins the chunks of the Extended XMP with the given GUID, or
// returns nil (with a note) when they are missing, too big or do not
// match their digest.
func (x *extXMP) assemble(guid string, notes *[]string) []byte {
	var full uint32
	found := false
	for _, c := range x.chunks {
		if c.guid == guid {
			full, found = c.full, true
			break
		}
	}
	if !found {
		return nil
	}
	if full > maxXMPBytes {
		*notes = append(*notes, "Extended XMP over "+strconv.Itoa(maxXMPBytes>>20)+" MiB; ignored")
		return nil
	}
	out := make([]byte, full)
	covered := uint64(0)
	for _, c := range x.chunks {
		if c.guid != guid {
			continue
		}
		if c.full != full || uint64(c.off)+uint64(len(c.data)) > uint64(full) {
			*notes = append(*notes, "Extended XMP chunks are inconsistent; ignored")
			return nil
		}
		copy(out[c.off:], c.data)
		covered += uint64(len(c.data))
	}
	sum := md5.Sum(out)
	if covered < uint64(full) || !strings.EqualFold(hex.EncodeToString(sum[:]), guid) {
		*notes = append(*notes, "Extended XMP is incomplete or does not match its digest; ignored")
		return nil
	}
	return out
}

// jpegRawMeta walks the segments of a JPEG before its first scan for XMP,
// Extended XMP and the Photoshop IPTC block.
func jpegRawMeta(data []byte) rawMeta {
	var m rawMeta
	var ps [][]byte // Photoshop APP13 bodies, joined: a big IRB spans several
	psLen := 0
	i := 2
	for range maxMetaSegments {
		if i+4 > len(data) || data[i] != 0xff {
			break
		}
		for i+1 < len(data) && data[i+1] == 0xff { // fill bytes
			i++
		}
		if i+4 > len(data) {
			break
		}
		marker := data[i+1]
		if marker == 0xda || marker == 0xd9 { // SOS, EOI: the metadata is before
			break
		}
		if marker == 0x01 || marker >= 0xd0 && marker <= 0xd7 { // standalone
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			break
		}
		seg := data[i+4 : i+2+n]
		i += 2 + n
		switch {
		case marker == 0xe1 && bytes.HasPrefix(seg, xmpSignature):
			if m.xmp == nil {
				m.xmp = seg[len(xmpSignature):]
			}
		case marker == 0xe1 && bytes.HasPrefix(seg, xmpExtSignature):
			if m.ext == nil {
				m.ext = &extXMP{}
			}
			m.ext.add(seg[len(xmpExtSignature):])
		case marker == 0xed && bytes.HasPrefix(seg, []byte("Photoshop 3.0\x00")):
			body := seg[len("Photoshop 3.0\x00"):]
			if psLen+len(body) <= maxIIMBytes*2 {
				ps = append(ps, body)
				psLen += len(body)
			}
		}
	}
	if len(ps) > 0 {
		m.iim = photoshopIPTC(bytes.Join(ps, nil))
	}
	return m
}

// photoshopIPTC finds the IPTC-NAA resource (ID 0x0404) among Photoshop
// image resource blocks: "8BIM", ID, a Pascal name padded to even length,
// a size and the data padded to even length.
func photoshopIPTC(b []byte) []byte {
	for range maxMetaSegments {
		if len(b) < 12 {
			return nil
		}
		sig := string(b[:4])
		if sig != "8BIM" && sig != "PHUT" && sig != "AgHg" && sig != "DCSR" {
			return nil
		}
		id := binary.BigEndian.Uint16(b[4:])
		nameLen := int(b[6])
		p := 6 + (nameLen+2)&^1 // the length byte and name, padded to even
		if p+4 > len(b) {
			return nil
		}
		size := uint64(binary.BigEndian.Uint32(b[p:]))
		p += 4
		if size > uint64(len(b)-p) {
			return nil
		}
		if id == 0x0404 && sig == "8BIM" {
			if size > maxIIMBytes {
				return nil
			}
			return b[p : p+int(size)]
		}
		b = b[min(len(b), p+int(size+size&1)):]
	}
	return nil
}

// pngRawMeta walks the chunks of a PNG for the XMP iTXt chunk and eXIf.
func pngRawMeta(data []byte) rawMeta {
	var m rawMeta
	pngChunks(data, func(typ string, body []byte) bool {
		switch typ {
		case "iTXt":
			if m.xmp == nil && bytes.HasPrefix(body, []byte("XML:com.adobe.xmp\x00")) {
				x, err := itxtText(body[len("XML:com.adobe.xmp\x00"):])
				if err != nil {
					m.notes = append(m.notes, "XMP iTXt chunk ignored: "+err.Error())
				}
				m.xmp = x
			}
		case "eXIf":
			m.orientation = exifOrientation(body)
		}
		return true
	})
	return m
}

// itxtText returns the text of an iTXt chunk after its keyword: the
// compression flag and method, language tag, translated keyword, text.
func itxtText(b []byte) ([]byte, error) {
	if len(b) < 2 {
		return nil, errors.New("truncated")
	}
	compressed, method := b[0], b[1]
	rest := b[2:]
	for range 2 { // language tag, translated keyword
		k := bytes.IndexByte(rest, 0)
		if k < 0 {
			return nil, errors.New("truncated")
		}
		rest = rest[k+1:]
	}
	if compressed == 0 {
		return rest, nil
	}
	if method != 0 {
		return nil, errors.New("unknown compression")
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxXMPBytes+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxXMPBytes {
		return nil, errors.New("over " + strconv.Itoa(maxXMPBytes>>20) + " MiB")
	}
	return out, nil
}

// webpRawMeta walks the RIFF chunks of a WebP for "XMP " and EXIF.
func webpRawMeta(data []byte) rawMeta {
	var m rawMeta
	webpChunks(data, func(fourCC string, body []byte) bool {
		switch fourCC {
		case "XMP ":
			if m.xmp == nil {
				m.xmp = body
			}
		case "EXIF":
			m.orientation = exifOrientation(bytes.TrimPrefix(body, []byte("Exif\x00\x00")))
		}
		return true
	})
	return m
}

// xmlNode is an element of a parsed XMP packet.
type xmlNode struct {
	name     xml.Name
	attrs    []xml.Attr
	text     string
	children []*xmlNode
}

// parseXMLTree parses an XMP packet into a tree of elements, bounded in
// depth and element count.
func parseXMLTree(b []byte) (*xmlNode, error) {
	if len(b) > maxXMPBytes {
		return nil, errors.New("packet over " + strconv.Itoa(maxXMPBytes>>20) + " MiB")
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Entity = nil
	root := &xmlNode{}
	stack := []*xmlNode{root}
	var text strings.Builder
	nodes := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			nodes++
			if nodes > maxXMPNodes {
				return nil, errors.New("more than " + strconv.Itoa(maxXMPNodes) + " elements")
			}
			if len(stack) > maxXMPDepth {
				return nil, errors.New("nested deeper than " + strconv.Itoa(maxXMPDepth))
			}
			n := &xmlNode{name: t.Name, attrs: t.Attr}
			top.children = append(top.children, n)
			stack = append(stack, n)
			text.Reset()
		case xml.EndElement:
			if len(stack) == 1 {
				return nil, errors.New("unbalanced end element")
			}
			if len(top.children) == 0 && top.text == "" {
				top.text = text.String()
			}
			text.Reset()
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if text.Len() < maxXMPBytes {
				text.Write(t)
			}
		}
	}
	if len(stack) != 1 {
		return nil, errors.New("unclosed element")
	}
	resolveNS(root, nil)
	return root, nil
}

// resolveNS replaces the prefixes of element and attribute names by their
// namespace URIs (RawToken leaves them as written, so that a bounded tree
// is built without the decoder's own namespace stack). Each element's
// declarations are a map linked to its parent's, so a lookup costs at most
// the depth, whatever the number of declarations.
func resolveNS(n *xmlNode, parent *nsScope) {
	scope := parent
	for _, a := range n.attrs {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			if scope == parent {
				scope = &nsScope{parent: parent, uris: map[string]string{}}
			}
			if a.Name.Space == "xmlns" {
				scope.uris[a.Name.Local] = a.Value
			} else {
				scope.uris[""] = a.Value
			}
		}
	}
	n.name.Space = scope.lookup(n.name.Space, true)
	for i := range n.attrs {
		if n.attrs[i].Name.Space != "xmlns" {
			n.attrs[i].Name.Space = scope.lookup(n.attrs[i].Name.Space, false)
		}
	}
	for _, c := range n.children {
		resolveNS(c, scope)
	}
}

// nsScope is the namespace declarations of an element.
type nsScope struct {
	parent *nsScope
	uris   map[string]string // prefix ("" for the default) to URI
}

// lookup returns the URI of prefix, for an element name or (elem false)
// an attribute name, which the default namespace does not apply to; an
// undeclared prefix stays as it is.
func (s *nsScope) lookup(prefix string, elem bool) string {
	switch {
	case prefix == "xml":
		return nsXML
	case prefix == "" && !elem:
		return ""
	}
	for ; s != nil; s = s.parent {
		if u, ok := s.uris[prefix]; ok {
			return u
		}
	}
	return prefix
}

// is reports whether n is the element ns:local.
func (n *xmlNode) is(ns, local string) bool {
	return n != nil && n.name.Space == ns && n.name.Local == local
}

// attr returns the value of attribute ns:local.
func (n *xmlNode) attr(ns, local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == ns && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// resource returns the node holding the fields of the struct value of
// property element n: n itself (fields as attributes, or as children with
// rdf:parseType="Resource"), or its rdf:Description child.
func (n *xmlNode) resource() *xmlNode {
	for _, c := range n.children {
		if c.is(nsRDF, "Description") {
			return c
		}
	}
	return n
}

// field returns the value of field ns:local of struct res: an attribute
// (text) or a child element (its node; text set for a simple value).
func (res *xmlNode) field(ns, local string) (text string, elem *xmlNode) {
	if res == nil {
		return "", nil
	}
	if v, ok := res.attr(ns, local); ok {
		return v, nil
	}
	for _, c := range res.children {
		if c.is(ns, local) {
			if v, ok := c.attr(nsRDF, "resource"); ok {
				return v, c
			}
			return c.text, c
		}
	}
	return "", nil
}

// fieldRes returns the struct value of field ns:local of res, or nil.
func (res *xmlNode) fieldRes(ns, local string) *xmlNode {
	_, e := res.field(ns, local)
	if e == nil {
		return nil
	}
	return e.resource()
}

// items returns the items of the array value of property element n (the
// rdf:li of its rdf:Bag, Seq or Alt), or n itself for a single value.
func (n *xmlNode) items() []*xmlNode {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.is(nsRDF, "Bag") || c.is(nsRDF, "Seq") || c.is(nsRDF, "Alt") {
			var out []*xmlNode
			for _, li := range c.children {
				if li.is(nsRDF, "li") {
					out = append(out, li)
					if len(out) == maxListItems {
						break
					}
				}
			}
			return out
		}
	}
	return []*xmlNode{n}
}

// altText returns the x-default item of a language alternative (or the
// first item, or the plain text value).
func (res *xmlNode) altText(ns, local string) string {
	v, e := res.field(ns, local)
	if e == nil {
		return v
	}
	items := e.items()
	for _, li := range items {
		if lang, _ := li.attr(nsXML, "lang"); strings.EqualFold(lang, "x-default") {
			return li.text
		}
	}
	if len(items) > 0 {
		return items[0].text
	}
	return ""
}

// listText returns the items of an array property joined with "; ".
func (res *xmlNode) listText(ns, local string) string {
	v, e := res.field(ns, local)
	if e == nil {
		return v
	}
	var parts []string
	for _, li := range e.items() {
		if t := strings.TrimSpace(li.text); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "; ")
}

// xmpInfo is what the XMP packets said.
type xmpInfo struct {
	credit, byline, copyright, caption Field
	mwg, iptc                          []rawRegion
	extGUID                            string // xmpNote:HasExtendedXMP
}

// merge adds what the extended packet o holds and x lacks.
func (x *xmpInfo) merge(o xmpInfo) {
	for _, p := range []struct{ dst, src *Field }{{&x.credit, &o.credit}, {&x.byline, &o.byline}, {&x.copyright, &o.copyright}, {&x.caption, &o.caption}} {
		if p.dst.Value == "" {
			*p.dst = *p.src
		}
	}
	x.mwg = append(x.mwg, o.mwg[:min(len(o.mwg), max(0, maxRegions-len(x.mwg)))]...)
	x.iptc = append(x.iptc, o.iptc[:min(len(o.iptc), max(0, maxRegions-len(x.iptc)))]...)
}

// parseXMPPacket reads the fields and regions of one XMP packet; a packet
// that is not well-formed is ignored with a note.
func parseXMPPacket(b []byte, notes *[]string) xmpInfo {
	var x xmpInfo
	root, err := parseXMLTree(b)
	if err != nil {
		*notes = append(*notes, "XMP metadata ignored: "+err.Error())
		return x
	}
	var descs []*xmlNode
	var find func(n *xmlNode, depth int)
	find = func(n *xmlNode, depth int) {
		for _, c := range n.children {
			if c.is(nsRDF, "RDF") {
				for _, d := range c.children {
					if d.is(nsRDF, "Description") {
						descs = append(descs, d)
					}
				}
			} else if depth < 4 {
				find(c, depth+1)
			}
		}
	}
	find(root, 0)
	set := func(f *Field, v, source string) {
		if f.Value == "" && strings.TrimSpace(v) != "" {
			*f = Field{Value: v, Source: source}
		}
	}
	for _, d := range descs {
		set(&x.credit, d.altText(nsPhotoshop, "Credit"), "XMP photoshop:Credit")
		set(&x.byline, d.listText(nsDC, "creator"), "XMP dc:creator")
		set(&x.copyright, d.altText(nsDC, "rights"), "XMP dc:rights")
		set(&x.caption, d.altText(nsDC, "description"), "XMP dc:description")
		if g, _ := d.field(nsXMPNote, "HasExtendedXMP"); x.extGUID == "" && len(strings.TrimSpace(g)) == 32 {
			x.extGUID = strings.TrimSpace(g)
		}
		if len(x.mwg) < maxRegions {
			x.mwg = append(x.mwg, mwgRegions(d)...)
		}
		if len(x.iptc) < maxRegions {
			x.iptc = append(x.iptc, iptcRegions(d)...)
		}
	}
	return x
}

// rawRegion is a region as tagged, before orientation: a box in units of
// the stored image (normalized 0-1 or pixels).
type rawRegion struct {
	x0, y0, x1, y1 float64
	pixel          bool    // in pixels of the stored image, else normalized
	rx             float64 // circle radius (x0, y0 the centre) when > 0
	circle         bool
	name, typ, src string
	score          float64
}

// mwgRegions reads mwg-rs:Regions: a RegionList of Area (centre x, y and
// size w, h, normalized) with Type and Name. Per the MWG guidelines
// (2.0, 5.9) the areas refer to the image as stored, before the EXIF
// orientation, and AppliedToDimensions gives the size they were tagged on.
func mwgRegions(d *xmlNode) []rawRegion {
	regs := d.fieldRes(nsMWGRS, "Regions")
	if regs == nil {
		return nil
	}
	var dimW, dimH float64
	if dim := regs.fieldRes(nsMWGRS, "AppliedToDimensions"); dim != nil {
		w, _ := dim.field(nsStDim, "w")
		h, _ := dim.field(nsStDim, "h")
		dimW, dimH = parseNum(w), parseNum(h)
	}
	_, list := regs.field(nsMWGRS, "RegionList")
	var out []rawRegion
	for _, li := range list.items() {
		if len(out) == maxRegions {
			break
		}
		r := li.resource()
		area := r.fieldRes(nsMWGRS, "Area")
		if area == nil {
			continue
		}
		get := func(k string) float64 { v, _ := area.field(nsStArea, k); return parseNum(v) }
		x, y, w, h := get("x"), get("y"), get("w"), get("h")
		typ, _ := r.field(nsMWGRS, "Type")
		typ = strings.TrimSpace(typ)
		if strings.EqualFold(typ, "BarCode") {
			continue
		}
		unit, _ := area.field(nsStArea, "unit")
		rr := rawRegion{x0: x - w/2, y0: y - h/2, x1: x + w/2, y1: y + h/2, name: oneLine(r.altText(nsMWGRS, "Name")), typ: typ, src: "XMP mwg-rs:Regions", score: 1}
		if strings.EqualFold(strings.TrimSpace(unit), "pixel") {
			if dimW > 0 && dimH > 0 { // pixels of the tagged size: normalize
				rr.x0, rr.x1, rr.y0, rr.y1 = rr.x0/dimW, rr.x1/dimW, rr.y0/dimH, rr.y1/dimH
			} else {
				rr.pixel = true
			}
		}
		if strings.EqualFold(typ, "Focus") {
			rr.score = 0.5
		}
		out = append(out, rr)
	}
	return out
}

// iptcRegions reads Iptc4xmpExt:ImageRegion: each region a RegionBoundary
// (rectangle from its top-left corner, circle from its centre and radius,
// or polygon, in pixels or relative to the size), with Name, rRole and
// rCtype. Cropping regions (a role naming a crop) are no subjects and are
// skipped. The IPTC standard does not say whether a boundary applies to
// the image as stored or as shown; it is taken, like an MWG area, on the
// image as stored, as exiftool's convert_regions.config (which converts
// between the two schemas and applies no orientation) does.
func iptcRegions(d *xmlNode) []rawRegion {
	_, list := d.field(nsIPTCExt, "ImageRegion")
	var out []rawRegion
	for _, li := range list.items() {
		if len(out) == maxRegions {
			break
		}
		r := li.resource()
		b := r.fieldRes(nsIPTCExt, "RegionBoundary")
		if b == nil {
			continue
		}
		if crop := entityIDs(r, "rRole"); strings.Contains(strings.ToLower(crop), "crop") {
			continue
		}
		get := func(k string) float64 { v, _ := b.field(nsIPTCExt, k); return parseNum(v) }
		shape, _ := b.field(nsIPTCExt, "rbShape")
		unit, _ := b.field(nsIPTCExt, "rbUnit")
		rr := rawRegion{pixel: strings.EqualFold(strings.TrimSpace(unit), "pixel"), name: oneLine(r.altText(nsIPTCExt, "Name")), src: "XMP Iptc4xmpExt:ImageRegion", score: 1}
		if t := entityIDs(r, "rCtype"); t != "" {
			t = strings.TrimRight(strings.SplitN(t, " ", 2)[0], "/")
			rr.typ = t[strings.LastIndexAny(t, "/#:")+1:]
		}
		switch strings.ToLower(strings.TrimSpace(shape)) {
		case "rectangle":
			x, y := get("rbX"), get("rbY")
			rr.x0, rr.y0, rr.x1, rr.y1 = x, y, x+get("rbW"), y+get("rbH")
		case "circle":
			rr.circle = true
			rr.x0, rr.y0, rr.rx = get("rbX"), get("rbY"), get("rbRx")
		case "polygon":
			_, vs := b.field(nsIPTCExt, "rbVertices")
			first := true
			for _, v := range vs.items() {
				p := v.resource()
				xs, _ := p.field(nsIPTCExt, "rbX")
				ys, _ := p.field(nsIPTCExt, "rbY")
				x, y := parseNum(xs), parseNum(ys)
				if math.IsNaN(x) || math.IsNaN(y) {
					continue
				}
				if first {
					rr.x0, rr.y0, rr.x1, rr.y1, first = x, y, x, y, false
				}
				rr.x0, rr.y0 = min(rr.x0, x), min(rr.y0, y)
				rr.x1, rr.y1 = max(rr.x1, x), max(rr.y1, y)
			}
			if first {
				continue
			}
		default:
			continue
		}
		out = append(out, rr)
	}
	return out
}

// entityIDs returns the identifiers (xmp:Identifier) and names of the
// IPTC entities of field Iptc4xmpExt:local, space separated.
func entityIDs(r *xmlNode, local string) string {
	_, e := r.field(nsIPTCExt, local)
	var parts []string
	for _, li := range e.items() {
		ent := li.resource()
		if id := ent.listText(nsXMP, "Identifier"); id != "" {
			parts = append(parts, strings.ReplaceAll(id, "; ", " "))
		}
		if n := ent.altText(nsIPTCExt, "Name"); n != "" {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, " ")
}

// parseNum parses a real number; NaN when it is not one.
func parseNum(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// toRegion maps a tagged region on the stored image (of size stored) to a
// region in upright source pixels, applying the EXIF orientation; ok is
// false for a region that is not a box inside the image.
func (r rawRegion) toRegion(stored image.Point, orientation int) (Region, bool) {
	if stored.X <= 0 || stored.Y <= 0 {
		return Region{}, false
	}
	x0, y0, x1, y1 := r.x0, r.y0, r.x1, r.y1
	if r.circle {
		rx := r.rx
		ry := rx
		if !r.pixel { // a relative radius is relative to the width
			ry = rx * float64(stored.X) / float64(stored.Y)
		}
		x0, y0, x1, y1 = r.x0-rx, r.y0-ry, r.x0+rx, r.y0+ry
	}
	if r.pixel {
		w, h := float64(stored.X), float64(stored.Y)
		x0, x1, y0, y1 = x0/w, x1/w, y0/h, y1/h
	}
	for _, v := range []float64{x0, y0, x1, y1} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Region{}, false
		}
	}
	x0, y0 = max(0, min(1, x0)), max(0, min(1, y0))
	x1, y1 = max(0, min(1, x1)), max(0, min(1, y1))
	if x1 <= x0 || y1 <= y0 {
		return Region{}, false
	}
	x0, y0, x1, y1 = orientBox(x0, y0, x1, y1, orientation)
	up := stored
	if orientation >= 5 && orientation <= 8 {
		up.X, up.Y = up.Y, up.X
	}
	// Rounded outwards, but not for the last bits of a float (0.4 + 0.2
	// of 300 px is 180, not 181).
	const eps = 1e-9
	rect := image.Rect(
		int(math.Floor(x0*float64(up.X)+eps)), int(math.Floor(y0*float64(up.Y)+eps)),
		int(math.Ceil(x1*float64(up.X)-eps)), int(math.Ceil(y1*float64(up.Y)-eps)),
	).Intersect(image.Rectangle{Max: up})
	if rect.Empty() {
		return Region{}, false
	}
	return Region{
		Subject: taggedSubject(rect, r.score),
		Name:    r.name,
		Type:    r.typ,
		Source:  r.src,
	}, true
}

// taggedSubject is a tagged region as a subject: confident, unless it is
// only the camera's focus area (score under 1).
func taggedSubject(rect image.Rectangle, score float64) Subject {
	return Subject{Rect: rect, Kind: SubjectTagged, Score: score, Confident: score >= 1}
}

// orientBox maps a normalized box on the stored image to the upright
// image, as [orient] turns the pixels for EXIF orientation o.
func orientBox(x0, y0, x1, y1 float64, o int) (float64, float64, float64, float64) {
	switch o {
	case 2: // mirrored left-right
		return 1 - x1, y0, 1 - x0, y1
	case 3: // turned 180°
		return 1 - x1, 1 - y1, 1 - x0, 1 - y0
	case 4: // mirrored top-bottom
		return x0, 1 - y1, x1, 1 - y0
	case 5: // transposed
		return y0, x0, y1, x1
	case 6: // turned 90° clockwise: a stored row becomes a column from the right
		return 1 - y1, x0, 1 - y0, x1
	case 7: // transversed
		return 1 - y1, 1 - x1, 1 - y0, 1 - x0
	case 8: // turned 90° counter-clockwise
		return y0, 1 - x1, y1, 1 - x0
	}
	return x0, y0, x1, y1
}

// pickField returns the first non-empty candidate, cleaned and capped at
// maxChars characters; line says to collapse white space to one line.
func pickField(maxChars int, line bool, cands ...Field) Field {
	for _, c := range cands {
		v := cleanText(c.Value, line)
		if v == "" {
			continue
		}
		if utf8.RuneCountInString(v) > maxChars {
			n := 0
			for i := range v {
				if n == maxChars {
					v = strings.TrimSpace(v[:i])
					break
				}
				n++
			}
		}
		return Field{Value: v, Source: c.Source}
	}
	return Field{}
}

// oneLine cleans a short name.
func oneLine(s string) string {
	v := cleanText(s, true)
	if utf8.RuneCountInString(v) > maxCreditChars {
		return string([]rune(v)[:maxCreditChars])
	}
	return v
}

// cleanText makes s valid UTF-8 without control characters, trimmed; with
// line, white space runs (newlines included) become one space, else lines
// are kept (trailing spaces and blank-line runs dropped).
func cleanText(s string, line bool) string {
	if len(s) > 4*maxCaptionChars+1024 {
		s = s[:4*maxCaptionChars+1024] // longer is cut anyway
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space, newlines := false, 0
	for _, r := range s {
		switch {
		case r == '\r':
			space = space || line
		case r == '\n' || r == '\u2028' || r == '\u2029':
			if line {
				space = true
			} else {
				newlines++
			}
		case unicode.IsSpace(r):
			space = true
		case unicode.IsControl(r) || r == '\uFEFF':
		default:
			if b.Len() > 0 {
				switch {
				case newlines > 0:
					b.WriteString(strings.Repeat("\n", min(newlines, 2)))
				case space:
					b.WriteByte(' ')
				}
			}
			space, newlines = false, 0
			b.WriteRune(r)
		}
	}
	return b.String()
}
