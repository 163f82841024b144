// Package encode turns a canvas into JPEG, PNG or WebP bytes, searching
// the quality that meets a platform's byte limit, with a cache of recent
// encodings by pixels.
//
// Rule: canvas in, bytes out; deterministic, so the same pixels always
// give the same bytes.
package encode
