// Package version holds what the running binary knows of its own build:
// the module version, the commit and time it was built from, and the Go
// version, all read from the build information the Go toolchain embeds.
package version

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Info is the build of the running binary.
type Info struct {
	// Version is the module version: a tag such as "v1.4.0" for `go
	// install …@v1.4.0`, a pseudo-version for a commit, or "(devel)" for
	// a build from a working tree.
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from (empty when
	// the build had no VCS information, such as `go run` or -buildvcs=false).
	Commit string `json:"commit,omitempty"`
	// Time is the commit's time, RFC 3339.
	Time string `json:"time,omitempty"`
	// Modified is set when the working tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// Go is the Go version that built the binary.
	Go string `json:"go"`
}

// Get returns the running binary's build information.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "(unknown)", Go: "(unknown)"}
	}
	return fromBuildInfo(bi)
}

func fromBuildInfo(bi *debug.BuildInfo) Info {
	i := Info{Version: bi.Main.Version, Go: bi.GoVersion}
	if i.Version == "" {
		i.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Commit = s.Value
		case "vcs.time":
			i.Time = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}

// Short is the commit's first 12 characters, with "+dirty" when the tree
// had changes; empty without a commit.
func (i Info) Short() string {
	c := i.Commit
	if len(c) > 12 {
		c = c[:12]
	}
	if c != "" && i.Modified {
		c += "+dirty"
	}
	return c
}

// String is the one line `sharecard version` prints, such as
// "sharecard v1.4.0 (commit 3f2a9c1d0b7e, 2026-12-07T14:00:00Z) go1.26.0".
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sharecard %s", i.Version)
	if c := i.Short(); c != "" {
		fmt.Fprintf(&b, " (commit %s", c)
		if i.Time != "" {
			fmt.Fprintf(&b, ", %s", i.Time)
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " %s", i.Go)
	return b.String()
}
