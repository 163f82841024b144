package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The parts of the Kubernetes objects the tests check.
type (
	k8sObject struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec       k8sSpec           `yaml:"spec"`
		StringData map[string]string `yaml:"stringData"`
	}
	k8sSpec struct {
		Replicas             *int       `yaml:"replicas"`
		Template             k8sPodTmpl `yaml:"template"`
		VolumeClaimTemplates []k8sClaim `yaml:"volumeClaimTemplates"`
	}
	k8sClaim struct {
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
	}
	k8sPodTmpl struct {
		Spec struct {
			TerminationGracePeriodSeconds *int `yaml:"terminationGracePeriodSeconds"`
			SecurityContext               struct {
				RunAsNonRoot bool `yaml:"runAsNonRoot"`
				RunAsUser    int  `yaml:"runAsUser"`
			} `yaml:"securityContext"`
			Containers []k8sContainer `yaml:"containers"`
			Volumes    []struct {
				Name string `yaml:"name"`
			} `yaml:"volumes"`
		} `yaml:"spec"`
	}
	k8sContainer struct {
		Name  string   `yaml:"name"`
		Args  []string `yaml:"args"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		Env []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom *struct {
				SecretKeyRef *struct {
					Name string `yaml:"name"`
					Key  string `yaml:"key"`
				} `yaml:"secretKeyRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		StartupProbe   *k8sProbe `yaml:"startupProbe"`
		LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
		ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
		Lifecycle      *struct {
			PreStop any `yaml:"preStop"`
		} `yaml:"lifecycle"`
		SecurityContext struct {
			ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
		} `yaml:"securityContext"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	}
	k8sProbe struct {
		HTTPGet *struct {
			Path string `yaml:"path"`
			Port any    `yaml:"port"`
		} `yaml:"httpGet"`
		PeriodSeconds    int `yaml:"periodSeconds"`
		FailureThreshold int `yaml:"failureThreshold"`
	}
)

// readObjects decodes every document of a YAML file.
func readObjects(t *testing.T, path string) []k8sObject {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var objs []k8sObject
	for i := 0; i < 100; i++ {
		var o k8sObject
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return objs
		} else if err != nil {
			t.Fatalf("%s: document %d: %v", path, i+1, err)
		}
		if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
			t.Fatalf("%s: document %d has no apiVersion, kind or metadata.name", path, i+1)
		}
		objs = append(objs, o)
	}
	t.Fatalf("%s: more than 100 documents", path)
	return nil
}

// probePaths are the HTTP paths the Kubernetes examples probe, which
// TestProbesAnswer asks the real server.
func probePaths(t *testing.T) []string {
	var paths []string
	for _, file := range []string{"deployment.yaml", "statefulset.yaml"} {
		for _, o := range readObjects(t, filepath.Join("kubernetes", file)) {
			for _, c := range o.Spec.Template.Spec.Containers {
				for _, p := range []*k8sProbe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
					if p != nil && p.HTTPGet != nil && !slices.Contains(paths, p.HTTPGet.Path) {
						paths = append(paths, p.HTTPGet.Path)
					}
				}
			}
		}
	}
	return paths
}

// TestKubernetes checks the Kubernetes examples against the binary: the
// variables they set are read by sharecard, the grace period covers the
// drain, probes and ports match, and each variant has what it needs.
func TestKubernetes(t *testing.T) {
	c := loadContract(t)
	secrets := map[string]bool{}
	for _, o := range readObjects(t, "kubernetes/secret.example.yaml") {
		if o.Kind == "Secret" {
			for k := range o.StringData {
				secrets[o.Metadata.Name+"/"+k] = true
			}
		}
	}
	for _, tt := range []struct {
		file, kind string
		embedded   bool // the embedded NATS and the folder store, on a volume
	}{
		{"deployment.yaml", "Deployment", false},
		{"statefulset.yaml", "StatefulSet", true},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var w *k8sObject
			objs := readObjects(t, filepath.Join("kubernetes", tt.file))
			for i := range objs {
				if objs[i].Kind == tt.kind {
					w = &objs[i]
				}
			}
			if w == nil {
				t.Fatalf("no %s in %s", tt.kind, tt.file)
			}
			pod := w.Spec.Template.Spec
			if len(pod.Containers) != 1 {
				t.Fatalf("want one container, got %d", len(pod.Containers))
			}
			ct := pod.Containers[0]
			if len(ct.Args) == 0 || ct.Args[0] != "serve" {
				t.Errorf("container args %q: want serve", ct.Args)
			}
			env := map[string]string{}
			for _, e := range ct.Env {
				env[e.Name] = e.Value
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					ref := e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
					if !secrets[ref] {
						t.Errorf("%s comes from secret key %s, which secret.example.yaml does not have", e.Name, ref)
					}
					env[e.Name] = "(secret)"
				}
			}
			for _, p := range c.checkEnv(env) {
				t.Error(p)
			}

			// The kubelet sends SIGTERM, then SIGKILL after the grace period.
			bound := c.drainBound(t, env)
			if g := pod.TerminationGracePeriodSeconds; g == nil {
				t.Errorf("no terminationGracePeriodSeconds (default 30 s): want at least %v (drain delay + drain timeout + 5 s)", bound)
			} else if time.Duration(*g)*time.Second < bound {
				t.Errorf("terminationGracePeriodSeconds %d: want at least %v (drain delay + drain timeout + 5 s)", *g, bound)
			}
			if ct.Lifecycle != nil && ct.Lifecycle.PreStop != nil {
				t.Errorf("a preStop hook adds to the drain delay, which already keeps serving while endpoints update; remove it or lower SHARECARD_DRAIN_DELAY")
			}

			port, err := c.listenPort(env, "SHARECARD_ADDR")
			if err != nil {
				t.Fatal(err)
			}
			wantPorts := map[string]int{"http": port}
			if _, ok := env["SHARECARD_ADMIN_ADDR"]; ok {
				if wantPorts["admin"], err = c.listenPort(env, "SHARECARD_ADMIN_ADDR"); err != nil {
					t.Fatal(err)
				}
			}
			if len(ct.Ports) != len(wantPorts) {
				t.Errorf("container ports %+v: want %v (SHARECARD_ADDR, SHARECARD_ADMIN_ADDR)", ct.Ports, wantPorts)
			}
			for _, p := range ct.Ports {
				if wantPorts[p.Name] != p.ContainerPort {
					t.Errorf("container port %s: %d, want %v (SHARECARD_ADDR, SHARECARD_ADMIN_ADDR)", p.Name, p.ContainerPort, wantPorts)
				}
			}
			for name, p := range map[string]*k8sProbe{"startup": ct.StartupProbe, "liveness": ct.LivenessProbe, "readiness": ct.ReadinessProbe} {
				if p == nil || p.HTTPGet == nil {
					t.Errorf("no httpGet %s probe", name)
					continue
				}
				if p.HTTPGet.Port != "http" && p.HTTPGet.Port != port {
					t.Errorf("%s probe port %v: want http or %d, the public listener (SHARECARD_ADDR)", name, p.HTTPGet.Port, port)
				}
			}
			if p := ct.ReadinessProbe; p != nil && p.HTTPGet != nil {
				if p.HTTPGet.Path != "/readyz" {
					t.Errorf("readiness probe path %q: want /readyz, which answers 503 while draining", p.HTTPGet.Path)
				}
				// The pod must be seen draining within the drain delay.
				if notice := time.Duration(max(1, p.PeriodSeconds)*max(1, p.FailureThreshold)) * time.Second; notice > c.duration(t, env, "SHARECARD_DRAIN_DELAY") {
					t.Errorf("readiness probe notices a drain after %v, longer than the drain delay", notice)
				}
			}
			if p := ct.LivenessProbe; p != nil && p.HTTPGet != nil && p.HTTPGet.Path != "/healthz" {
				t.Errorf("liveness probe path %q: want /healthz (a draining or store-less pod is alive)", p.HTTPGet.Path)
			}

			for _, r := range []string{"cpu", "memory"} {
				if ct.Resources.Requests[r] == "" {
					t.Errorf("no %s request", r)
				}
			}
			limit, err := parseBytes(ct.Resources.Limits["memory"])
			if err != nil {
				t.Fatalf("memory limit: %v", err)
			}
			if gml, ok := env["GOMEMLIMIT"]; !ok {
				t.Errorf("no GOMEMLIMIT: the memory budget defaults to half of it")
			} else if n, err := parseBytes(gml); err != nil || n >= limit {
				t.Errorf("GOMEMLIMIT=%s: want a size under the memory limit %s", gml, ct.Resources.Limits["memory"])
			}

			if sc := pod.SecurityContext; !sc.RunAsNonRoot || sc.RunAsUser != imageUser {
				t.Errorf("pod securityContext %+v: want runAsNonRoot and runAsUser %d, the image's user", sc, imageUser)
			}
			data := env["SHARECARD_DATA"]
			var dataVolume string
			for _, m := range ct.VolumeMounts {
				if m.MountPath == data {
					dataVolume = m.Name
				}
			}
			if data == "" || (ct.SecurityContext.ReadOnlyRootFilesystem && dataVolume == "") {
				t.Errorf("SHARECARD_DATA=%q must be a mounted volume (the root file system is read-only)", data)
			}

			_, nats := env["SHARECARD_NATS"]
			store := env["SHARECARD_STORE"]
			if tt.embedded {
				if nats || store != "" {
					t.Errorf("the embedded variant sets SHARECARD_NATS or SHARECARD_STORE; it keeps both on its volume")
				}
				if w.Spec.Replicas == nil || *w.Spec.Replicas != 1 {
					t.Errorf("replicas %v: the embedded queue and folder store belong to one pod; want 1", w.Spec.Replicas)
				}
				if !slices.ContainsFunc(w.Spec.VolumeClaimTemplates, func(v k8sClaim) bool {
					return v.Metadata.Name == dataVolume
				}) {
					t.Errorf("SHARECARD_DATA (%s) is not on a volume claim template: jobs and images would be lost with the pod", data)
				}
			} else {
				if !nats || !strings.HasPrefix(store, "s3://") {
					t.Errorf("SHARECARD_NATS set: %v, SHARECARD_STORE=%q: the shared variant needs an external NATS and an s3:// store", nats, store)
				}
				for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
					if _, ok := env[v]; !ok {
						t.Errorf("%s is not set; the S3 store needs it", v)
					}
				}
			}
		})
	}
}
