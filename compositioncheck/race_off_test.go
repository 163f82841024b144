//go:build !race

package compositioncheck

// raceOn is true when the tests run with the race detector, which makes
// planning about ten times slower.
const raceOn = false
