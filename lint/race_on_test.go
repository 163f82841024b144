//go:build race

package lint

// raceOn is true when the tests run with the race detector, which makes
// rendering about ten times slower.
const raceOn = true
