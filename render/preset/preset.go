package preset

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"

	"github.com/sharecard/sharecard/render/strictyaml"
)

// Preset is one output size of one platform.
type Preset struct {
	// ID names the preset on the command line and in output file names,
	// e.g. "og"; lower-case letters, digits and hyphens.
	ID string `json:"id"`
	// Platform is who displays the image, e.g. "Instagram".
	Platform string `json:"platform"`
	// Placement is where the platform shows it, e.g. "Stories".
	Placement string `json:"placement"`
	// Width and Height are the size to render, in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`
	// MinWidth and MinHeight are the smallest size the platform accepts or
	// displays well, in pixels; 0 when not documented.
	MinWidth  int `json:"leastwidth,omitempty"`
	MinHeight int `json:"leastheight,omitempty"`
	// Format is the default output format: JPEG when the platform accepts
	// it, else the first of Formats.
	Format Format `json:"format"`
	// Formats are the output formats the platform accepts, safest first.
	Formats []Format `json:"formats"`
	// MaxBytes is the largest file the platform accepts, in bytes; 0 means
	// no limit.
	MaxBytes int `json:"max_bytes,omitempty"`
	// Safe is the safe area: insets in pixels at Width x Height that the
	// platform's own interface may cover, so text and logos stay out.
	Safe Insets `json:"safe"`
	// Purpose says what the image is for: [PurposeCard] (a card with
	// text; the default, also when empty), [PurposeClean] (the photo and at
	// most a small logo, for places that print the title themselves) or
	// [PurposeIdentity] (the brand's logo only: app icons and banners).
	// A layout's variants are chosen per purpose.
	Purpose string `json:"purpose,omitempty"`
	// KeepOut are corner zones, in canvas pixels, that the platform draws
	// its own interface over (YouTube's duration badge, X's domain
	// label): text, logos and the credit stay out of them. Unlike Safe
	// they do not shrink the area layouts are measured in.
	KeepOut []image.Rectangle `json:"keep_out,omitempty"`
	// Standard marks the presets rendered when none are asked for.
	Standard bool `json:"standard"`
	// Source says where the figures come from.
	Source string `json:"source"`
	// Notes holds caveats: disagreements between sources, accepted formats
	// sharecard does not write (gif, bmp, heic), companion sizes.
	Notes string `json:"notes,omitempty"`
}

// The purposes of a preset (see [Preset.Purpose]).
const (
	PurposeCard     = "card"
	PurposeClean    = "clean"
	PurposeIdentity = "identity"
)

// Purposes lists the purposes in the order they are documented.
func Purposes() []string { return []string{PurposeCard, PurposeClean, PurposeIdentity} }

// PurposeOrCard returns p's purpose, [PurposeCard] when it is empty.
func (p Preset) PurposeOrCard() string {
	if p.Purpose == "" {
		return PurposeCard
	}
	return p.Purpose
}

// KeepOutString describes the keep-out zones as "x0,y0-x1,y1" in canvas
// pixels, separated by "; ", or "—" when there are none (the form of the
// README's presets table and `sharecard presets`).
func (p Preset) KeepOutString() string {
	if len(p.KeepOut) == 0 {
		return "—"
	}
	parts := make([]string, len(p.KeepOut))
	for i, r := range p.KeepOut {
		parts[i] = fmt.Sprintf("%d,%d-%d,%d", r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
	}
	return strings.Join(parts, "; ")
}

// Size limits checked by [Preset.Validate], in pixels.
const (
	MinPresetSide = 16
	MaxPresetSide = 8192
)

// standardIDs lists the ids of the default set; it is output in table order.
func standardIDs() []string {
	return []string{"og", "x-summary-large", "x-summary", "facebook-feed-square",
		"linkedin-image-landscape", "instagram-square", "instagram-portrait", "instagram-story",
		"pinterest-pin", "youtube-thumb", "ctv-hero-fhd", "ctv-hero-uhd", "tvos-top-shelf",
		"roku-dp-thumbnail", "google-article-16x9", "google-article-4x3", "google-article-1x1",
		"thumb-16x9", "thumb-square"}
}

// All returns every built-in preset in a stable order. The slice and
// its Formats are fresh copies the caller may change.
func All() []Preset {
	rows := presetRows()
	std := standardIDs()
	out := make([]Preset, len(rows))
	for i, r := range rows {
		out[i] = r.preset(slices.Contains(std, r.id))
	}
	return out
}

// Standard returns the default set of presets, the ones with
// Standard set, in the order of [All].
func Standard() []Preset {
	return slices.DeleteFunc(All(), func(p Preset) bool { return !p.Standard })
}

// Lookup returns the built-in preset with the given id.
func Lookup(id string) (Preset, bool) {
	for _, p := range All() {
		if p.ID == id {
			return p, true
		}
	}
	return Preset{}, false
}

// Select picks the presets to render from a comma-separated spec:
// "" gives the standard set, "all" every built-in preset followed by the
// new ones in extra, and a list such as "og,x-summary" those presets in
// that order, without duplicates ("standard" and "all" may appear in a
// list too). extra holds presets a layout adds: one with the id of a
// built-in preset replaces it, and new ones with Standard set join the
// standard set. Ids are matched case-insensitively. Every unknown id is
// reported, with a suggestion when one is close.
func Select(spec string, extra []Preset) ([]Preset, error) {
	all, err := mergePresets(All(), extra)
	if err != nil {
		return nil, err
	}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		spec = "standard"
	}
	byID := make(map[string]Preset, len(all))
	ids := make([]string, 0, len(all))
	for _, p := range all {
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	var out []Preset
	var errs []error
	seen := make(map[string]bool)
	for word := range strings.SplitSeq(spec, ",") {
		word = strings.ToLower(strings.TrimSpace(word))
		var picked []Preset
		switch word {
		case "":
			continue
		case "all":
			picked = all
		case "standard":
			picked = standardOf(all, extra)
		default:
			p, ok := byID[word]
			if !ok {
				errs = append(errs, unknownPreset(word, ids))
				continue
			}
			picked = []Preset{p}
		}
		for _, p := range picked {
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no presets selected by %q; name presets such as \"og,instagram-story\", or use \"all\"", spec)
	}
	return out, nil
}

// unknownPreset describes an id that names no preset.
func unknownPreset(id string, ids []string) error {
	if s := strictyaml.Suggest(id, ids); s != "" {
		return fmt.Errorf("unknown preset %q (did you mean %q?)", id, s)
	}
	return fmt.Errorf("unknown preset %q; run with \"all\" or see the preset list for valid ids", id)
}

// mergePresets validates extra and applies it to builtin: a preset with a
// built-in id replaces it in place, new ones are appended in order.
func mergePresets(builtin, extra []Preset) ([]Preset, error) {
	out := slices.Clone(builtin)
	seen := make(map[string]bool, len(extra))
	for _, p := range extra {
		if err := p.Validate(); err != nil {
			return nil, err
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("preset %q is defined twice; keep one definition", p.ID)
		}
		seen[p.ID] = true
		p.Formats = slices.Clone(p.Formats)
		p.KeepOut = slices.Clone(p.KeepOut)
		if i := slices.IndexFunc(out, func(b Preset) bool { return b.ID == p.ID }); i >= 0 {
			out[i] = p
		} else {
			out = append(out, p)
		}
	}
	return out, nil
}

// standardOf returns the standard set of all: built-in standard ids
// (replaced or not) and new extra presets marked Standard.
func standardOf(all, extra []Preset) []Preset {
	std := standardIDs()
	var out []Preset
	for _, p := range all {
		isNew := !slices.Contains(std, p.ID) && slices.ContainsFunc(extra, func(e Preset) bool { return e.ID == p.ID })
		if slices.Contains(std, p.ID) || (isNew && p.Standard) {
			out = append(out, p)
		}
	}
	return out
}

// Validate reports the first problem that makes p unusable: a bad id, a
// side outside 16..8192 pixels, a minimum larger than the size, an unknown
// or missing format, a negative byte limit, or a safe area that leaves no
// room.
func (p Preset) Validate() error {
	if !validPresetID(p.ID) {
		return fmt.Errorf("preset id %q: use lower-case letters, digits and single hyphens, e.g. \"my-site-hero\"", p.ID)
	}
	for _, side := range []struct {
		name        string
		size, least int
	}{{"width", p.Width, p.MinWidth}, {"height", p.Height, p.MinHeight}} {
		if side.size < MinPresetSide || side.size > MaxPresetSide {
			return fmt.Errorf("preset %q: %s %d px is outside %d..%d", p.ID, side.name, side.size, MinPresetSide, MaxPresetSide)
		}
		if side.least < 0 || side.least > side.size {
			return fmt.Errorf("preset %q: minimum %s %d px must be between 0 and the %s %d px", p.ID, side.name, side.least, side.name, side.size)
		}
	}
	if err := p.validateFormats(); err != nil {
		return err
	}
	if p.MaxBytes < 0 {
		return fmt.Errorf("preset %q: max bytes %d is negative; use 0 for no limit", p.ID, p.MaxBytes)
	}
	if p.Purpose != "" && !slices.Contains(Purposes(), p.Purpose) {
		return fmt.Errorf("preset %q: purpose %q is not one of %s", p.ID, p.Purpose, strings.Join(Purposes(), ", "))
	}
	canvas := image.Rect(0, 0, p.Width, p.Height)
	for _, r := range p.KeepOut {
		if r.Empty() || !r.In(canvas) {
			return fmt.Errorf("preset %q: keep-out zone %v must be a non-empty rectangle inside the %dx%d canvas", p.ID, r, p.Width, p.Height)
		}
	}
	s := p.Safe
	if s.Top < 0 || s.Right < 0 || s.Bottom < 0 || s.Left < 0 {
		return fmt.Errorf("preset %q: safe-area insets %+v must not be negative", p.ID, s)
	}
	if s.Left+s.Right >= p.Width || s.Top+s.Bottom >= p.Height {
		return fmt.Errorf("preset %q: safe-area insets %+v leave no room in %dx%d", p.ID, s, p.Width, p.Height)
	}
	return nil
}

// validateFormats checks Formats and Format.
func (p Preset) validateFormats() error {
	if len(p.Formats) == 0 {
		return fmt.Errorf("preset %q: no formats; list at least one of jpeg, png, webp", p.ID)
	}
	for i, f := range p.Formats {
		if f != FormatJPEG && f != FormatPNG && f != FormatWebP {
			return fmt.Errorf("preset %q: format %q is not an output format (use jpeg, png or webp)", p.ID, f)
		}
		if slices.Contains(p.Formats[:i], f) {
			return fmt.Errorf("preset %q: format %q is listed twice", p.ID, f)
		}
	}
	if !slices.Contains(p.Formats, p.Format) {
		return fmt.Errorf("preset %q: default format %q is not among its formats %v", p.ID, p.Format, p.Formats)
	}
	return nil
}

// validPresetID reports whether id is lower-case letters and digits in
// words joined by single hyphens.
func validPresetID(id string) bool {
	if id == "" || len(id) > 64 || strings.HasPrefix(id, "-") || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// presetRow is one row of the built-in table, as researched.
type presetRow struct {
	id, platform, placement string
	w, h, minW, minH        int
	maxBytes                int    // 0 = no limit
	formats                 string // accepted formats as researched, safest first
	safe                    safeSpec
	source, notes           string
}

// safeSpec is a researched safe area: top, right, bottom, left, in pixels
// or in percent (top/bottom of the height, left/right of the width). The
// zero value means no safe area is documented.
type safeSpec struct {
	v   [4]int
	pct bool
}

// px is a safe area in pixels.
func px(top, right, bottom, left int) safeSpec {
	return safeSpec{v: [4]int{top, right, bottom, left}}
}

// pct is a safe area in percent of the canvas sides.
func pct(top, right, bottom, left int) safeSpec {
	return safeSpec{v: [4]int{top, right, bottom, left}, pct: true}
}

// insets converts s to pixels at w x h, rounding percentages up.
func (s safeSpec) insets(w, h int) Insets {
	if !s.pct {
		return Insets{Top: s.v[0], Right: s.v[1], Bottom: s.v[2], Left: s.v[3]}
	}
	up := func(p, side int) int { return (p*side + 99) / 100 }
	return Insets{Top: up(s.v[0], h), Right: up(s.v[1], w), Bottom: up(s.v[2], h), Left: up(s.v[3], w)}
}

// preset turns the row into a Preset: formats sharecard cannot write are
// moved to Notes, and the default format is JPEG when accepted.
func (r presetRow) preset(standard bool) Preset {
	p := Preset{ID: r.id, Platform: r.platform, Placement: r.placement,
		Width: r.w, Height: r.h, MinWidth: r.minW, MinHeight: r.minH,
		MaxBytes: r.maxBytes, Safe: r.safe.insets(r.w, r.h), Standard: standard,
		Source: r.source, Notes: r.notes,
		Purpose: purposeOf(r.id), KeepOut: keepOutOf(r.id, r.w, r.h)}
	var other []string
	for name := range strings.FieldsSeq(r.formats) {
		if f, err := ParseFormat(name); err == nil {
			p.Formats = append(p.Formats, f)
		} else {
			other = append(other, name)
		}
	}
	if len(other) > 0 {
		p.Notes = strings.TrimSpace(fmt.Sprintf("%s Also accepts %s (not written by sharecard).", p.Notes, strings.Join(other, ", ")))
	}
	p.Format = FormatJPEG
	if !slices.Contains(p.Formats, FormatJPEG) && len(p.Formats) > 0 {
		p.Format = p.Formats[0]
	}
	return p
}

// presetRows is the built-in table, one row per researched entry (see
// platform-sizes.md in the project's research notes), plus two derived
// thumbnails. The comment above each row gives how certain its figures are.
func presetRows() []presetRow {
	return []presetRow{
		// source: doc (size, minimums, Facebook 8 MB cap); 3p (WhatsApp ~300 KB)
		{"og", "Open Graph (Facebook, LinkedIn, WhatsApp, Telegram, Slack, Discord, iMessage; also feeds Mastodon/Bluesky cards)", "og:image link preview card", 1200, 630, 600, 315, 300_000, "jpeg png", safeSpec{},
			"https://developers.facebook.com/docs/sharing/webmasters/images ; https://help.branch.io/faq/docs/why-are-some-quick-link-thumbnails-not-shown-in-whatsapp", "Facebook hard floor is 200x200 and hard cap 8 MB; below 600x315 the card shrinks. max_bytes is set to WhatsApp's observed ~300 KB because one og:image serves every client (other guides say 500 KB or 600 KB). Always emit og:image:width, og:image:height, og:image:type and og:image:alt. No client documents a safe area; X crops to ~2:1 and compact chat views may crop toward a centred square, so keep the focal point central."},
		// source: doc-mirror (limits quoted verbatim in Yoast/javascript#50); choice (1200x1200)
		{"x-summary", "X (Twitter)", "summary card (twitter:card=summary)", 1200, 1200, 144, 144, 5_000_000, "jpeg png webp gif", safeSpec{},
			"https://developer.x.com/en/docs/x-for-websites/cards/overview/summary ; https://developer.x.com/cards/markup", "Max 4096x4096. Cropped to a square on all clients. GIF: first frame only. SVG not supported."},
		// source: doc-mirror (quoted in numpy/numpy.org#591, Yoast/javascript#150)
		{"x-summary-large", "X (Twitter)", "summary_large_image card", 1200, 600, 300, 157, 5_000_000, "jpeg png webp gif", safeSpec{},
			"https://developer.x.com/en/docs/x-for-websites/cards/overview/summary-card-with-large-image", "Max 4096x4096. X documents 2:1; many guides say 1.91:1 (1200x628/630) and a 1200x630 og image is normally accepted and trimmed slightly top/bottom. Falls back to og:image when twitter:image is absent. twitter:image:alt carries alt text."},
		// source: doc (5 MB image, 15 MB GIF); 3p (1200x675, 4x4..8192x8192)
		{"x-post-image", "X (Twitter)", "image attached to a post (in-feed)", 1200, 675, 0, 0, 5_000_000, "jpeg png webp gif", safeSpec{},
			"https://docs.x.com/x-api/media ; https://www.ayrshare.com/docs/media-guidelines/x-twitter", ""},
		// source: doc-mirror / 3p
		{"facebook-feed-square", "Facebook", "feed image post / image ad", 1080, 1080, 600, 600, 30_000_000, "jpeg png", safeSpec{},
			"https://www.facebook.com/business/ads-guide/image/facebook-feed (via alladspecs.com, picovert.com)", "Meta's newer ads guidance suggests 1440x1440 for highest quality. Accepted ratios roughly 1.91:1 to 4:5."},
		// source: 3p
		{"facebook-feed-portrait", "Facebook", "feed image post / image ad, vertical", 1080, 1350, 600, 750, 30_000_000, "jpeg png", safeSpec{},
			"https://www.facebook.com/business/ads-guide/image/facebook-feed (via picovert.com, adbid.me)", "Meta's newer ads guidance suggests 1440x1800."},
		// source: doc-mirror
		{"facebook-story", "Facebook", "Stories (full-screen vertical)", 1080, 1920, 500, 889, 30_000_000, "jpeg png", pct(14, 0, 20, 0),
			"https://www.facebook.com/business/ads-guide/image/facebook-story (Meta Ads Guide, via file-hippo.netlify.app mirror and odysseymediagroup.co.uk)", "Meta: leave roughly 14% top (profile/timestamp) and 20% bottom (CTA/reply) free of text and logos; its own pixel hints are 250 px / 340 px. At 1080x1920, 14%/20% = 269/384 px. Aspect-ratio tolerance 1%."},
		// source: doc-mirror
		{"instagram-square", "Instagram", "feed post, square", 1080, 1080, 320, 320, 8_000_000, "jpeg", safeSpec{},
			"Instagram Graph API content-publishing image spec (via https://www.ayrshare.com/docs/media-guidelines/instagram) ; Instagram Help Center (via recurpost.com, code.robsmelik.com)", "Instagram stores feed photos 1080 wide; narrower than 320 is upscaled, wider than 1080 downscaled (API accepts up to 1440 wide). Allowed ratio 1.91:1 to 4:5 (3:4 since 2025, see instagram-portrait-3x4). API publishing documents JPEG; the app also takes PNG."},
		// source: doc-mirror
		{"instagram-portrait", "Instagram", "feed post, portrait", 1080, 1350, 320, 400, 8_000_000, "jpeg", safeSpec{},
			"same as instagram-square", "Profile grid now shows a 3:4 centre crop of feed posts; keep the subject central."},
		// source: doc-mirror
		{"instagram-landscape", "Instagram", "feed post, landscape", 1080, 566, 320, 168, 8_000_000, "jpeg", safeSpec{},
			"same as instagram-square", ""},
		// source: 3p
		{"instagram-portrait-3x4", "Instagram", "feed post, tall 3:4", 1080, 1440, 320, 427, 8_000_000, "jpeg", safeSpec{},
			"https://recurpost.com/blog/instagram-post-size-guide", "Third-party reports (2025) say the help centre now allows 1.91:1 to 3:4; the Graph API text seen still says 4:5. Verify before making it a default."},
		// source: doc-mirror (safe zone); 3p (8 MB via API, 30 MB for ads)
		{"instagram-story", "Instagram", "Stories", 1080, 1920, 500, 889, 8_000_000, "jpeg png", pct(14, 0, 20, 0),
			"https://www.facebook.com/business/ads-guide/image/instagram-story (via odysseymediagroup.co.uk, file-hippo.netlify.app) ; https://www.ayrshare.com/docs/media-guidelines/instagram", "Many guides say 250 px top and bottom (~13%); Meta's ads guide says ~14% top, ~20% bottom. Use the stricter 14%/20%."},
		// source: 3p
		{"instagram-reel-cover", "Instagram / Facebook Reels", "Reel cover or still in Reels", 1080, 1920, 500, 889, 8_000_000, "jpeg", pct(14, 6, 35, 6),
			"https://www.imagefactory.co.kr/en/guides/instagram-story-ad-text-safe-zone ; Meta Ads Guide Reels (as quoted by third parties)", "Caption, buttons and audio label cover up to ~35% of the bottom; profile grid shows a centre 3:4 crop."},
		// source: doc-mirror
		{"linkedin-image-landscape", "LinkedIn", "single-image post / sponsored single image, landscape", 1200, 628, 640, 360, 5_000_000, "jpeg png gif", safeSpec{},
			"https://www.linkedin.com/help/lms/answer/a426534", "Images under 401 px wide render as a small thumbnail. Max 7680x4320. Link previews read og:image (LinkedIn guidance 1200x627, 5 MB), so the og preset covers shared links."},
		// source: doc-mirror
		{"linkedin-image-square", "LinkedIn", "single-image post / sponsored single image, square", 1200, 1200, 360, 360, 5_000_000, "jpeg png gif", safeSpec{},
			"https://www.linkedin.com/help/lms/answer/a426534", "Max 4320x4320."},
		// source: doc-mirror
		{"linkedin-image-portrait", "LinkedIn", "single-image post / sponsored single image, vertical", 1080, 1350, 512, 640, 5_000_000, "jpeg png gif", safeSpec{},
			"https://www.linkedin.com/help/lms/answer/a426534", "LinkedIn's example is 720x900; vertical minimum is 360x640 so a 4:5 file needs >= 512x640. Paid vertical images show on mobile only."},
		// source: 3p
		{"pinterest-pin", "Pinterest", "standard pin", 1000, 1500, 600, 900, 20_000_000, "jpeg png webp gif", safeSpec{},
			"https://www.ayrshare.com/docs/media-guidelines/pinterest ; https://docs.getlate.dev/resources/media-guidelines/pinterest", "Ayrshare: 20 MB, max 2000x3000, min 600x900. Getlate: 32 MB, min 100x100, long pins up to 1:2.1. Used the stricter values."},
		// source: doc-mirror (limits); 3p (1080x1350 recommendation)
		{"threads-image", "Threads", "image post", 1080, 1350, 320, 0, 8_000_000, "jpeg png", safeSpec{},
			"Threads API image specification, developers.facebook.com/docs/threads (via ayrshare.com, docs.upload-post.com, docs.letmepost.dev)", "Width 320..1440 (scaled into range), aspect up to 10:1 either way, sRGB (others converted)."},
		// source: doc (lexicon: image/*, max 2000x2000, max 1,000,000 bytes); 3p (1200x627 recommendation)
		{"bluesky-link-card", "Bluesky", "external link card thumbnail (app.bsky.embed.external thumb)", 1200, 630, 0, 0, 1_000_000, "jpeg png webp", safeSpec{},
			"https://github.com/bluesky-social/atproto/blob/0a6cd8ed348aab7835c186be09e29a115e9ffb5c/lexicons/app/bsky/embed/external.json", "The posting client uploads the thumbnail blob itself, so the 1 MB cap is hard. Post images (embed.images) were 1 MB and are now reported at up to 2 MB."},
		// source: doc (source code)
		{"mastodon-preview-card", "Mastodon", "link preview card (fetched from og:image)", 1200, 630, 0, 0, 2_000_000, "jpeg png webp gif", safeSpec{},
			"mastodon/mastodon app/models/preview_card.rb (current: LIMIT = 2.megabytes; older releases 1 MB)", "Larger files are silently dropped (card without image). Stored re-encoded at ~230,400 px (about 640x360). Older servers cap at 1 MB, so the og preset's 300 KB target is safe everywhere."},
		// source: doc-mirror (size, 2 MB); 3p (50 MB desktop since 2025)
		{"youtube-thumb", "YouTube", "custom video thumbnail", 1280, 720, 640, 360, 2_000_000, "jpeg png gif bmp", safeSpec{},
			"https://support.google.com/youtube/answer/72431 (as quoted by simonwebdesign.com, devaul.net) ; techAU report 2025", "Desktop uploads reportedly allow 50 MB (4K thumbnails); mobile still 2 MB, so 2 MB is the safe cap. Duration badge covers the bottom-right corner (keep text out of roughly the right 20% x bottom 15%, third-party)."},
		// source: doc-mirror
		{"google-discover", "Google Discover", "large card image", 1200, 675, 1200, 675, 0, "jpeg png webp gif", safeSpec{},
			"https://developers.google.com/search/docs/appearance/google-discover ; Google image SEO doc (via briefly.co / Search Engine Land)", "Needs robots meta max-image-preview:large (or AMP). Google asks for >= 1200 px wide, >= 300K pixels, 16:9; avoid logos and text-heavy images."},
		// source: doc-mirror (50K-pixel rule); choice (1200 wide)
		{"google-article-16x9", "Google Search (Article / NewsArticle structured data)", "image property, 16x9 variant", 1200, 675, 304, 171, 0, "jpeg png webp gif", safeSpec{},
			"https://developers.google.com/search/docs/appearance/structured-data/article", "Current rule: width x height >= 50,000 px; supply 16x9, 4x3 and 1x1. Older text (pre-2021) said >= 800,000 px and >= 1200 wide. Render 1200 wide so the same file also passes Discover."},
		// source: doc-mirror; choice (1200 wide)
		{"google-article-4x3", "Google Search (Article / NewsArticle structured data)", "image property, 4x3 variant", 1200, 900, 260, 195, 0, "jpeg png webp gif", safeSpec{},
			"https://developers.google.com/search/docs/appearance/structured-data/article", ""},
		// source: doc-mirror; choice (1200 wide)
		{"google-article-1x1", "Google Search (Article / NewsArticle structured data)", "image property, 1x1 variant", 1200, 1200, 224, 224, 0, "jpeg png webp gif", safeSpec{},
			"https://developers.google.com/search/docs/appearance/structured-data/article", ""},
		// source: doc
		{"web-story-poster", "Google Web Stories (AMP amp-story)", "poster-portrait-src", 1080, 1440, 640, 853, 0, "jpeg png webp", safeSpec{},
			"https://amp.dev/documentation/guides-and-tutorials/optimize-and-measure/discovery_web_stories/", "Do not burn the story title into the poster. Optional posters: square 1:1 and landscape 4:3. Publisher logo >= 96x96, 1:1."},
		// source: doc (1920x720); 3p (@2x)
		{"tvos-top-shelf", "Apple tvOS", "static top shelf image (app in top row)", 1920, 720, 1920, 720, 0, "png jpeg", safeSpec{},
			"https://developer.apple.com/library/archive/documentation/Xcode/Reference/xcode_ref-Asset_Catalog_Format/BrandAssetsType.html ; Unity tvOSPlatformIconKind.TopShelfImage docs", "Single layer. Also ship @2x 3840x1440 for Apple TV 4K."},
		// source: 3p (consistent in two sources; Apple HIG page not retrieved)
		{"tvos-top-shelf-wide", "Apple tvOS", "static top shelf image, wide", 2320, 720, 2320, 720, 0, "png jpeg", safeSpec{},
			"Unity tvOSPlatformIconKind.TopShelfImage docs ; https://docs.easeltv.com/docs/apple-tv-submission", "@2x 4640x1440. Single layer."},
		// source: doc
		{"tvos-top-shelf-inset", "Apple tvOS", "dynamic top shelf, inset style item image", 1740, 560, 1740, 560, 0, "png jpeg", safeSpec{},
			"https://developer.apple.com/documentation/tvservices/tvtopshelfinsetcontent/imagesize", "Apple gives 1740x560 points; supply @2x 3480x1120 px for 4K. Sectioned style items use 2:3 (poster), 1:1 or 16:9 (hdtv) shapes; pixel sizes for those were not retrieved."},
		// source: doc
		{"tvos-app-icon", "Apple tvOS", "home-screen app icon (layered)", 400, 240, 400, 240, 0, "png", safeSpec{},
			"https://developer.apple.com/library/archive/documentation/Xcode/Reference/xcode_ref-Asset_Catalog_Format/BrandAssetsType.html", "Layered image stack (2 to 5 layers) for parallax; @2x 800x480. Brand asset, not a per-article image."},
		// source: doc
		{"tvos-app-store-icon", "Apple tvOS", "App Store icon (layered)", 1280, 768, 1280, 768, 0, "png", safeSpec{},
			"https://developer.apple.com/library/archive/documentation/Xcode/Reference/xcode_ref-Asset_Catalog_Format/BrandAssetsType.html", "Unity's docs list 1280x720 instead; Apple's asset catalog reference and EaselTV say 1280x768."},
		// source: 3p (safe-area numbers)
		{"tvos-fullscreen", "Apple tvOS", "full-screen hero / background in an app", 1920, 1080, 1920, 1080, 0, "jpeg png heic", px(60, 80, 60, 80),
			"Apple HIG tvOS layout (as summarised by medienmonster.com/app/app-design-guidelines/tvos-design-guidelines) ; https://developer.apple.com/design/human-interface-guidelines/images", "Insets are for @1x (1920x1080); double them for @2x 3840x2160. Apple recommends JPEG or HEIC for photos."},
		// source: 3p (Roku sample file comments)
		{"roku-poster-fhd", "Roku", "channel store poster (FHD)", 540, 405, 540, 405, 0, "png jpeg", safeSpec{},
			"Roku channel manifest sample (github.com/ubuntupodcast/roku-channel/blob/master/manifest, Roku copyright header) ; support.streamspot.com Roku guidelines", "HD 290x218, SD 214x144. Must match exactly. Brand asset, not per-article."},
		// source: 3p
		{"roku-poster-hd", "Roku", "channel store poster (HD)", 290, 218, 290, 218, 0, "png jpeg", safeSpec{},
			"same as roku-poster-fhd", ""},
		// source: doc (2018 spec); choice (1280x720)
		{"roku-dp-thumbnail", "Roku (Direct Publisher feed; also usable for SDK grid posters)", "feed item thumbnail (movie, episode, short-form video)", 1280, 720, 800, 450, 0, "jpeg png", safeSpec{},
			"github.com/rokudev/feed-specifications @8172d3230dd65485eb98e6dd46447bfcc5074796 (direct-publisher-feed-specification.md, mrss-feed-specification.md)", "Direct Publisher has been retired; the spec now lives on developer.roku.com. Roku Channel partner delivery wants 1920x1080 minimum (see roku-episode-art)."},
		// source: doc
		{"roku-episode-art", "Roku (The Roku Channel content delivery)", "episode art / key art / background art", 1920, 1080, 1920, 1080, 0, "jpeg png", safeSpec{},
			"https://developer.roku.com/dev/docs/artwork-requirements", "Preferred 1920x1080 or 3840x2160, max 3840x2160. RGB, 72 ppi. Exact ratio required, no crop tolerance."},
		// source: doc
		{"roku-poster-art", "Roku (The Roku Channel content delivery)", "poster art", 2000, 3000, 1000, 1500, 0, "jpeg png", safeSpec{},
			"https://developer.roku.com/dev/docs/artwork-requirements", "Box cover: series 4:3 2560x1920 (min 1600x1200), movies 3:4 1920x2560 (min 1200x1600)."},
		// source: 3p
		{"roku-fullscreen-fhd", "Roku", "full-screen hero in an SDK app (FHD UI)", 1920, 1080, 1920, 1080, 0, "jpeg png", px(106, 194, 108, 192),
			"Roku design guidelines safe zones (as summarised by medienmonster.com/app/app-design-guidelines/roku-design-guidelines)", "Title-safe (80%) box 1534x866 at (192,106). Action-safe (90%) box 1726x970 at (96,53) = insets top 53, right 98, bottom 57, left 96. HD: title-safe 1022x578 at (128,70)."},
		// source: doc
		{"firetv-app-icon", "Amazon Fire TV", "Fire TV app icon (Appstore)", 1280, 720, 1280, 720, 0, "png jpeg", safeSpec{},
			"https://creator.amazon.com/documentation/ac/publish-your-app.html", "Brand asset. Amazon Creator uploads are limited to 2 MB."},
		// source: doc
		{"firetv-background", "Amazon Fire TV", "Fire TV background image (Appstore)", 1920, 1080, 1920, 1080, 0, "png jpeg", safeSpec{},
			"https://creator.amazon.com/documentation/ac/publish-your-app.html", ""},
		// source: doc
		{"firetv-catalog-episodic", "Amazon Fire TV (catalog integration, EMBER)", "episodic / background image (no title text)", 3840, 2160, 1920, 1080, 0, "jpeg", safeSpec{},
			"https://developer.amazon.com/docs/catalog/ember-images.html", "'Cover' is the same size with the title burned in; 'poster' is 2:3 2000x3000 with title; 'title' is 5:2 1000x400 PNG."},
		// source: doc
		{"firetv-catalog-poster", "Amazon Fire TV (catalog integration, EMBER)", "poster (with title)", 2000, 3000, 2000, 3000, 0, "jpeg", safeSpec{},
			"https://developer.amazon.com/docs/catalog/ember-images.html", ""},
		// source: doc
		{"androidtv-banner", "Android TV / Google TV", "app banner (launcher)", 320, 180, 320, 180, 0, "png", safeSpec{},
			"https://developer.android.com/design/ui/tv/guides/system/tv-app-icon-guidelines", "xhdpi size; adaptive banner densities run 160x90 (mdpi) to 640x360 (xxxhdpi). Brand asset."},
		// source: doc (allowed ratios 16:9, 3:2, 4:3, 1:1, 2:3); choice (1280x720)
		{"androidtv-program-card", "Android TV / Google TV", "home-screen channel program card (PreviewProgram poster art)", 1280, 720, 0, 0, 0, "jpeg png", safeSpec{},
			"Android TvContract.PreviewPrograms.COLUMN_POSTER_ART_ASPECT_RATIO (via learn.microsoft.com mirror) ; https://developer.android.com/training/tv/discovery/recommendations-channel", ""},
		// source: doc
		{"androidtv-fullscreen", "Android TV / Google TV (also Fire TV, which is Android-based)", "full-screen hero / background in an app", 1920, 1080, 1920, 1080, 0, "jpeg png webp", px(54, 96, 54, 96),
			"https://developer.android.com/training/tv/playback/compose/layouts", "Android asks for a 5% overscan margin: 48 dp left/right, 27 dp top/bottom on the 960x540 dp canvas = 96/54 px at 1080p."},
		// source: doc
		{"webos-splash", "LG webOS TV", "splash screen / launcher background (splashBackground, bgImage)", 1920, 1080, 1920, 1080, 0, "png", safeSpec{},
			"https://webostv.developer.lge.com/develop/app-developer-guide/app-packaging-guide/key-app-assets/", "Brand asset. Icons: 80x80 and 130x130 PNG in the package, 400x400 uploaded to LG Seller Lounge."},
		// source: choice (built from documented margins)
		{"ctv-hero-fhd", "Connected-TV news apps (generic)", "16:9 hero / featured story tile", 1920, 1080, 1920, 1080, 0, "jpeg png", pct(5, 5, 5, 5),
			"EBU R 95 (graphics-safe 90%) ; Android TV overscan guidance ; Roku safe zones", "5% covers Apple (60/80 px), Android (54/96 px) and EBU graphics-safe. Roku's stricter title-safe is 10%; use roku-fullscreen-fhd when the target is Roku."},
		// source: doc (3840x2160 preferred by Roku and Amazon catalogs); choice (safe area)
		{"ctv-hero-uhd", "Connected-TV news apps (generic)", "16:9 hero, 4K", 3840, 2160, 1920, 1080, 0, "jpeg png", pct(5, 5, 5, 5),
			"https://developer.roku.com/dev/docs/artwork-requirements ; https://developer.amazon.com/docs/catalog/ember-images.html", ""},
		// source: 3p
		{"email-hero", "Email newsletters (Gmail, Outlook, Apple Mail)", "full-width hero image in a 600 px template, 2x for high-DPI", 1200, 600, 600, 300, 200_000, "jpeg png gif", safeSpec{},
			"https://imgcruncher.com/blog/compress-images-for-email-without-losing-quality ; https://tools.yiteai.com/ko/tools/email-image-guide ; https://www.picovert.com/en/blog/compress-image-for-email-newsletter", "Set width=600 in HTML. Avoid WebP/AVIF (Outlook). Keep text out of the image: many clients block images by default, so repeat the headline as live text."},
		// source: doc
		{"apple-podcasts-cover", "Apple Podcasts (RSS itunes:image)", "show / episode cover art", 3000, 3000, 1400, 1400, 0, "jpeg png", pct(0, 0, 20, 0),
			"https://podcasters.apple.com/support/896-artwork-requirements", "RGB, no alpha channel, 72 dpi. Apple says to keep important elements out of the bottom fifth (progress bar, labels). Some hosts claim a ~500 KB cap; not in Apple's text."},
		// source: choice (platform-sizes.md: small thumbnails are required by no platform; derive from the 16:9 master)
		{"thumb-16x9", "Generic thumbnail", "small 16:9 thumbnail for lists and feeds", 320, 180, 0, 0, 0, "jpeg", safeSpec{},
			"derived; platform-sizes.md section 6 (email and podcast feeds)", "Not required by any platform researched; made from the 16:9 master."},
		// source: choice (platform-sizes.md: small thumbnails are required by no platform; derive from the 1:1 master)
		{"thumb-square", "Generic thumbnail", "small square thumbnail for lists and feeds", 150, 150, 0, 0, 0, "jpeg", safeSpec{},
			"derived; platform-sizes.md section 6 (email and podcast feeds)", "Not required by any platform researched; made from the 1:1 master."},
	}
}

// Canvases groups presets that draw the same canvas, the same size, safe
// area, purpose and keep-out zones, as indexes into ps, groups in order of first appearance and
// indexes ascending: one plan and one drawing serve a group.
func Canvases(ps []Preset) [][]int {
	type key struct {
		w, h    int
		safe    Insets
		purpose string
		keepOut string
	}
	index := map[key]int{}
	var groups [][]int
	for i, p := range ps {
		k := key{p.Width, p.Height, p.Safe, p.PurposeOrCard(), p.KeepOutString()}
		gi, ok := index[k]
		if !ok {
			gi = len(groups)
			index[k] = gi
			groups = append(groups, nil)
		}
		groups[gi] = append(groups[gi], i)
	}
	return groups
}
