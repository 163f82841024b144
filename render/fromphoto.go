package render

import (
	"github.com/sharecard/sharecard/render/article"
	"github.com/sharecard/sharecard/render/photo"
)

// fromPhoto returns the article to render: a when it lacks nothing the
// photo's embedded metadata has, else a copy with the missing photo
// credit and caption taken from the photo (what the photo desk wrote into
// the file: XMP or IPTC-IIM), and, by article field, the tags they came
// from. The photographer (the photo's byline) goes into the credit, not
// the article's byline, which names the article's authors.
func fromPhoto(a *article.Article, prep *photo.Prepared) (*article.Article, map[string]photo.Field) {
	if prep == nil || a == nil {
		return a, nil
	}
	em := &prep.Embedded
	var (
		out     = *a
		sources = map[string]string{}
	)
	if a.Credit == "" {
		switch by, cr := em.Byline, em.Credit; {
		case by.Value != "" && cr.Value != "" && by.Value != cr.Value:
			out.Credit, sources["credit"] = by.Value+"/"+cr.Value, by.Source+" + "+cr.Source
		case cr.Value != "":
			out.Credit, sources["credit"] = cr.Value, cr.Source
		case by.Value != "":
			out.Credit, sources["credit"] = by.Value, by.Source
		case em.Copyright.Value != "":
			out.Credit, sources["credit"] = em.Copyright.Value, em.Copyright.Source
		}
		if len([]rune(out.Credit)) > article.MaxCredit {
			out.Credit = string([]rune(out.Credit)[:article.MaxCredit])
		}
	}
	if a.Caption == "" && em.Caption.Value != "" {
		out.Caption, sources["caption"] = em.Caption.Value, em.Caption.Source
	}
	if len(sources) == 0 {
		return a, nil
	}
	used := map[string]photo.Field{}
	for k, src := range sources {
		v, _ := out.Field(k)
		used[k] = photo.Field{Value: v, Source: src}
	}
	return &out, used
}

// subjectsOf returns the photo's subjects in the order the crop ranks
// them: the regions the photo desk tagged in the file, then those found.
func subjectsOf(prep *photo.Prepared) []photo.Subject {
	tagged := prep.Embedded.Subjects()
	if len(tagged) == 0 {
		return prep.Subjects
	}
	return append(tagged, prep.Subjects...)
}

// noSubject is the warning of a card whose photo has no subject found
// with confidence and no focus point: its crop is a guess.
const noSubject = "no subject found: set a focus point (focus: {x, y} in the article) so the crops keep what matters"

// confidentSubject reports whether the photo has a subject worth
// trusting: a region the desk tagged, or a confident find.
func confidentSubject(prep *photo.Prepared) bool {
	for _, r := range prep.Embedded.Regions {
		if r.Confident {
			return true
		}
	}
	for _, s := range prep.Subjects {
		if s.Confident {
			return true
		}
	}
	return false
}
