package photo

import (
	_ "embed" // for the cascade models
	"fmt"
	"image"
	"math"
	"sort"
	"sync"
)

// The trained cascades (see models/README.md for origin, licence and
// checksums), gzipped OpenCV XML as shipped in Debian's opencv-data.
var (
	//go:embed models/lbpcascade_frontalface_improved.xml.gz
	modelFrontal []byte
	//go:embed models/haarcascade_profileface.xml.gz
	modelProfile []byte
	//go:embed models/haarcascade_fullbody.xml.gz
	modelFullBody []byte
	//go:embed models/lbpcascade_frontalcatface.xml.gz
	modelCatFace []byte
)

// A detector is one cascade run by the subject search.
type detector struct {
	name  string // model file, for errors
	kind  string // Subject kind of its hits
	model []byte
	// mirror also evaluates the cascade mirrored (the profile cascade
	// knows faces turned one way only); see [cascade.canFlip].
	mirror bool
	// minNeighbors is the number of overlapping raw hits a cluster needs.
	minNeighbors int
	// keep is the cluster size from which a cluster becomes a subject.
	keep int
	// confident is the cluster size from which a hit is confident.
	confident int
	// minFrac is the smallest window height searched, as a fraction of
	// the detection image's long side.
	minFrac float64
	// step is the coarse scan's stride in level pixels.
	step int
	// maxSide is the largest pyramid level (long side, pixels) scanned:
	// frontal faces are searched on a finer image than bodies.
	maxSide int
	// near is the number of stages a window of the coarse scan must pass
	// for its neighbourhood to be scanned at every pixel (0: all of them,
	// a hit). Windows close to a face pass the first stages over a wider
	// area than the whole cascade, so a coarse step finds them.
	near int
	// lane (0 or 1) is the goroutine that runs the detector: the lanes
	// are balanced by hand from the detectors' costs (BenchmarkFind).
	lane int
	// rotate, in degrees clockwise, runs the cascade on the image turned
	// the other way, to find faces tilted by that much.
	rotate float64
}

// The detectors and their tuning, measured on the labelled photos of
// compositioncheck (TestSubjectsFound there) for recall and on the photos
// without people for precision (TestFindNoPeople), within the time budget
// of BenchmarkFind. Faces and profiles are always primary subjects, so keep
// is set above every false cluster seen; persons only count when
// confident. Profiles and bodies are searched on coarser levels than
// frontal faces (maxSide): the Haar cascades cost several times more per
// window.
var detectors = []detector{
	{name: "lbpcascade_frontalface_improved", kind: SubjectFace, model: modelFrontal, minNeighbors: 1, keep: 3, confident: 4, minFrac: 0.04, step: 4, maxSide: 560, near: 8},
	{name: "haarcascade_profileface", kind: SubjectProfile, model: modelProfile, mirror: true, minNeighbors: 1, keep: 5, confident: 8, minFrac: 0.05, step: 4, maxSide: 260, near: 12, lane: 1},
	{name: "haarcascade_fullbody", kind: SubjectPerson, model: modelFullBody, minNeighbors: 1, keep: 4, confident: 7, minFrac: 0.06, step: 4, maxSide: 400, near: 8},
	// Tilted heads: the cascade tolerates about 10° of tilt, so with these
	// two turned scans faces tilted up to about 30° either way are found
	// (TestFindTiltedFace); a pair at ±38° would reach 45° for about a
	// fifth more time.
	{name: "lbpcascade_frontalface_improved", kind: SubjectFace, model: modelFrontal, minNeighbors: 1, keep: 5, confident: 8, minFrac: 0.06, step: 4, maxSide: 400, near: 6, rotate: 22},
	{name: "lbpcascade_frontalface_improved", kind: SubjectFace, model: modelFrontal, minNeighbors: 1, keep: 5, confident: 8, minFrac: 0.06, step: 4, maxSide: 400, near: 6, rotate: -22, lane: 1},
	{name: "lbpcascade_frontalcatface", kind: SubjectAnimal, model: modelCatFace, minNeighbors: 1, keep: 4, confident: 8, minFrac: 0.15, step: 3, maxSide: 400, lane: 1},
}

// loadCascades reads every model once, on first use, from the parsed
// blob (see cascadeBlob).
var loadCascades = sync.OnceValues(func() ([]*cascade, error) {
	byName, err := decodeBlob(cascadeBlob)
	if err != nil {
		return nil, err
	}
	out := make([]*cascade, len(detectors))
	for i, d := range detectors {
		if out[i] = byName[d.name]; out[i] == nil {
			return nil, fmt.Errorf("model %s is not in models/cascades.gob: run go test ./render/photo -run CascadeBlob -update-cascades", d.name)
		}
	}
	return out, nil
})

// parseModels parses the XML of every detector's model (what the blob
// holds), by name.
func parseModels() (map[string]*cascade, error) {
	byName := map[string]*cascade{}
	for _, d := range detectors {
		if byName[d.name] != nil {
			continue
		}
		c, err := parseCascadeGzip(d.model)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", d.name, err)
		}
		byName[d.name] = c
	}
	return byName, nil
}

// hit is a raw window accepted by a cascade, in detection pixels.
type hit struct {
	x, y, w, h float64
	margin     float64
}

// cluster is a group of overlapping hits of one detector.
type cluster struct {
	det        int
	flip       bool
	x, y, w, h float64 // mean rectangle, detection pixels
	n          int     // hits in the group
	margin     float64 // best last-stage margin
	// For a cluster found on a turned image (deg != 0, see unrotate):
	// its window there (x0, y0, x1, y1) and the image's size.
	turned [4]float64
	deg    float64
	dw, dh int
}

// Scan tuning: the pyramid shrinks by scanStep per level (each detector
// moves its window by its own step, then scans every pixel around each
// window that passed its first near stages); a job keeps at most scanMaxHits raw hits, which bounds the
// quadratic grouping; groupEps is the corner tolerance of grouping.
const (
	scanStep     = 1.15
	scanMaxHits  = 3000
	groupEps     = 0.2
	scanMaxLevel = 40
)

// scanJob is one detector run, on the image or its mirror.
type scanJob struct {
	det  int
	flip bool
}

// scanCascades runs every detector over the grey image pix (w×h) and
// returns the clusters, each detector's strongest first. The jobs run on
// two goroutines (each detector's lane); the jobs of a lane on the upright
// image share one pyramid, a job on a turned image gets its own. The result
// does not depend on the split.
func scanCascades(cs []*cascade, pix []uint8, w, h int) []cluster {
	var jobs []scanJob
	for i, d := range detectors {
		jobs = append(jobs, scanJob{i, false})
		if d.mirror {
			jobs = append(jobs, scanJob{i, true})
		}
	}
	hits := make([][]hit, len(jobs))
	var wg sync.WaitGroup
	for lane := range 2 {
		var upright, turned []int
		for j, jb := range jobs {
			if d := detectors[jb.det]; d.lane == lane {
				if d.rotate != 0 {
					turned = append(turned, j)
				} else {
					upright = append(upright, j)
				}
			}
		}
		wg.Go(func() {
			if len(upright) > 0 {
				scanJobs(cs, jobs, upright, hits, pix, w, h)
			}
			for _, j := range turned {
				src := rotateGray(pix, w, h, -detectors[jobs[j].det].rotate)
				scanJobs(cs, jobs, []int{j}, hits, src, w, h)
			}
		})
	}
	wg.Wait()
	var out []cluster
	for j, jb := range jobs {
		for _, cl := range groupHits(hits[j], detectors[jb.det].minNeighbors) {
			cl.det, cl.flip = jb.det, jb.flip
			if a := detectors[jb.det].rotate; a != 0 {
				cl = unrotate(cl, a, w, h)
			}
			out = append(out, cl)
		}
	}
	return out
}

// rotateGray turns pix (w×h) by deg degrees clockwise about its centre
// (bilinear), on a canvas of the same size filled with mid grey.
func rotateGray(pix []uint8, w, h int, deg float64) []uint8 {
	out := make([]uint8, w*h)
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// The source of output pixel (x,y): turn it back.
			dx, dy := float64(x)-cx, float64(y)-cy
			sx := cx + dx*cos + dy*sin
			sy := cy - dx*sin + dy*cos
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 < 0 || y0 < 0 || x0+1 >= w || y0+1 >= h {
				out[y*w+x] = 128
				continue
			}
			tx, ty := sx-float64(x0), sy-float64(y0)
			i := y0*w + x0
			top := float64(pix[i])*(1-tx) + float64(pix[i+1])*tx
			bot := float64(pix[i+w])*(1-tx) + float64(pix[i+w+1])*tx
			out[y*w+x] = uint8(top*(1-ty) + bot*ty + 0.5)
		}
	}
	return out
}

// unrotate maps a cluster found on the image turned by -deg degrees back
// to the image: its box becomes the upright bounding box of the window's
// four corners turned by deg, and the window on the turned image is kept
// (turned, deg, dw, dh) so that the head box can be made in the face's own
// frame.
func unrotate(c cluster, deg float64, w, h int) cluster {
	c.turned = [4]float64{c.x, c.y, c.x + c.w, c.y + c.h}
	c.deg, c.dw, c.dh = deg, w, h
	x0, y0, x1, y1 := unrotateBox(c.turned, deg, w, h)
	c.x, c.y, c.w, c.h = x0, y0, x1-x0, y1-y0
	return c
}

// unrotateBox returns the upright bounding box of box (x0, y0, x1, y1 on
// a w×h image turned by -deg degrees about its centre, see rotateGray)
// turned back by deg.
func unrotateBox(box [4]float64, deg float64, w, h int) (x0, y0, x1, y1 float64) {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	x0, y0, x1, y1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range [4][2]float64{{box[0], box[1]}, {box[2], box[1]}, {box[0], box[3]}, {box[2], box[3]}} {
		// Output (turned) point p came from image point q with
		// p = centre + R(-deg)(q - centre), so q = centre + R(deg)(p - centre).
		dx, dy := p[0]-cx, p[1]-cy
		qx := cx + dx*cos - dy*sin
		qy := cy + dx*sin + dy*cos
		x0, y0, x1, y1 = min(x0, qx), min(y0, qy), max(x1, qx), max(y1, qy)
	}
	return x0, y0, x1, y1
}

// scanJobs runs the jobs listed in which over a pyramid of pix, writing
// each job's raw hits to hits[job].
func scanJobs(cs []*cascade, jobs []scanJob, which []int, hits [][]hit, pix []uint8, w, h int) {
	var it integral
	level := pix
	seen := map[int]bool{}
	placedBuf := make([]placed, len(jobs))
	for k, scale := 0, 1.0; k < scanMaxLevel; k, scale = k+1, scale*scanStep {
		lw, lh := int(float64(w)/scale), int(float64(h)/scale)
		if lw < 14 || lh < 14 {
			break
		}
		var active []int
		sq, tilt := false, false
		for _, j := range which {
			jb := jobs[j]
			d, c := detectors[jb.det], cs[jb.det]
			if float64(c.h)*scale < d.minFrac*float64(max(w, h)) || max(lw, lh) > d.maxSide || c.w > lw || c.h > lh || len(hits[j]) >= scanMaxHits {
				continue
			}
			active = append(active, j)
			if !c.lbp {
				sq = true
				tilt = tilt || c.tilted
			}
		}
		if len(active) == 0 {
			continue
		}
		if k > 0 {
			level = resizeGray(pix, w, h, lw, lh, level)
		}
		it.build(level, lw, lh, sq, tilt)
		for _, j := range active {
			jb := jobs[j]
			d, c := detectors[jb.det], cs[jb.det]
			p := c.placeInto(&placedBuf[j], lw+1, jb.flip)
			step := d.step
			add := func(x, y int, m float32) {
				if len(hits[j]) < scanMaxHits {
					hits[j] = append(hits[j], hit{float64(x) * scale, float64(y) * scale, float64(c.w) * scale, float64(c.h) * scale, float64(m)})
				}
			}
			all := len(c.stages)
			near := all
			if d.near > 0 {
				near = min(d.near, all)
			}
			var coarse []image.Point
			for y := 0; y+c.h <= lh; y += step {
				for x := 0; x+c.w <= lw; x += step {
					n, m := p.run(&it, x, y, all)
					if n == all {
						add(x, y, m)
					}
					if n >= near {
						coarse = append(coarse, image.Pt(x, y))
					}
				}
			}
			// Around each coarse hit, scan every pixel so that the number
			// of hits measures how stable the detection is.
			clear(seen)
			for _, pt := range coarse {
				seen[pt.Y*lw+pt.X] = true
			}
			for _, pt := range coarse {
				for y := max(0, pt.Y-step+1); y < pt.Y+step && y+c.h <= lh; y++ {
					for x := max(0, pt.X-step+1); x < pt.X+step && x+c.w <= lw; x++ {
						if seen[y*lw+x] {
							continue
						}
						seen[y*lw+x] = true
						if ok, m := p.eval(&it, x, y); ok {
							add(x, y, m)
						}
					}
				}
			}
		}
	}
}

// groupHits clusters similar rectangles (corners within groupEps of their
// mean size), keeps clusters of at least minN hits, and drops a cluster
// lying inside a bigger one that has more hits.
func groupHits(hs []hit, minN int) []cluster {
	n := len(hs)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b := hs[i], hs[j]
			d := groupEps * (min(a.w, b.w) + min(a.h, b.h)) * 0.5
			if math.Abs(a.x-b.x) <= d && math.Abs(a.y-b.y) <= d &&
				math.Abs(a.x+a.w-b.x-b.w) <= d && math.Abs(a.y+a.h-b.y-b.h) <= d {
				if ra, rb := find(i), find(j); ra != rb {
					parent[max(ra, rb)] = min(ra, rb)
				}
			}
		}
	}
	byRoot := map[int]*cluster{}
	var order []int
	for i, hh := range hs {
		r := find(i)
		c := byRoot[r]
		if c == nil {
			c = &cluster{}
			byRoot[r] = c
			order = append(order, r)
		}
		c.x += hh.x
		c.y += hh.y
		c.w += hh.w
		c.h += hh.h
		c.n++
		c.margin = max(c.margin, hh.margin)
	}
	var cl []cluster
	for _, r := range order {
		c := byRoot[r]
		if c.n < minN {
			continue
		}
		k := float64(c.n)
		c.x, c.y, c.w, c.h = c.x/k, c.y/k, c.w/k, c.h/k
		cl = append(cl, *c)
	}
	var out []cluster
	for i, a := range cl {
		inside := false
		for j, b := range cl {
			if i == j || b.n <= a.n {
				continue
			}
			dx, dy := b.w*groupEps, b.h*groupEps
			if a.x >= b.x-dx && a.y >= b.y-dy && a.x+a.w <= b.x+b.w+dx && a.y+a.h <= b.y+b.h+dy {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].n > out[j].n })
	return out
}

// resizeGray area-samples src (w×h) to dw×dh (not larger), reusing buf.
func resizeGray(src []uint8, w, h, dw, dh int, buf []uint8) []uint8 {
	out := grow(buf, dw*dh)
	if &out[0] == &src[0] {
		out = make([]uint8, dw*dh)
	}
	fx, fy := float64(w)/float64(dw), float64(h)/float64(dh)
	for y := 0; y < dh; y++ {
		sy := (float64(y)+0.5)*fy - 0.5
		y0 := int(sy)
		ty := sy - float64(y0)
		y1 := min(y0+1, h-1)
		y0 = max(0, min(y0, h-1))
		for x := 0; x < dw; x++ {
			sx := (float64(x)+0.5)*fx - 0.5
			x0 := int(sx)
			tx := sx - float64(x0)
			x1 := min(x0+1, w-1)
			x0 = max(0, min(x0, w-1))
			top := float64(src[y0*w+x0])*(1-tx) + float64(src[y0*w+x1])*tx
			bot := float64(src[y1*w+x0])*(1-tx) + float64(src[y1*w+x1])*tx
			out[y*dw+x] = uint8(top*(1-ty) + bot*ty + 0.5)
		}
	}
	return out
}

// detectGray returns the luma of small (a box-shrunk copy of the photo)
// resized bilinearly so that its long side is side pixels; small photos
// are enlarged.
func detectGray(small rgbImage, side int) (pix []uint8, w, h int) {
	lum, sw, sh := small.gray(0)
	long := max(sw, sh)
	w = max(1, int(math.Round(float64(sw)*float64(side)/float64(long))))
	h = max(1, int(math.Round(float64(sh)*float64(side)/float64(long))))
	if w == sw && h == sh {
		return lum, w, h
	}
	return resizeGray(lum, sw, sh, w, h, nil), w, h
}
