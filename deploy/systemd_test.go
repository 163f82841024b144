package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// unitFile is a systemd unit: section -> key -> values in order.
type unitFile map[string]map[string][]string

func parseUnit(text string) unitFile {
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		case section != "":
			k, v, _ := strings.Cut(line, "=")
			u[section][strings.TrimSpace(k)] = append(u[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	return u
}

// last is the effective value of a key (the last assignment).
func (u unitFile) last(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// systemdSeconds reads a systemd time span such as 100, 100s, 2min or
// 1min 40s.
func systemdSeconds(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(strings.NewReplacer("min", "m", " ", "").Replace(s))
}

// TestSystemdUnit checks deploy/systemd/sharecard.service against the
// binary (variables, data folder, a stop timeout that covers the drain)
// and, when systemd-analyze is installed, has systemd verify it.
func TestSystemdUnit(t *testing.T) {
	const path = "systemd/sharecard.service"
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u := parseUnit(string(text))
	c := loadContract(t)

	exec0 := strings.Fields(u.last("Service", "ExecStart"))
	if len(exec0) < 2 || filepath.Base(exec0[0]) != "sharecard" || exec0[1] != "serve" {
		t.Errorf("ExecStart=%q: want /path/to/sharecard serve", u.last("Service", "ExecStart"))
	}
	env := map[string]string{}
	for _, line := range u["Service"]["Environment"] {
		for _, kv := range strings.Fields(line) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Errorf("Environment=%s: %q is not NAME=value", line, kv)
			}
			env[k] = v
		}
	}
	for _, p := range c.checkEnv(env) {
		t.Error(p)
	}
	stop, err := systemdSeconds(u.last("Service", "TimeoutStopSec"))
	if err != nil {
		t.Fatalf("TimeoutStopSec: %v", err)
	}
	if bound := c.drainBound(t, env); stop < bound {
		t.Errorf("TimeoutStopSec=%v: want at least %v (drain delay + drain timeout + 5 s), or systemd kills renders half way", stop, bound)
	}
	if ks := u.last("Service", "KillSignal"); ks != "" && ks != "SIGTERM" {
		t.Errorf("KillSignal=%s: sharecard drains on SIGTERM", ks)
	}
	state := u.last("Service", "StateDirectory")
	if state == "" || env["SHARECARD_DATA"] != "/var/lib/"+state || u.last("Service", "WorkingDirectory") != "/var/lib/"+state {
		t.Errorf("SHARECARD_DATA=%q, WorkingDirectory=%q: want both /var/lib/%s, the StateDirectory (the only writable place under ProtectSystem=strict)",
			env["SHARECARD_DATA"], u.last("Service", "WorkingDirectory"), state)
	}
	for k, want := range map[string]string{"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "", "Restart": "on-failure"} {
		if got := u.last("Service", k); want != "" && got != want {
			t.Errorf("%s=%q: want %q", k, got, want)
		}
	}
	if u.last("Service", "MemoryDenyWriteExecute") == "yes" {
		t.Errorf("MemoryDenyWriteExecute=yes breaks WebP: its codec compiles WebAssembly to machine code at run time")
	}

	t.Run("systemd-analyze", func(t *testing.T) {
		sa := needTool(t, "systemd-analyze", "verify the unit")
		// verify wants ExecStart to exist: point it at the test build.
		unit := strings.Replace(string(text), "ExecStart="+exec0[0], "ExecStart="+sharecardBinary(t), 1)
		tmp := filepath.Join(t.TempDir(), "sharecard.service")
		if err := os.WriteFile(tmp, []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "verify", tmp).CombinedOutput()
		// verify exits 0 on unknown keys, but says so naming the file.
		if err != nil || strings.Contains(string(out), "sharecard.service") {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	})
}
