package preset

import (
	"image"
	"slices"
	"strings"
	"testing"
)

func TestPresetsValidate(t *testing.T) {
	all := All()
	if len(all) < 50 {
		t.Errorf("only %d built-in presets, want the 50 researched plus 2 thumbnails", len(all))
	}
	seen := make(map[string]bool)
	for _, p := range all {
		t.Run(p.ID, func(t *testing.T) {
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			if seen[p.ID] {
				t.Errorf("duplicate id %q", p.ID)
			}
			seen[p.ID] = true
			if p.Platform == "" || p.Placement == "" || p.Source == "" {
				t.Errorf("platform, placement or source missing: %+v", p)
			}
			if slices.Contains(p.Formats, FormatJPEG) && p.Format != FormatJPEG {
				t.Errorf("format %q, want jpeg since the platform accepts it", p.Format)
			}
			if !slices.Contains(p.Formats, FormatJPEG) && p.Format != p.Formats[0] {
				t.Errorf("format %q, want the first accepted %q", p.Format, p.Formats[0])
			}
			if got, ok := Lookup(p.ID); !ok || got.ID != p.ID {
				t.Errorf("LookupPreset(%q) = %v, %v", p.ID, got.ID, ok)
			}
		})
	}
}

func TestPresetFacts(t *testing.T) {
	tests := []struct {
		id                 string
		w, h, maxBytes     int
		format             Format
		safe               Insets
		formats, noteHolds string
	}{
		{id: "og", w: 1200, h: 630, maxBytes: 300_000, format: FormatJPEG, formats: "jpeg png"},
		{id: "instagram-story", w: 1080, h: 1920, maxBytes: 8_000_000, format: FormatJPEG,
			safe: Insets{Top: 269, Bottom: 384}, formats: "jpeg png"},
		{id: "instagram-reel-cover", w: 1080, h: 1920, maxBytes: 8_000_000, format: FormatJPEG,
			safe: Insets{Top: 269, Right: 65, Bottom: 672, Left: 65}, formats: "jpeg"},
		{id: "ctv-hero-uhd", w: 3840, h: 2160, format: FormatJPEG,
			safe: Insets{Top: 108, Right: 192, Bottom: 108, Left: 192}, formats: "jpeg png"},
		{id: "roku-fullscreen-fhd", w: 1920, h: 1080, format: FormatJPEG,
			safe: Insets{Top: 106, Right: 194, Bottom: 108, Left: 192}, formats: "jpeg png"},
		{id: "apple-podcasts-cover", w: 3000, h: 3000, format: FormatJPEG, safe: Insets{Bottom: 600}, formats: "jpeg png"},
		{id: "x-summary", w: 1200, h: 1200, maxBytes: 5_000_000, format: FormatJPEG, formats: "jpeg png webp", noteHolds: "Also accepts gif"},
		{id: "youtube-thumb", w: 1280, h: 720, maxBytes: 2_000_000, format: FormatJPEG, formats: "jpeg png", noteHolds: "gif, bmp"},
		{id: "tvos-fullscreen", w: 1920, h: 1080, format: FormatJPEG, safe: Insets{Top: 60, Right: 80, Bottom: 60, Left: 80},
			formats: "jpeg png", noteHolds: "heic"},
		{id: "tvos-top-shelf", w: 1920, h: 720, format: FormatJPEG, formats: "png jpeg"},
		{id: "tvos-app-icon", w: 400, h: 240, format: FormatPNG, formats: "png"},
		{id: "bluesky-link-card", w: 1200, h: 630, maxBytes: 1_000_000, format: FormatJPEG, formats: "jpeg png webp"},
		{id: "thumb-16x9", w: 320, h: 180, format: FormatJPEG, formats: "jpeg"},
		{id: "thumb-square", w: 150, h: 150, format: FormatJPEG, formats: "jpeg"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p, ok := Lookup(tt.id)
			if !ok {
				t.Fatalf("no preset %q", tt.id)
			}
			if p.Width != tt.w || p.Height != tt.h || p.MaxBytes != tt.maxBytes || p.Format != tt.format || p.Safe != tt.safe {
				t.Errorf("got %dx%d max %d %s safe %+v\nwant %dx%d max %d %s safe %+v",
					p.Width, p.Height, p.MaxBytes, p.Format, p.Safe, tt.w, tt.h, tt.maxBytes, tt.format, tt.safe)
			}
			var fs []string
			for _, f := range p.Formats {
				fs = append(fs, string(f))
			}
			if got := strings.Join(fs, " "); got != tt.formats {
				t.Errorf("formats %q, want %q", got, tt.formats)
			}
			if !strings.Contains(p.Notes, tt.noteHolds) {
				t.Errorf("notes %q do not mention %q", p.Notes, tt.noteHolds)
			}
		})
	}
}

func TestStandardPresets(t *testing.T) {
	std := Standard()
	if len(std) < 15 {
		t.Fatalf("standard set has %d presets, want at least 15", len(std))
	}
	var ids []string
	for _, p := range std {
		if !p.Standard {
			t.Errorf("%s in the standard set without Standard", p.ID)
		}
		ids = append(ids, p.ID)
	}
	for _, id := range standardIDs() {
		if !slices.Contains(ids, id) {
			t.Errorf("standard set lacks %q", id)
		}
	}
	if len(ids) != len(standardIDs()) {
		t.Errorf("standard set %v, want exactly %v", ids, standardIDs())
	}
	if p, _ := Lookup("email-hero"); p.Standard {
		t.Errorf("email-hero is marked standard")
	}
}

func TestPresetsReturnsCopy(t *testing.T) {
	a := All()
	a[0].ID = "changed"
	a[0].Formats[0] = "gif"
	a[0].Safe.Top = 999
	b := All()
	if b[0].ID == "changed" || b[0].Formats[0] == "gif" || b[0].Safe.Top == 999 {
		t.Errorf("changing one result of Presets changed the next: %+v", b[0])
	}
	p, _ := Lookup("og")
	p.Formats[0] = "gif"
	if q, _ := Lookup("og"); q.Formats[0] != FormatJPEG {
		t.Errorf("changing a looked-up preset changed the table")
	}
}

func presetIDs(ps []Preset) string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return strings.Join(ids, ",")
}

func TestSelectPresets(t *testing.T) {
	custom := Preset{ID: "acme-banner", Platform: "Acme", Width: 600, Height: 200,
		Format: FormatPNG, Formats: []Format{FormatPNG}, Standard: true}
	bigOG := Preset{ID: "og", Platform: "Open Graph", Width: 2400, Height: 1260,
		Format: FormatJPEG, Formats: []Format{FormatJPEG}}
	stdIDs := presetIDs(Standard())
	tests := []struct {
		name  string
		spec  string
		extra []Preset
		want  string
	}{
		{"empty is standard", "", nil, stdIDs},
		{"blank is standard", "  ", nil, stdIDs},
		{"list keeps order", "x-summary,og", nil, "x-summary,og"},
		{"spaces and case", " OG , instagram-story ", nil, "og,instagram-story"},
		{"duplicates removed", "og,x-summary,og", nil, "og,x-summary"},
		{"empty items skipped", "og,,x-summary,", nil, "og,x-summary"},
		{"standard plus one", "standard,email-hero", nil, stdIDs + ",email-hero"},
		{"extra by id", "acme-banner", []Preset{custom}, "acme-banner"},
		{"standard with standard extra", "", []Preset{custom}, stdIDs + ",acme-banner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.spec, tt.extra)
			if err != nil {
				t.Fatal(err)
			}
			if ids := presetIDs(got); ids != tt.want {
				t.Errorf("got %s\nwant %s", ids, tt.want)
			}
		})
	}

	t.Run("all", func(t *testing.T) {
		got, err := Select("all", []Preset{custom})
		if err != nil {
			t.Fatal(err)
		}
		if want := len(All()) + 1; len(got) != want || got[len(got)-1].ID != "acme-banner" {
			t.Errorf("all gave %d presets ending %q, want %d ending acme-banner", len(got), got[len(got)-1].ID, want)
		}
	})
	t.Run("override keeps place", func(t *testing.T) {
		got, err := Select("", []Preset{bigOG})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].ID != "og" || got[0].Width != 2400 {
			t.Errorf("first preset %s %dx%d, want the overriding og 2400 wide", got[0].ID, got[0].Width, got[0].Height)
		}
	})
}

func TestSelectPresetsErrors(t *testing.T) {
	tests := []struct {
		name    string
		spec    string
		extra   []Preset
		phrases []string
	}{
		{"typo", "ogg", nil, []string{`unknown preset "ogg" (did you mean "og"?)`}},
		{"typo long id", "instagram-storry", nil, []string{`did you mean "instagram-story"?`}},
		{"no suggestion", "og,zzzzzzzz", nil, []string{`unknown preset "zzzzzzzz"`, `"all"`}},
		{"every unknown reported", "ogg,x-sumary", nil, []string{`"ogg"`, `did you mean "x-summary"?`}},
		{"only commas", ",,", nil, []string{"no presets selected"}},
		{"invalid extra", "", []Preset{{ID: "Bad ID", Width: 100, Height: 100}}, []string{`preset id "Bad ID"`}},
		{"extra twice", "", []Preset{
			{ID: "a", Width: 100, Height: 100, Format: FormatPNG, Formats: []Format{FormatPNG}},
			{ID: "a", Width: 200, Height: 100, Format: FormatPNG, Formats: []Format{FormatPNG}},
		}, []string{`preset "a" is defined twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.spec, tt.extra)
			if err == nil {
				t.Fatalf("no error; got %s", presetIDs(got))
			}
			for _, ph := range tt.phrases {
				if !strings.Contains(err.Error(), ph) {
					t.Errorf("error %q lacks %q", err, ph)
				}
			}
		})
	}
}

func TestPresetValidateErrors(t *testing.T) {
	ok := Preset{ID: "ok", Width: 1200, Height: 630, Format: FormatJPEG, Formats: []Format{FormatJPEG, FormatPNG}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid preset: %v", err)
	}
	tests := []struct {
		name   string
		change func(*Preset)
		phrase string
	}{
		{"empty id", func(p *Preset) { p.ID = "" }, "preset id"},
		{"upper-case id", func(p *Preset) { p.ID = "OG" }, "lower-case"},
		{"id with space", func(p *Preset) { p.ID = "my og" }, "lower-case"},
		{"double hyphen", func(p *Preset) { p.ID = "a--b" }, "single hyphens"},
		{"too narrow", func(p *Preset) { p.Width = 15 }, "width 15 px is outside 16..8192"},
		{"too tall", func(p *Preset) { p.Height = 8193 }, "height 8193 px is outside"},
		{"min above size", func(p *Preset) { p.MinWidth = 1300 }, "minimum width 1300"},
		{"no formats", func(p *Preset) { p.Formats = nil }, "no formats"},
		{"gif format", func(p *Preset) { p.Formats = []Format{"gif"}; p.Format = "gif" }, `format "gif" is not an output format`},
		{"jpg spelling", func(p *Preset) { p.Formats = []Format{"jpg"}; p.Format = "jpg" }, `format "jpg"`},
		{"format twice", func(p *Preset) { p.Formats = []Format{FormatPNG, FormatPNG}; p.Format = FormatPNG }, "listed twice"},
		{"default not accepted", func(p *Preset) { p.Format = FormatWebP }, `default format "webp" is not among`},
		{"negative bytes", func(p *Preset) { p.MaxBytes = -1 }, "negative"},
		{"negative inset", func(p *Preset) { p.Safe.Left = -1 }, "must not be negative"},
		{"insets fill canvas", func(p *Preset) { p.Safe.Top, p.Safe.Bottom = 315, 315 }, "leave no room"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			p.Formats = slices.Clone(ok.Formats)
			tt.change(&p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.phrase) {
				t.Errorf("Validate() = %v, want an error with %q", err, tt.phrase)
			}
		})
	}
}

func TestPresetPurposes(t *testing.T) {
	tests := []struct {
		id, purpose string
	}{
		{"og", PurposeCard},
		{"instagram-story", PurposeCard},
		{"youtube-thumb", PurposeCard},
		{"tvos-app-icon", PurposeIdentity},
		{"tvos-app-store-icon", PurposeIdentity},
		{"androidtv-banner", PurposeIdentity},
		{"firetv-app-icon", PurposeIdentity},
		{"roku-poster-hd", PurposeIdentity},
		{"firetv-catalog-episodic", PurposeClean},
		{"tvos-fullscreen", PurposeClean},
		{"androidtv-fullscreen", PurposeClean},
		{"google-article-16x9", PurposeClean},
		{"google-article-1x1", PurposeClean},
		{"web-story-poster", PurposeClean},
		{"firetv-catalog-poster", PurposeCard},
	}
	for _, tt := range tests {
		p, ok := Lookup(tt.id)
		if !ok {
			t.Fatalf("no preset %q", tt.id)
		}
		if p.Purpose != tt.purpose || p.PurposeOrCard() != tt.purpose {
			t.Errorf("%s: purpose %q, want %q", tt.id, p.Purpose, tt.purpose)
		}
	}
	for _, p := range All() {
		if !slices.Contains(Purposes(), p.Purpose) {
			t.Errorf("%s: purpose %q is not set to one of %v", p.ID, p.Purpose, Purposes())
		}
	}
	if got := (Preset{}).PurposeOrCard(); got != PurposeCard {
		t.Errorf("empty purpose reads as %q, want card", got)
	}
}

func TestPresetKeepOut(t *testing.T) {
	tests := []struct {
		id   string
		want string
	}{
		{"youtube-thumb", "1024,612-1280,720"},
		{"x-summary-large", "0,510-480,600"},
		{"og", "—"},
		{"x-summary", "—"},
	}
	for _, tt := range tests {
		p, _ := Lookup(tt.id)
		if got := p.KeepOutString(); got != tt.want {
			t.Errorf("%s: keep-out %s, want %s", tt.id, got, tt.want)
		}
	}
	// A keep-out zone splits a canvas group: youtube-thumb shares its size
	// with roku-dp-thumbnail but not its plan.
	yt, _ := Lookup("youtube-thumb")
	roku, _ := Lookup("roku-dp-thumbnail")
	icon, _ := Lookup("firetv-app-icon")
	if g := Canvases([]Preset{yt, roku, icon}); len(g) != 3 {
		t.Errorf("youtube-thumb, roku-dp-thumbnail and firetv-app-icon grouped as %v, want three canvases", g)
	}
	a := All()
	for i := range a {
		if a[i].ID == "youtube-thumb" {
			a[i].KeepOut[0].Min.X = 1
		}
	}
	if p, _ := Lookup("youtube-thumb"); p.KeepOut[0].Min.X != 1024 {
		t.Errorf("changing a result of All changed the table's keep-out")
	}
}

func TestPresetValidatePurposeKeepOut(t *testing.T) {
	ok := Preset{ID: "ok", Width: 1200, Height: 630, Format: FormatJPEG, Formats: []Format{FormatJPEG}}
	tests := []struct {
		name   string
		change func(*Preset)
		phrase string
	}{
		{"valid clean", func(p *Preset) { p.Purpose = PurposeClean }, ""},
		{"valid keep-out", func(p *Preset) { p.KeepOut = []image.Rectangle{image.Rect(0, 500, 200, 630)} }, ""},
		{"bad purpose", func(p *Preset) { p.Purpose = "poster" }, `purpose "poster" is not one of card, clean, identity`},
		{"keep-out outside", func(p *Preset) { p.KeepOut = []image.Rectangle{image.Rect(1100, 500, 1300, 630)} }, "inside the 1200x630 canvas"},
		{"empty keep-out", func(p *Preset) { p.KeepOut = []image.Rectangle{{}} }, "non-empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.change(&p)
			err := p.Validate()
			if tt.phrase == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.phrase) {
				t.Errorf("Validate() = %v, want an error with %q", err, tt.phrase)
			}
		})
	}
}
