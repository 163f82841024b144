package corpuscheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	gofont "github.com/go-text/typesetting/font"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/render"
	"github.com/sharecard/sharecard/render/layout"
	"github.com/sharecard/sharecard/render/plan"
	"github.com/sharecard/sharecard/render/preset"
)

// TestTypeCompare sets the headline of every golden corpus entry (one or
// more per script) as sharecard sets it on the og card of the standard
// layout, and the same text, font size, box width, line height, language
// and direction in headless Chromium with the repository's fonts only (a
// temporary fontconfig that knows just fonts/), balanced as sharecard
// balances, its first baseline moved onto sharecard's. It writes, to the
// folder named by SHARECARD_TYPECOMPARE_OUT:
//
//   - <entry>.png: sharecard's lines on the left, Chromium's on the right;
//   - report.txt: each side's lines, and whether the line breaks agree.
//
// It is for a person to look at, and runs only when the variable is set:
//
//	bash bench/typecompare.sh   # or
//	SHARECARD_TYPECOMPARE_OUT=/tmp/tc go test ./corpuscheck/ -run TestTypeCompare -v
func TestTypeCompare(t *testing.T) {
	out := os.Getenv("SHARECARD_TYPECOMPARE_OUT")
	if out == "" {
		t.Skip("set SHARECARD_TYPECOMPARE_OUT to a folder (bench/typecompare.sh does) to compare with Chromium")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium not found: run bash .ci/chromium.sh")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	fontDir, err := filepath.Abs(filepath.Join("..", "fonts"))
	if err != nil {
		t.Fatal(err)
	}
	// A fontconfig that knows the repository's fonts and nothing else.
	tmp := t.TempDir()
	conf := filepath.Join(tmp, "fonts.conf")
	if err := os.WriteFile(conf, []byte(`<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>`+html.EscapeString(fontDir)+`</dir>
  <cachedir>`+html.EscapeString(filepath.Join(tmp, "cache"))+`</cachedir>
</fontconfig>
`), 0o644); err != nil {
		t.Fatal(err)
	}

	eng := engine(t)
	lays := builtinLayouts(t, eng)
	og, _ := preset.Lookup("og")
	l := lays["standard"]

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.Env("FONTCONFIG_FILE="+conf),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.WindowSize(1400, 1000),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	var report strings.Builder
	agree := 0
	n := 0
	for _, e := range corpus.All() {
		if !e.Golden {
			continue
		}
		n++
		a := entryArticle(t, e)
		a.Headline = e.Headline // keep spaces the article parser may fold
		pl, err := eng.PlanCard(render.Job{Article: a, Layout: l, Presets: []preset.Preset{og}}, nil, og)
		if err != nil && !errors.Is(err, render.ErrMissingGlyphs) || pl == nil {
			t.Errorf("%s: %v", e.ID, err)
			continue
		}
		pld, ly := headlineLayer(l, pl)
		if pld == nil {
			t.Errorf("%s: no headline on the og card", e.ID)
			continue
		}
		tb := pld.Text
		w, h := pld.Box.Dx(), max(pld.Box.Dy(), int(tb.Height)+8)
		ours := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.Draw(ours, ours.Bounds(), image.White, image.Point{}, draw.Src)
		_ = eng.FontsFor(l).Draw(tb, ours, pld.TextX-float64(pld.Box.Min.X), pld.TextY-float64(pld.Box.Min.Y), color.Black)

		pitch := 1.2
		if ly.LineHeight > 0 {
			pitch = ly.LineHeight
		}
		if len(tb.Lines) > 1 {
			pitch = (tb.Lines[1].Baseline - tb.Lines[0].Baseline) / tb.Size
		}
		dir := "ltr"
		if tb.RTL {
			dir = "rtl"
		}
		wordBreak := "normal"
		if strings.HasPrefix(e.Lang, "ko") {
			wordBreak = "keep-all" // the issue asks Korean to break at spaces only
		}
		page := fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8"><style>
html, body { margin: 0; background: #fff; }
#t { position: absolute; left: 0; top: %.1fpx; width: %dpx; font-family: %s; font-weight: %d;
  font-size: %.3fpx; line-height: %.4f; text-align: %s; color: #000; word-break: %s; text-wrap: balance;
  font-kerning: normal; -webkit-font-smoothing: antialiased; }
</style></head><body><div id="t" lang="%s" dir="%s"><span id="b" style="display: inline-block; width: 0; height: 0"></span>%s</div></body></html>`,
			pld.TextY-float64(pld.Box.Min.Y), w, cssFamilies(t, fontDir, tb.Fonts, e.Lang), max(ly.Font.Weight, 400), tb.Size, pitch,
			cssAlign(ly), wordBreak, html.EscapeString(e.Lang), dir, html.EscapeString(e.Headline))
		file := filepath.Join(tmp, e.ID+".html")
		if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate("file://"+file)); err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, awaitPromise)); err != nil {
			t.Fatalf("%s: fonts: %v", e.ID, err)
		}
		// Move Chromium's lines so its first baseline is sharecard's (CSS
		// puts half the leading above the first line, sharecard does not).
		base := pld.TextY - float64(pld.Box.Min.Y) + tb.Lines[0].Baseline
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			const t = document.getElementById('t');
			const b = document.getElementById('b').getBoundingClientRect().bottom;
			t.style.top = (parseFloat(t.style.top || getComputedStyle(t).top) + %f - b) + 'px';
			return true;
		})()`, base))); err != nil {
			t.Fatalf("%s: align: %v", e.ID, err)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("%s: screenshot: %v", e.ID, err)
		}
		theirLines, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](chromiumLines))
		if err != nil {
			t.Fatalf("%s: lines: %v", e.ID, err)
		}
		theirs, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		if err := writePNG(filepath.Join(out, e.ID+".png"), sideBySide(ours, theirs)); err != nil {
			t.Fatal(err)
		}
		var ourLines []string
		for _, ln := range tb.Lines {
			ourLines = append(ourLines, strings.TrimSpace(ln.Text))
		}
		same := strings.Join(ourLines, "\n") == strings.Join(theirLines, "\n")
		if same {
			agree++
		}
		fmt.Fprintf(&report, "== %s (%s, %s) %.0f px in %d px, missing %q: breaks agree: %v\n  sharecard: %s\n  chromium:  %s\n",
			e.ID, e.Lang, e.Script, tb.Size, w, string(tb.Missing), same, strings.Join(ourLines, " | "), strings.Join(theirLines, " | "))
	}
	fmt.Fprintf(&report, "\nline breaks agree on %d of %d headlines\n", agree, n)
	if err := os.WriteFile(filepath.Join(out, "report.txt"), []byte(report.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: line breaks agree on %d of %d headlines\n%s", out, agree, n, report.String())
}

// awaitPromise makes Evaluate wait for the promise the expression returns.
func awaitPromise(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }

// chromiumLines returns the text of #t line by line as Chromium laid it
// out: characters are grouped by the top of their box.
const chromiumLines = `(() => {
	const node = document.getElementById('t').lastChild;
	const text = node.textContent;
	const lines = [];
	let top = null, cur = '';
	const r = document.createRange();
	for (let i = 0; i < text.length; i++) {
		let j = i + 1;
		if (j < text.length && text.charCodeAt(i) >= 0xD800 && text.charCodeAt(i) < 0xDC00) j++;
		r.setStart(node, i); r.setEnd(node, j);
		const rects = r.getClientRects();
		const ch = text.slice(i, j);
		i = j - 1;
		if (rects.length === 0) { cur += ch; continue; }
		const y = rects[0].top;
		if (top !== null && Math.abs(y - top) > 2 && ch.trim() !== '') {
			lines.push(cur.trim()); cur = '';
		}
		if (ch.trim() !== '' || top === null) top = y;
		cur += ch;
	}
	if (cur.trim() !== '') lines.push(cur.trim());
	return lines;
})()`

// headlineLayer returns the planned headline layer of pl and the layout
// layer it comes from.
func headlineLayer(l *layout.Layout, pl *plan.Plan) (*plan.PlannedLayer, *layout.Layer) {
	v, err := l.VariantFor(pl.Width, pl.Height)
	if err != nil {
		return nil, nil
	}
	for i := range pl.Layers {
		pld := &pl.Layers[i]
		if ly := layerOf(v, pld); pld.Text != nil && ly != nil && ly.Field == "headline" {
			return pld, ly
		}
	}
	return nil, nil
}

// cssAlign is the CSS text-align of a layer.
func cssAlign(ly *layout.Layer) string {
	return ly.Align.String()
}

// sideBySide puts a and b next to each other on white, with a grey rule
// between them.
func sideBySide(a, b image.Image) *image.NRGBA {
	ab, bb := a.Bounds(), b.Bounds()
	const gap = 6
	out := image.NewNRGBA(image.Rect(0, 0, ab.Dx()+gap+bb.Dx(), max(ab.Dy(), bb.Dy())))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(ab.Dx(), 0, ab.Dx()+gap, out.Bounds().Dy()), image.NewUniform(color.NRGBA{200, 0, 0, 255}), image.Point{}, draw.Src)
	draw.Draw(out, ab.Sub(ab.Min), a, ab.Min, draw.Src)
	draw.Draw(out, bb.Sub(bb.Min).Add(image.Pt(ab.Dx()+gap, 0)), b, bb.Min, draw.Src)
	return out
}

// cssFamilies is a CSS font-family list naming the families of the font
// files sharecard drew the block with, in its order, so Chromium uses the
// same fonts. A font collection (the CJK .ttc) lists the face for lang
// first (SC for zh-Hans, TC for zh-Hant, JP for ja, KR for ko).
func cssFamilies(t *testing.T, dir string, files []string, lang string) string {
	t.Helper()
	var fams []string
	seen := map[string]bool{}
	addFam := func(f string) {
		if !seen[f] {
			seen[f] = true
			fams = append(fams, strconv.Quote(f))
		}
	}
	for _, name := range files {
		name = strings.SplitN(strings.SplitN(name, "#", 2)[0], ":", 2)[0]
		data, err := os.ReadFile(filepath.Join(dir, filepath.Base(name)))
		if err != nil {
			t.Logf("font %s: %v", name, err)
			continue
		}
		faces, err := gofont.ParseTTC(bytes.NewReader(data))
		if err != nil {
			t.Logf("font %s: %v", name, err)
			continue
		}
		var names []string
		for _, f := range faces {
			names = append(names, f.Describe().Family)
		}
		want := map[string]string{"zh-Hans": " SC", "zh-Hant": " TC", "ja": " JP", "ko": " KR"}[lang]
		sort.SliceStable(names, func(i, j int) bool {
			return want != "" && strings.HasSuffix(names[i], want) && !strings.HasSuffix(names[j], want)
		})
		for _, n := range names {
			addFam(n)
		}
	}
	return strings.Join(append(fams, "sans-serif"), ", ")
}
