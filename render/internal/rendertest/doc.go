// Package rendertest holds the fixtures the tests under render/ share: the
// embedded fonts and face model, an engine with the built-in layouts,
// sample headlines, presets by id, hand-labelled faces and the files of
// the one render/testdata folder. Only tests import it, and it imports
// render and its stage packages but never their tests, so a stage package
// whose tests need it writes them as an external test package (package
// foo_test).
package rendertest
