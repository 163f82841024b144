package deploy

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

// imageUser is the user the image runs as: distroless's nonroot.
const imageUser = 65532

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd, Args string
}

func parseDockerfile(text string) []instruction {
	var out []instruction
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur.Len() == 0) {
			continue
		}
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// TestDockerfile checks the Dockerfile without Docker: it builds with the
// flags TestStaticBuild checks, runs as the user, port and data folder the
// examples use, and has a HEALTHCHECK whose program it builds.
func TestDockerfile(t *testing.T) {
	text, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	ins := parseDockerfile(string(text))
	c := loadContract(t)
	var froms []string
	env := map[string]string{}
	has := func(cmd, args string) bool { return slices.Contains(ins, instruction{cmd, args}) }
	var build, copied string
	for _, in := range ins {
		switch in.Cmd {
		case "FROM":
			froms = append(froms, in.Args)
			env = map[string]string{} // only the final stage's ENV counts
		case "ENV":
			for _, kv := range strings.Fields(in.Args) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
		case "RUN":
			if strings.Contains(in.Args, "-o /out/sharecard .") {
				build = in.Args
			}
		case "COPY":
			copied += in.Args + "\n"
		}
	}
	if len(froms) < 2 || !strings.HasPrefix(froms[len(froms)-1], "gcr.io/distroless/static") {
		t.Errorf("stages %q: want a build stage and a final gcr.io/distroless/static one", froms)
	}
	// The release build's flags, as TestStaticBuild builds.
	want := []string{"CGO_ENABLED=0", "-trimpath", "-tags " + staticFlags[2], "-ldflags='" + staticFlags[4] + "'"}
	for _, w := range want {
		if !strings.Contains(build, w) {
			t.Errorf("the go build of sharecard lacks %s (TestStaticBuild builds with %q): %s", w, staticFlags, build)
		}
	}
	for _, p := range c.checkEnv(env) {
		t.Error(p)
	}
	port, err := c.listenPort(env, "SHARECARD_ADDR")
	if err != nil {
		t.Fatal(err)
	}
	if !has("EXPOSE", fmt.Sprint(port)) {
		t.Errorf("no EXPOSE %d (the port of SHARECARD_ADDR)", port)
	}
	if data := env["SHARECARD_DATA"]; data == "" || !has("VOLUME", fmt.Sprintf(`["%s"]`, data)) {
		t.Errorf("SHARECARD_DATA=%q: want it set and declared as a VOLUME", data)
	}
	if !has("USER", fmt.Sprintf("%d:%d", imageUser, imageUser)) {
		t.Errorf("want USER %d:%d (non-root; the Kubernetes examples run as it)", imageUser, imageUser)
	}
	var hc string
	for _, in := range ins {
		if in.Cmd == "HEALTHCHECK" {
			hc = in.Args
		}
	}
	_, cmd, _ := strings.Cut(hc, "CMD ")
	if !strings.HasPrefix(cmd, `["/usr/local/bin/sharecard", "healthcheck"]`) {
		t.Errorf("HEALTHCHECK %q: want CMD [\"/usr/local/bin/sharecard\", \"healthcheck\"]", hc)
	}
	if !has("ENTRYPOINT", `["/usr/local/bin/sharecard"]`) || !has("CMD", `["serve"]`) {
		t.Errorf("want ENTRYPOINT [\"/usr/local/bin/sharecard\"] and CMD [\"serve\"]")
	}
	for _, in := range ins {
		if in.Cmd == "STOPSIGNAL" && in.Args != "SIGTERM" {
			t.Errorf("STOPSIGNAL %s: want SIGTERM, on which sharecard drains", in.Args)
		}
	}

	// .dockerignore must keep what the build reads, and .git for the
	// commit stamp.
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, pat := range strings.Split(string(ignore), "\n") {
		pat = strings.TrimPrefix(strings.TrimSpace(pat), "/")
		if pat == "" || strings.HasPrefix(pat, "#") {
			continue
		}
		for _, need := range []string{".git", "go.mod", "go.sum", "main.go", "deploy", "layouts", "fonts", "render"} {
			if ok, _ := path.Match(strings.TrimSuffix(pat, "/"), need); ok {
				t.Errorf(".dockerignore: %q excludes %s, which the image build needs", pat, need)
			}
		}
	}
}

// TestDockerBuild builds the image and runs it, when a Docker daemon
// answers (it pulls the base images). SHARECARD_REQUIRE_DOCKER=1 makes a
// missing daemon a failure.
func TestDockerBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the container image; skipped with -short")
	}
	docker, err := exec.LookPath("docker")
	if err == nil {
		err = exec.Command(docker, "info").Run()
	}
	if err != nil {
		if os.Getenv("SHARECARD_REQUIRE_DOCKER") == "1" {
			t.Fatalf("no Docker daemon (docker info: %v) and SHARECARD_REQUIRE_DOCKER=1", err)
		}
		t.Skipf("no Docker daemon (docker info: %v); set SHARECARD_REQUIRE_DOCKER=1 to make this a failure", err)
	}
	tag := fmt.Sprintf("sharecard-deploy-test:%d", os.Getpid())
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		cmd := exec.Command(docker, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	run("build", "-t", tag, "..")
	t.Cleanup(func() { exec.Command(docker, "rmi", "-f", tag).Run() })
	if out := run("run", "--rm", tag, "version"); !strings.HasPrefix(out, "sharecard ") {
		t.Errorf("docker run %s version: %q", tag, out)
	}
	got := strings.TrimSpace(run("image", "inspect", "-f", "{{.Config.User}} {{json .Config.Healthcheck.Test}} {{json .Config.Volumes}}", tag))
	want := fmt.Sprintf(`%d:%d ["CMD","/usr/local/bin/sharecard","healthcheck"] {"/data":{}}`, imageUser, imageUser)
	if got != want {
		t.Errorf("image config %s, want %s", got, want)
	}
}
