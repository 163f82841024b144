package photo

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// A cascade is a boosted classifier cascade in the layout of OpenCV's
// "cascade" XML files (the format written by opencv_traincascade, see
// models/README.md): stages of weak classifiers (decision trees, in
// practice stumps) over either Haar-like features (sums of upright or 45°
// tilted rectangles, normalised by the window's standard deviation) or
// multi-block LBP features (8-bit codes comparing a 3×3 grid of block sums,
// looked up in a 256-bit set). A window passes a stage when the sum of its
// weak classifiers' leaf values reaches the stage threshold; it is a hit
// when it passes every stage.
//
// This is an evaluator written from the format's description; it reads the
// trained data only.
type cascade struct {
	w, h   int  // window size in pixels
	lbp    bool // LBP features; otherwise Haar
	tilted bool // some Haar feature uses 45° rectangles
	stages []cascadeStage
	weak   []cascadeWeak
	nodes  []cascadeNode
	leaves []float32
	sets   [][8]uint32 // LBP category sets, one per node
	haar   []haarFeature
	lbpF   []lbpFeature
}

type cascadeStage struct {
	thr          float32
	first, nWeak int
}

// cascadeWeak is one tree: its nodes start at node, its leaves at leaf.
type cascadeWeak struct {
	node, leaf int
}

// cascadeNode is a tree node. left and right are node indices inside the
// tree when positive, or minus a leaf index when zero or negative.
type cascadeNode struct {
	feat        int
	thr         float32
	left, right int
}

// haarFeature is up to three weighted rectangles, in window pixels.
type haarFeature struct {
	n      int
	rects  [3][4]int // x, y, w, h
	weight [3]float32
	tilted bool
}

// lbpFeature is the top-left corner and block size of a 3×3 block grid.
type lbpFeature struct {
	x, y, w, h int
}

// Limits on what parseCascade accepts: the shipped models are far below
// them, and they bound the work a malformed file can cause.
const (
	cascadeMaxWindow   = 256
	cascadeMaxStages   = 100
	cascadeMaxWeak     = 20000
	cascadeMaxFeatures = 50000
	cascadeMaxNodes    = 64 // per tree
	cascadeMaxBytes    = 16 << 20
)

// The XML shape of a cascade file. Lists are elements named "_".
type xmlCascadeFile struct {
	Cascade *struct {
		StageType   string `xml:"stageType"`
		FeatureType string `xml:"featureType"`
		Height      string `xml:"height"`
		Width       string `xml:"width"`
		Stages      []struct {
			Threshold string `xml:"stageThreshold"`
			Weak      []struct {
				Nodes  string `xml:"internalNodes"`
				Leaves string `xml:"leafValues"`
			} `xml:"weakClassifiers>_"`
		} `xml:"stages>_"`
		Features []struct {
			Rects  []string `xml:"rects>_"`
			Tilted string   `xml:"tilted"`
			Rect   string   `xml:"rect"`
		} `xml:"features>_"`
	} `xml:"cascade"`
}

// parseCascadeGzip inflates and parses a gzipped cascade XML file.
func parseCascadeGzip(data []byte) (*cascade, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("cascade: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, cascadeMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cascade: %w", err)
	}
	return parseCascade(raw)
}

// parseCascade parses an OpenCV cascade XML file (the "new" format with
// <cascade>, <stages> and <features>). It checks every index and size so
// that evaluation never reads outside the window or the tables.
func parseCascade(data []byte) (*cascade, error) {
	if len(data) > cascadeMaxBytes {
		return nil, fmt.Errorf("cascade: file of %d bytes is over the %d byte limit", len(data), cascadeMaxBytes)
	}
	var f xmlCascadeFile
	if err := xml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("cascade: %w", err)
	}
	x := f.Cascade
	if x == nil {
		return nil, errors.New("cascade: no <cascade> element (the old opencv-haar-classifier format is not supported)")
	}
	if t := strings.TrimSpace(x.StageType); t != "BOOST" {
		return nil, fmt.Errorf("cascade: stage type %q, want BOOST", t)
	}
	c := &cascade{}
	switch t := strings.TrimSpace(x.FeatureType); t {
	case "HAAR":
	case "LBP":
		c.lbp = true
	default:
		return nil, fmt.Errorf("cascade: feature type %q, want HAAR or LBP", t)
	}
	var err error
	if c.w, err = parseInt(x.Width, 1, cascadeMaxWindow); err != nil {
		return nil, fmt.Errorf("cascade: width: %w", err)
	}
	if c.h, err = parseInt(x.Height, 1, cascadeMaxWindow); err != nil {
		return nil, fmt.Errorf("cascade: height: %w", err)
	}
	if !c.lbp && (c.w < 3 || c.h < 3) {
		return nil, fmt.Errorf("cascade: Haar window %d×%d is under 3×3", c.w, c.h)
	}
	if len(x.Features) == 0 || len(x.Features) > cascadeMaxFeatures {
		return nil, fmt.Errorf("cascade: %d features, want 1 to %d", len(x.Features), cascadeMaxFeatures)
	}
	for i, xf := range x.Features {
		if err := c.addFeature(xf.Rects, xf.Tilted, xf.Rect); err != nil {
			return nil, fmt.Errorf("cascade: feature %d: %w", i, err)
		}
	}
	nFeat := len(x.Features)
	if len(x.Stages) == 0 || len(x.Stages) > cascadeMaxStages {
		return nil, fmt.Errorf("cascade: %d stages, want 1 to %d", len(x.Stages), cascadeMaxStages)
	}
	for si, xs := range x.Stages {
		thr, err := parseFloat(xs.Threshold)
		if err != nil {
			return nil, fmt.Errorf("cascade: stage %d threshold: %w", si, err)
		}
		if len(xs.Weak) == 0 || len(c.weak)+len(xs.Weak) > cascadeMaxWeak {
			return nil, fmt.Errorf("cascade: stage %d has %d weak classifiers (at most %d in all)", si, len(xs.Weak), cascadeMaxWeak)
		}
		// OpenCV lowers every stage threshold by this much when it reads a
		// cascade (a tolerance for sums that equal it up to rounding); the
		// models were tuned with it.
		thr -= 1e-5
		c.stages = append(c.stages, cascadeStage{thr: thr, first: len(c.weak), nWeak: len(xs.Weak)})
		for wi, xw := range xs.Weak {
			if err := c.addWeak(xw.Nodes, xw.Leaves, nFeat); err != nil {
				return nil, fmt.Errorf("cascade: stage %d weak classifier %d: %w", si, wi, err)
			}
		}
	}
	return c, nil
}

func (c *cascade) addFeature(rects []string, tilted, rect string) error {
	if c.lbp {
		v, err := parseInts(rect, 4)
		if err != nil {
			return fmt.Errorf("rect: %w", err)
		}
		f := lbpFeature{x: v[0], y: v[1], w: v[2], h: v[3]}
		if f.x < 0 || f.y < 0 || f.w < 1 || f.h < 1 || f.x+3*f.w > c.w || f.y+3*f.h > c.h {
			return fmt.Errorf("block grid %v is outside the %d×%d window", v, c.w, c.h)
		}
		c.lbpF = append(c.lbpF, f)
		return nil
	}
	if len(rects) < 1 || len(rects) > 3 {
		return fmt.Errorf("%d rectangles, want 1 to 3", len(rects))
	}
	var f haarFeature
	switch strings.TrimSpace(tilted) {
	case "", "0":
	case "1":
		f.tilted = true
		c.tilted = true
	default:
		return fmt.Errorf("tilted is %q, want 0 or 1", tilted)
	}
	for i, s := range rects {
		fields := strings.Fields(s)
		if len(fields) != 5 {
			return fmt.Errorf("rectangle %d has %d numbers, want 5", i, len(fields))
		}
		for k := 0; k < 4; k++ {
			v, err := parseInt(fields[k], 0, cascadeMaxWindow)
			if err != nil {
				return fmt.Errorf("rectangle %d: %w", i, err)
			}
			f.rects[i][k] = v
		}
		wt, err := parseFloat(fields[4])
		if err != nil {
			return fmt.Errorf("rectangle %d weight: %w", i, err)
		}
		f.weight[i] = wt
		x, y, w, h := f.rects[i][0], f.rects[i][1], f.rects[i][2], f.rects[i][3]
		if !f.tilted {
			if x+w > c.w || y+h > c.h {
				return fmt.Errorf("rectangle %d (%d,%d %d×%d) is outside the %d×%d window", i, x, y, w, h, c.w, c.h)
			}
		} else if x-h < 0 || x+w > c.w || y+w+h > c.h {
			// A tilted rectangle spans x-h..x+w and y..y+w+h.
			return fmt.Errorf("tilted rectangle %d (%d,%d %d×%d) is outside the %d×%d window", i, x, y, w, h, c.w, c.h)
		}
	}
	f.n = len(rects)
	c.haar = append(c.haar, f)
	return nil
}

// addWeak parses one tree: internal nodes as groups of left, right, feature
// and threshold (Haar) or left, right, feature and 8 set words (LBP), and
// the leaf values.
func (c *cascade) addWeak(nodes, leaves string, nFeat int) error {
	nf := strings.Fields(nodes)
	group := 4
	if c.lbp {
		group = 11
	}
	if len(nf) == 0 || len(nf)%group != 0 || len(nf)/group > cascadeMaxNodes {
		return fmt.Errorf("%d internal node numbers, want a multiple of %d (at most %d nodes)", len(nf), group, cascadeMaxNodes)
	}
	lv := strings.Fields(leaves)
	n := len(nf) / group
	if len(lv) < 2 || len(lv) > n+1 {
		return fmt.Errorf("%d leaves for %d nodes", len(lv), n)
	}
	w := cascadeWeak{node: len(c.nodes), leaf: len(c.leaves)}
	for _, s := range lv {
		v, err := parseFloat(s)
		if err != nil {
			return fmt.Errorf("leaf: %w", err)
		}
		c.leaves = append(c.leaves, v)
	}
	for i := 0; i < n; i++ {
		g := nf[i*group : (i+1)*group]
		var nd cascadeNode
		var err error
		// Children: a positive value is a later node of the same tree
		// (so evaluation always ends), zero or negative minus a leaf.
		for k, dst := range []*int{&nd.left, &nd.right} {
			v, err := parseInt(g[k], -len(lv)+1, n-1)
			if err != nil {
				return fmt.Errorf("node %d child: %w", i, err)
			}
			if v > 0 && v <= i {
				return fmt.Errorf("node %d child %d points backwards", i, v)
			}
			*dst = v
		}
		if nd.feat, err = parseInt(g[2], 0, nFeat-1); err != nil {
			return fmt.Errorf("node %d feature: %w", i, err)
		}
		if c.lbp {
			var set [8]uint32
			for k := 0; k < 8; k++ {
				v, err := strconv.ParseInt(g[3+k], 10, 64)
				if err != nil || v < math.MinInt32 || v > math.MaxUint32 {
					return fmt.Errorf("node %d set word %q is not a 32-bit integer", i, g[3+k])
				}
				set[k] = uint32(v)
			}
			nd.thr = float32(len(c.sets))
			c.sets = append(c.sets, set)
		} else if nd.thr, err = parseFloat(g[3]); err != nil {
			return fmt.Errorf("node %d threshold: %w", i, err)
		}
		c.nodes = append(c.nodes, nd)
	}
	c.weak = append(c.weak, w)
	return nil
}

func parseInt(s string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", strings.TrimSpace(s))
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%d is outside %d..%d", v, lo, hi)
	}
	return v, nil
}

func parseInts(s string, n int) ([]int, error) {
	f := strings.Fields(s)
	if len(f) != n {
		return nil, fmt.Errorf("%d numbers, want %d", len(f), n)
	}
	out := make([]int, n)
	for i, v := range f {
		x, err := parseInt(v, 0, cascadeMaxWindow)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func parseFloat(s string) (float32, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e30 {
		return 0, fmt.Errorf("%q is not a finite number", strings.TrimSpace(s))
	}
	return float32(v), nil
}
