package article

// FocusPoint is a point of a photo in relative coordinates, 0..1 from the
// top-left corner: X across the width, Y down the height.
type FocusPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}
