// Package render turns a news article into share images for every platform.
//
// Data flows one way, and each stage is a function of the previous stage's
// value only:
//
//	Article + Layout + Preset ──PlanCard──► Plan ──Draw──► *image.NRGBA ──Encode──► []byte
//
// The caller is the sink: [Render] returns encoded outputs and never writes
// files or talks to the network. Photos arrive as an io.Reader and are
// decoded once by [DecodePhoto] under [Limits]; fonts and layouts arrive as
// fs.FS values, so the embedded defaults and a designer's working folder go
// through the same code.
//
// Nothing in this package panics on user data: bad articles, layouts and
// photos are reported as errors that name the file, line and field, and
// problems that can be worked around (a headline cut with an ellipsis, a
// photo too small for a preset) are reported as warnings in the output.
package render
