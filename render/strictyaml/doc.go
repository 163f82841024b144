// Package strictyaml reads the YAML that people write (articles and layouts)
// strictly: one mapping walked key by key, with every problem reported as
// "file:line:col: field: message" and unknown keys answered with "did you
// mean …".
//
// Rule: bytes in, YAML nodes and positioned errors out; it knows nothing of
// articles, layouts or images.
package strictyaml
