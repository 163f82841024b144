// Package article holds the news article a card set is made from: the
// model, its strict YAML/JSON parser, the slug of its folder and the one
// loader that reads an article file with its photo under a byte cap.
//
// Rule: bytes become an Article or errors with file:line:col; nothing here
// decodes pixels or knows about layouts.
package article
