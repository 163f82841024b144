package photo

import (
	"bytes"
	_ "embed" // for the parsed models
	"encoding/gob"
	"fmt"
)

// The cascades as parsed from the XML models (see models/README.md), in
// gob: parsing the XML takes about 60 ms, a fifth of a whole Open Graph
// card, decoding this about 2. TestCascadeBlobMatchesXML checks it equals
// what parseCascade makes of the XML files, and rewrites it with
// -update-cascades.
//
//go:embed models/cascades.gob
var cascadeBlob []byte

// blobModel is one parsed model in the blob, by its file name without
// extension (the detectors' names).
type blobModel struct {
	Name    string
	Cascade blobCascade
}

// blobCascade mirrors cascade with exported fields, for gob.
type blobCascade struct {
	W, H        int
	LBP, Tilted bool
	Stages      []blobStage
	Weak        []blobWeak
	Nodes       []blobNode
	Leaves      []float32
	Sets        [][8]uint32
	Haar        []blobHaar
	LBPF        []blobLBP
}

type blobStage struct {
	Thr          float32
	First, NWeak int
}

type blobWeak struct{ Node, Leaf int }

type blobNode struct {
	Feat        int
	Thr         float32
	Left, Right int
}

type blobHaar struct {
	N      int
	Rects  [3][4]int
	Weight [3]float32
	Tilted bool
}

type blobLBP struct{ X, Y, W, H int }

// toBlob copies c into its gob mirror.
func (c *cascade) toBlob() blobCascade {
	b := blobCascade{W: c.w, H: c.h, LBP: c.lbp, Tilted: c.tilted, Leaves: c.leaves, Sets: c.sets}
	for _, s := range c.stages {
		b.Stages = append(b.Stages, blobStage{s.thr, s.first, s.nWeak})
	}
	for _, w := range c.weak {
		b.Weak = append(b.Weak, blobWeak{w.node, w.leaf})
	}
	for _, n := range c.nodes {
		b.Nodes = append(b.Nodes, blobNode{n.feat, n.thr, n.left, n.right})
	}
	for _, f := range c.haar {
		b.Haar = append(b.Haar, blobHaar{f.n, f.rects, f.weight, f.tilted})
	}
	for _, f := range c.lbpF {
		b.LBPF = append(b.LBPF, blobLBP{f.x, f.y, f.w, f.h})
	}
	return b
}

// fromBlob rebuilds a cascade from its gob mirror.
func fromBlob(b *blobCascade) *cascade {
	c := &cascade{w: b.W, h: b.H, lbp: b.LBP, tilted: b.Tilted, leaves: b.Leaves, sets: b.Sets}
	c.stages = make([]cascadeStage, len(b.Stages))
	for i, s := range b.Stages {
		c.stages[i] = cascadeStage{s.Thr, s.First, s.NWeak}
	}
	c.weak = make([]cascadeWeak, len(b.Weak))
	for i, w := range b.Weak {
		c.weak[i] = cascadeWeak{w.Node, w.Leaf}
	}
	c.nodes = make([]cascadeNode, len(b.Nodes))
	for i, n := range b.Nodes {
		c.nodes[i] = cascadeNode{n.Feat, n.Thr, n.Left, n.Right}
	}
	if len(b.Haar) > 0 {
		c.haar = make([]haarFeature, len(b.Haar))
		for i, f := range b.Haar {
			c.haar[i] = haarFeature{f.N, f.Rects, f.Weight, f.Tilted}
		}
	}
	if len(b.LBPF) > 0 {
		c.lbpF = make([]lbpFeature, len(b.LBPF))
		for i, f := range b.LBPF {
			c.lbpF[i] = lbpFeature{f.X, f.Y, f.W, f.H}
		}
	}
	return c
}

// encodeBlob writes the models, in the order given, as the blob.
func encodeBlob(models []blobModel) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(models); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeBlob reads the blob into cascades by model name.
func decodeBlob(data []byte) (map[string]*cascade, error) {
	var models []blobModel
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&models); err != nil {
		return nil, fmt.Errorf("parsed models: %w", err)
	}
	out := make(map[string]*cascade, len(models))
	for i := range models {
		out[models[i].Name] = fromBlob(&models[i].Cascade)
	}
	return out, nil
}
