package deploy

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serveFlag is one flag of `sharecard serve`, as its -h prints it.
type serveFlag struct {
	Name, Env, Default string
}

// serveContract is what the examples must agree with: the flags of
// `sharecard serve` with their variables and defaults, read from the
// binary's own help, and the binary's bytes (a variable it reads without a
// flag, such as SHARECARD_SIGN_KEY, appears in them as a string).
type serveContract struct {
	byEnv  map[string]serveFlag
	binary []byte
}

var (
	flagLine    = regexp.MustCompile(`^  -([a-z0-9-]+)`)
	envInUsage  = regexp.MustCompile(`\((SHARECARD_[A-Z0-9_]+)(?:=1)?\)`)
	defaultNote = regexp.MustCompile(`\(default ([^:].*)\)$`)
)

// parseServeHelp reads the flag list of `sharecard serve -h`.
func parseServeHelp(help string) map[string]serveFlag {
	out := map[string]serveFlag{}
	var cur *serveFlag
	flush := func() {
		if cur != nil && cur.Env != "" {
			out[cur.Env] = *cur
		}
	}
	sc := bufio.NewScanner(strings.NewReader(help))
	for sc.Scan() {
		line := sc.Text()
		if m := flagLine.FindStringSubmatch(line); m != nil {
			flush()
			cur = &serveFlag{Name: m[1]}
			continue
		}
		if cur == nil || !strings.HasPrefix(line, "    \t") {
			continue
		}
		if m := envInUsage.FindStringSubmatch(line); m != nil {
			cur.Env = m[1]
		}
		if m := defaultNote.FindStringSubmatch(line); m != nil {
			cur.Default = strings.Trim(m[1], `"`)
		}
	}
	flush()
	return out
}

func loadContract(t *testing.T) serveContract {
	t.Helper()
	bin := sharecardBinary(t)
	out, _ := exec.Command(bin, "serve", "-h").CombinedOutput()
	byEnv := parseServeHelp(string(out))
	for _, env := range []string{"SHARECARD_ADDR", "SHARECARD_DATA", "SHARECARD_DRAIN_DELAY", "SHARECARD_DRAIN_TIMEOUT"} {
		if _, ok := byEnv[env]; !ok {
			t.Fatalf("sharecard serve -h lists no flag read from %s; the examples and this test assume one:\n%s", env, out)
		}
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	return serveContract{byEnv: byEnv, binary: data}
}

// checkEnv reports the variables of an example that sharecard does not
// read: a SHARECARD_* variable must be a flag's or a string in the binary
// (SHARECARD_SIGN_KEY, SHARECARD_HOOK_SECRET_<SOURCE>), and so must any
// other variable except the Go runtime's (GOMEMLIMIT, GOMAXPROCS, ...).
func (c serveContract) checkEnv(env map[string]string) []string {
	var bad []string
	for name, val := range env {
		if f, ok := c.byEnv[name]; ok {
			if f.Default != "" {
				if _, err := time.ParseDuration(f.Default); err == nil {
					if _, err := time.ParseDuration(val); err != nil {
						bad = append(bad, fmt.Sprintf("%s=%q: --%s wants a duration such as 90s", name, val, f.Name))
					}
				}
			}
			continue
		}
		if strings.HasPrefix(name, "GO") {
			continue
		}
		probe := name
		for _, prefix := range []string{"SHARECARD_HOOK_SECRET_", "SHARECARD_HOOK_CALLBACK_"} {
			if strings.HasPrefix(name, prefix) {
				probe = prefix
			}
		}
		if !bytes.Contains(c.binary, []byte(probe)) {
			bad = append(bad, fmt.Sprintf("%s: sharecard reads no such variable (not in serve -h, not in the binary)", name))
		}
	}
	return bad
}

// duration is the value of the duration flag read from env: the example's
// setting when it has one, else the binary's default.
func (c serveContract) duration(t *testing.T, env map[string]string, name string) time.Duration {
	t.Helper()
	v, ok := env[name]
	if !ok {
		v = c.byEnv[name].Default
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}

// drainBound is how long a stop may take: the drain delay and timeout
// (the example's values, else the defaults) plus 5 s to close the queue.
func (c serveContract) drainBound(t *testing.T, env map[string]string) time.Duration {
	return c.duration(t, env, "SHARECARD_DRAIN_DELAY") + c.duration(t, env, "SHARECARD_DRAIN_TIMEOUT") + 5*time.Second
}

// listenPort is the port of the listen address in the variable name (the
// example's setting, else the default).
func (c serveContract) listenPort(env map[string]string, name string) (int, error) {
	addr, ok := env[name]
	if !ok {
		addr = c.byEnv[name].Default
	}
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return 0, fmt.Errorf("%s=%q has no port", name, addr)
	}
	return strconv.Atoi(addr[i+1:])
}

func TestParseServeHelp(t *testing.T) {
	help := "Usage of serve:\n" +
		"  -addr address\n    \tlisten address (SHARECARD_ADDR) (default \":8080\")\n" +
		"  -drain-delay long\n    \ton SIGTERM, keep serving (SHARECARD_DRAIN_DELAY) (default 5s)\n" +
		"  -memory-budget int\n    \tMiB (default: half of GOMEMLIMIT, else 768) (SHARECARD_MEMORY_BUDGET)\n" +
		"  -studio\n    \talso serve the studio (SHARECARD_STUDIO=1)\n" +
		"  -x\n    \tno variable\n"
	got := parseServeHelp(help)
	want := map[string]serveFlag{
		"SHARECARD_ADDR":          {"addr", "SHARECARD_ADDR", ":8080"},
		"SHARECARD_DRAIN_DELAY":   {"drain-delay", "SHARECARD_DRAIN_DELAY", "5s"},
		"SHARECARD_MEMORY_BUDGET": {"memory-budget", "SHARECARD_MEMORY_BUDGET", ""},
		"SHARECARD_STUDIO":        {"studio", "SHARECARD_STUDIO", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d flags %v, want %d", len(got), got, len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %+v, want %+v", k, got[k], w)
		}
	}
}

// parseBytes reads a size as Kubernetes writes it (2Gi, 512Mi, 2G) or as
// GOMEMLIMIT does (1800MiB).
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
		{"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"B", 1},
	}
	mult := int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 2Gi or 1800MiB", s)
	}
	return n * mult, nil
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2Gi", 2 << 30, true}, {"1800MiB", 1800 << 20, true}, {"2G", 2e9, true},
		{"512Mi", 512 << 20, true}, {"100", 100, true}, {"lots", 0, false}, {"-1Gi", 0, false},
	}
	for _, tt := range tests {
		got, err := parseBytes(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
