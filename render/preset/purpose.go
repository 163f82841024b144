package preset

import "image"

// purposeOf is the purpose of the built-in preset id, from what each
// platform says its image is for (platform-sizes.md in the project's
// research notes, quoted in the rows' notes):
//
//   - identity, the brand's logo and nothing of the article: app icons,
//     launcher banners and channel-store posters ("brand asset, not a
//     per-article image"), and webOS's splash background ("brand asset").
//   - clean, the photo and at most a small logo: full-screen TV
//     backgrounds, where the app draws its own title and UI over the image
//     (tvOS, Android TV, Roku, Fire TV), Fire TV's EMBER episodic image
//     ("no title text"; the titled variant is 'cover'), Roku's episode and
//     background art, Android TV program cards (the launcher prints the
//     title), Google's article and Discover images (Google prints the
//     headline beside them and asks to "avoid logos and text-heavy
//     images"), the Web Story poster ("do not burn the story title into
//     the poster") and the e-mail hero (the headline is live text next to
//     it, since many clients block images).
//   - card, a card with the headline: everything else.
func purposeOf(id string) string {
	switch id {
	case "tvos-app-icon", "tvos-app-store-icon", "firetv-app-icon", "androidtv-banner",
		"roku-poster-fhd", "roku-poster-hd", "webos-splash":
		return PurposeIdentity
	case "tvos-fullscreen", "roku-fullscreen-fhd", "androidtv-fullscreen", "firetv-background",
		"firetv-catalog-episodic", "roku-episode-art", "androidtv-program-card",
		"google-discover", "google-article-16x9", "google-article-4x3", "google-article-1x1",
		"web-story-poster", "email-hero":
		return PurposeClean
	}
	return PurposeCard
}

// keepOutOf returns the corner zones of the built-in preset id, w x h
// pixels, that the platform covers with its own UI:
//
//   - youtube-thumb: the video's duration badge at the bottom right.
//     platform-sizes.md (third-party guides): keep roughly the right 20% x
//     bottom 15% clear, 256 x 108 px at 1280x720.
//   - x-summary-large: since 2023 X draws the link's domain in a small dark
//     label over the bottom-left corner of summary_large_image cards. X
//     documents no size, so this is an estimate: on a ~505 px wide card the
//     label is about 20 px high, 12 px from the left and bottom edges and up
//     to ~180 px wide for a long domain, which at 1200x600 is the left 40% x
//     bottom 15% (480 x 90 px).
func keepOutOf(id string, w, h int) []image.Rectangle {
	corner := func(right bool, pw, ph int) image.Rectangle {
		zw, zh := (w*pw+99)/100, (h*ph+99)/100
		if right {
			return image.Rect(w-zw, h-zh, w, h)
		}
		return image.Rect(0, h-zh, zw, h)
	}
	switch id {
	case "youtube-thumb":
		return []image.Rectangle{corner(true, 20, 15)}
	case "x-summary-large":
		return []image.Rectangle{corner(false, 40, 15)}
	}
	return nil
}
