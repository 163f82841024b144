package version

import (
	"fmt"
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"tagged, clean", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "3f2a9c1d0b7e55aa00112233445566778899aabb"}, {Key: "vcs.time", Value: "2026-12-07T14:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			"sharecard v1.4.0 (commit 3f2a9c1d0b7e, 2026-12-07T14:00:00Z) go1.26.0"},
		{"working tree with changes", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			"sharecard (devel) (commit abc+dirty) go1.26.0"},
		{"no VCS, no version", debug.BuildInfo{GoVersion: "go1.26.0"}, "sharecard (devel) go1.26.0"},
	} {
		if got := fromBuildInfo(&tc.bi).String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestGet(t *testing.T) {
	i := Get()
	if i.Go == "" || i.Version == "" {
		t.Fatalf("Get() = %+v: no Go version or module version", i)
	}
}

func ExampleInfo_String() {
	i := Info{Version: "v1.4.0", Commit: "3f2a9c1d0b7e55aa", Go: "go1.26.0"}
	fmt.Println(i.String())
	// Output: sharecard v1.4.0 (commit 3f2a9c1d0b7e) go1.26.0
}
