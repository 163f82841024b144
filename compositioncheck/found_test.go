package compositioncheck

import (
	"context"
	"fmt"
	"image"
	"sort"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
)

// TestSubjectsFound reports, for every labelled photo and transform, which
// labels the engine found as a primary subject (one whose box overlaps the
// label by at least a third of the label), and what else it found. It is a
// report (go test -v -run TestSubjectsFound ./compositioncheck), not a
// check: the matrix checks what matters, the cards.
func TestSubjectsFound(t *testing.T) {
	if testing.Short() {
		t.Skip("report only")
	}
	eng := engine(t)
	photos, err := loadLabels()
	if err != nil {
		t.Fatal(err)
	}
	presets, err := preset.Select("all", nil)
	if err != nil {
		t.Fatal(err)
	}
	found, total := map[string]int{}, map[string]int{}
	var lines []string
	for _, v := range variants(photos, true) {
		data, err := v.data()
		if err != nil {
			t.Fatal(err)
		}
		prep, err := eng.Prepare(context.Background(), data, presets)
		if err != nil {
			t.Fatal(err)
		}
		var subs []string
		var rects []image.Rectangle
		for _, s := range prep.Subjects {
			r := prep.ToSource(s.Rect)
			mark := ""
			if plan.Primary(s) {
				rects = append(rects, r)
				mark = "*"
			}
			subs = append(subs, fmt.Sprintf("%s%s%.2f%v", mark, s.Kind, s.Score, r))
		}
		var miss []string
		for _, l := range v.labels {
			lr := l.rect()
			total[l.Kind]++
			hit := false
			for _, r := range rects {
				if 3*plan.Area(r.Intersect(lr)) >= plan.Area(lr) {
					hit = true
				}
			}
			if hit {
				found[l.Kind]++
			} else {
				miss = append(miss, fmt.Sprintf("%s%v", l.Kind, lr))
			}
		}
		lines = append(lines, fmt.Sprintf("%-28s missed %v\n    found %s", v.id, miss, strings.Join(subs, " ")))
	}
	sort.Strings(lines)
	for _, l := range lines {
		t.Log(l)
	}
	for k, n := range total {
		t.Logf("%-7s found %d/%d", k, found[k], n)
	}
}
