// Package cli is the sharecard command line: every command, its flags,
// what it prints and its exit code (0 done, 1 failed, 2 misused).
//
// Rule: commands parse flags and call the public APIs of render, its stage
// packages, lint, studio and server; the work itself is done there.
package cli
