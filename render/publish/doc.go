// Package publish turns a rendered article into what is handed over:
// manifest.json, meta.html, the contact sheet, and the file set of an
// article's folder, written atomically.
//
// Rule: outputs in, files out; it renders nothing itself.
package publish
