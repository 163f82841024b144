package server

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/sharecard/sharecard/internal/version"
)

// TestMetrics_BuildInfo: /metrics says which build runs, with the labels
// `sharecard version` prints.
func TestMetrics_BuildInfo(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	resp, body := getBody(t, ts.URL+"/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	bi := version.Get()
	want := fmt.Sprintf(`sharecard_build_info{commit=%q,goversion=%q,version=%q} 1`, bi.Short(), runtime.Version(), bi.Version)
	if !strings.Contains(body, want) {
		t.Errorf("/metrics has no %s", want)
	}
}
