// Package testwait lets tests wait for conditions instead of wall-clock
// deadlines: a wait lasts as long as the test may run, so a loaded machine
// only makes a test slower, and a condition that never comes fails the
// test with what was last seen a little before go test's -timeout would
// end the whole run with a panic.
//
// Rule: test support only; no production package imports it.
package testwait
