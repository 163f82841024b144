package studio

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sharecard/sharecard/corpus"
	"github.com/sharecard/sharecard/internal/testwait"

	"github.com/chromedp/chromedp"
)

// pageState is what the browser test reads from the page.
type pageState struct {
	Cards    int      `json:"cards"`
	Loaded   int      `json:"loaded"`
	Srcs     []string `json:"srcs"`
	Headline string   `json:"headline"`
	Problems string   `json:"problems"`
	Error    string   `json:"error"`
	Status   string   `json:"status"`
}

const readPage = `(() => {
	const imgs = [...document.querySelectorAll('#sizes .card img')];
	const probs = document.getElementById('problems');
	const err = document.getElementById('error');
	return {
		cards: imgs.length,
		loaded: imgs.filter((i) => i.complete && i.naturalWidth > 0 && i.getAttribute('src')).length,
		srcs: imgs.map((i) => i.getAttribute('src') || ''),
		headline: document.getElementById('headline').value,
		problems: probs.hidden ? '' : probs.innerText,
		error: err.hidden ? '' : err.innerText,
		status: document.getElementById('status').textContent,
	};
})()`

// TestBrowser drives the studio in headless Chromium: every preset is
// shown, typing a headline changes the images, saving a layout refreshes
// the page, a broken layout shows its line on the page, and choosing
// another sample shows its headline and images.
func TestBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		// CI installs it (.ci/run runs .ci/chromium.sh first) and must not
		// skip this test; elsewhere it may.
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not found: run bash .ci/chromium.sh")
		}
		t.Skip("chromium not found: run bash .ci/chromium.sh to run the browser test")
	}
	// A few presets keep the test quick under -race (the page shows every
	// preset by default): a card, a story with its safe area, two small TV
	// tiles and a thumbnail.
	presets := "og,instagram-story,roku-poster-hd,tvos-app-icon,thumb-square"
	const nPresets = 5
	env := newTestStudio(t, presets)
	srv := httptest.NewServer(env.mux)
	defer srv.Close()

	// No step has a deadline of its own, as a loaded machine may take any
	// time; the browser is stopped only just before go test's -timeout,
	// after waitUntil has said what it was waiting for.
	base := context.Background()
	if d, ok := t.Deadline(); ok {
		giveUp, _ := testwait.GiveUpAt(t)
		var cancelBase context.CancelFunc
		base, cancelBase = context.WithDeadline(base, giveUp.Add(d.Sub(giveUp)/2))
		defer cancelBase()
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(base,
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first Run starts the browser, which lives as long as ctx.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	read := func() pageState {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](readPage))
		if err != nil {
			t.Fatalf("read the page: %v", err)
		}
		return st
	}
	// waitFor polls the page until ok holds.
	waitFor := func(what string, ok func(pageState) bool) pageState {
		t.Helper()
		var st pageState
		waitUntil(t, what, func() (bool, any) {
			st = read()
			return ok(st), st
		})
		return st
	}
	allLoaded := func(st pageState) bool { return st.Cards == nPresets && st.Loaded == nPresets }
	// allNew holds when every image but those of the presets in same has
	// a new address and is loaded.
	allNew := func(old []string, same ...string) func(pageState) bool {
		return func(st pageState) bool {
			if !allLoaded(st) || len(st.Srcs) != len(old) {
				return false
			}
			for i := range old {
				keep := false
				for _, id := range same {
					keep = keep || strings.HasPrefix(old[i], "img/"+id+".")
				}
				if (st.Srcs[i] == old[i]) != keep {
					return false
				}
			}
			return true
		}
	}

	step("open the studio", chromedp.Navigate(srv.URL+"/studio/"))
	first := waitFor("every preset image", allLoaded)
	if first.Problems != "" || first.Error != "" {
		t.Fatalf("a fresh studio shows problems %q, error %q", first.Problems, first.Error)
	}

	// Typing a headline re-renders every image.
	begun := time.Now()
	step("type a headline",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => { const h = document.getElementById('headline'); h.focus(); h.value = ''; return true; })()`)(ctx, tg)
			return err
		}),
		chromedp.SendKeys(chromedp.CSS("#headline"), "Studio test: a headline typed in the browser"))
	// The 150-pixel thumbnail has no headline (min_short_side: 200), and
	// the identity assets (the channel poster, the app icon) show only
	// the logo.
	typed := waitFor("new images after typing", allNew(first.Srcs, "thumb-square", "roku-poster-hd", "tvos-app-icon"))
	t.Logf("typing to every image reloaded: %v", time.Since(begun).Round(time.Millisecond))
	if got := env.headline(); got != "Studio test: a headline typed in the browser" {
		t.Errorf("the server renders headline %q", got)
	}

	// Saving a changed layout refreshes the page.
	orig := env.readLayout()
	begun = time.Now()
	env.writeLayout(strings.Replace(orig, `accent: "#C8102E"`, `accent: "#1060C8"`, 1))
	saved := waitFor("new images after saving the layout", allNew(typed.Srcs))
	t.Logf("save to every image reloaded: %v", time.Since(begun).Round(time.Millisecond))

	// A broken layout shows its file and line instead of the images.
	lines := strings.Split(orig, "\n")
	line := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "description:") {
			line = i + 2 // the inserted line comes after it, 1-based
			lines = append(lines[:i+1], append([]string{"colour_scheme: dark"}, lines[i+1:]...)...)
			break
		}
	}
	env.writeLayout(strings.Join(lines, "\n"))
	want := fmt.Sprintf("standard.yaml:%d:1", line)
	broken := waitFor("the layout's problem on the page", func(st pageState) bool { return strings.Contains(st.Problems, want) })
	if !strings.Contains(broken.Problems, `unknown key "colour_scheme"`) {
		t.Errorf("the banner does not name the key: %q", broken.Problems)
	}
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById('sizes')).display !== 'none'`))
	if err != nil {
		t.Fatal(err)
	}
	if visible {
		t.Error("the images are still shown under a broken layout")
	}

	// Fixing it brings the images back.
	env.writeLayout(orig)
	waitFor("the images after the fix", func(st pageState) bool {
		return st.Problems == "" && allNew(saved.Srcs)(st)
	})

	// Clicking the photo sets the focus point there and re-renders.
	step("click the photo's top-left quarter",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			// Dispatch a real click at a quarter of the photo's width and height.
			_, err := chromedp.Evaluate[bool](`(() => {
				const img = document.getElementById('photo');
				img.scrollIntoView();
				const r = img.getBoundingClientRect();
				img.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.left + r.width / 4, clientY: r.top + r.height / 4}));
				return true;
			})()`)(ctx, tg)
			return err
		}))
	// (The test article starts with focus 0.4, 0.3.)
	env.settle("focus about (0.25, 0.25) from the click", func(v stateView) bool {
		f := v.Article.Focus
		return f != nil && f.X > 0.2 && f.X < 0.3 && f.Y > 0.2 && f.Y < 0.3
	})
	// The page marks the point (the sample photo is small, so the crops
	// themselves may not move).
	waitUntil(t, "the focus dot at about 25% from the left", func() (bool, any) {
		left, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const d = document.getElementById('focus-dot'); return d.hidden ? '' : d.style.left; })()`))
		if err != nil {
			t.Fatal(err)
		}
		return strings.HasPrefix(left, "25") || strings.HasPrefix(left, "24"), "left " + left
	})

	// Choosing another sample shows its headline and its images.
	before := read()
	begun = time.Now()
	step("choose the k1-air-base sample",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => {
				const s = document.getElementById('sample');
				s.focus();
				s.value = 'k1-air-base';
				s.dispatchEvent(new Event('change', {bubbles: true}));
				return true;
			})()`)(ctx, tg)
			return err
		}))
	switched := waitFor("the k1-air-base sample's images", func(st pageState) bool {
		return strings.HasPrefix(st.Headline, "Occupying US forces") && allNew(before.Srcs, "roku-poster-hd", "tvos-app-icon")(st)
	})
	t.Logf("choosing a sample to every image reloaded: %v", time.Since(begun).Round(time.Millisecond))
	if switched.Error != "" {
		t.Errorf("after switching samples the page shows error %q", switched.Error)
	}

	// Choosing a corpus headline puts it, in its language, on every size.
	step("choose the Thai corpus headline",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => {
				const s = document.getElementById('corpus');
				s.focus();
				s.value = 'th';
				s.dispatchEvent(new Event('change', {bubbles: true}));
				return true;
			})()`)(ctx, tg)
			return err
		}))
	thai, _ := corpus.Lookup("th")
	waitFor("the Thai headline's images", func(st pageState) bool {
		return st.Headline == thai.Headline && allNew(switched.Srcs, "thumb-square", "roku-poster-hd", "tvos-app-icon")(st)
	})
	if lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('headline').lang`)); err != nil || lang != "th" {
		t.Errorf("the headline field's lang is %q (%v), want th", lang, err)
	}

	// The mock-ups tab shows the cards where they land.
	// (Back to the top first: the photo click scrolled the page, and the
	// sticky header would take a click meant for the tab.)
	step("open the mock-ups",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => { window.scrollTo(0, 0); return true; })()`)(ctx, tg)
			return err
		}),
		chromedp.Click(chromedp.CSS("#tab-mockups")))
	waitUntil(t, "at least 5 loaded card images in the mock-ups tab (X, Facebook, LinkedIn, WhatsApp, story)", func() (bool, any) {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#mockups .scm-panel img')].filter((i) => i.complete && i.naturalWidth > 0).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n >= 5, fmt.Sprintf("%d loaded", n)
	})
	tabs, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`['sizes', 'mockups-panel'].map((id) => getComputedStyle(document.getElementById(id)).display !== 'none')`))
	if err != nil {
		t.Fatal(err)
	}
	if tabs[0] || !tabs[1] {
		t.Errorf("with the mock-ups tab chosen, sizes shown = %v and mock-ups shown = %v; want only the mock-ups", tabs[0], tabs[1])
	}

	if path := os.Getenv("STUDIO_SCREENSHOT"); path != "" {
		step("show the overlays", chromedp.Click(chromedp.CSS("#show-safe")), chromedp.Click(chromedp.CSS("#show-text")), chromedp.Click(chromedp.CSS("#show-crop")))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *testStudio) readLayout() string {
	data, err := os.ReadFile(filepath.Join(e.dir, "standard.yaml"))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(data)
}

// writeLayout saves standard.yaml the way many editors do: a new file
// renamed over the old one.
func (e *testStudio) writeLayout(content string) {
	tmp := filepath.Join(e.dir, ".standard.yaml.tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(e.dir, "standard.yaml")); err != nil {
		e.t.Fatal(err)
	}
}
