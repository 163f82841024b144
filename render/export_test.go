package render

// CanvasGroups exposes canvasGroups to the external tests of this package
// (package render_test, which use rendertest; rendertest imports render).
var CanvasGroups = canvasGroups
