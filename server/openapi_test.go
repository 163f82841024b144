package server

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// openAPIOperation is the part of an OpenAPI operation the tests check.
type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Security    *[]map[string][]string     `json:"security"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

// TestOpenAPI_Contract checks what redocly's recommended rules ask of
// every route, without needing node: a unique operationId, security
// stated (the empty list for public routes), schemes that exist, servers,
// and a documented answer for the statuses every route of its kind gives.
func TestOpenAPI_Contract(t *testing.T) {
	srv, _ := newTestServer(t, Config{})
	var doc struct {
		Servers    []struct{ URL string }                 `json:"servers"`
		Paths      map[string]map[string]openAPIOperation `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type, In, Name string
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if len(doc.Servers) == 0 {
		t.Error("openapi.json has no servers")
	}
	ops := map[string]openAPIOperation{}
	for path, methods := range doc.Paths {
		for m, op := range methods {
			ops[strings.ToUpper(m)+" "+path] = op
		}
	}
	seen := map[string]string{}
	routes := srv.routeTable()
	routes = append(routes, route{pattern: "GET /metrics", name: "metrics", admin: true})
	for _, rt := range routes {
		op, ok := ops[rt.pattern]
		if !ok {
			t.Errorf("%s is not in openapi.json", rt.pattern)
			continue
		}
		if op.OperationID == "" {
			t.Errorf("%s has no operationId", rt.pattern)
		} else if prev, dup := seen[op.OperationID]; dup {
			t.Errorf("%s and %s share the operationId %q", prev, rt.pattern, op.OperationID)
		}
		seen[op.OperationID] = rt.pattern
		if op.Security == nil {
			t.Errorf("%s states no security (use [] for a public route)", rt.pattern)
		} else {
			for _, req := range *op.Security {
				for name := range req {
					if _, ok := doc.Components.SecuritySchemes[name]; !ok {
						t.Errorf("%s names the security scheme %q, which components.securitySchemes lacks", rt.pattern, name)
					}
				}
			}
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s documents no responses", rt.pattern)
		}
		// Routes under /v1 can fail unexpectedly; the admin-only routes
		// answer 404 on the public listener when it is split off.
		if strings.Contains(rt.pattern, " /v1/") {
			if _, ok := op.Responses["500"]; !ok {
				t.Errorf("%s does not document 500", rt.pattern)
			}
		}
		if rt.admin && !rt.public {
			if _, ok := op.Responses["404"]; !ok {
				t.Errorf("%s (admin only) does not document 404 on the public listener", rt.pattern)
			}
		}
	}
	// The signed routes name their header or parameter.
	for pattern, want := range map[string][]string{
		"GET /v1/card/{layout}/{file}": {"query sig"},
		"POST /v1/hooks/{source}":      {"header X-Sharecard-Signature", "header webhook-signature", "header X-Hub-Signature-256", "header X-Ghost-Signature"},
	} {
		op := ops[pattern]
		var got []string
		if op.Security != nil {
			for _, req := range *op.Security {
				for name := range req {
					s := doc.Components.SecuritySchemes[name]
					got = append(got, s.In+" "+s.Name)
				}
			}
		}
		for _, w := range want {
			if !strings.Contains(strings.Join(got, ","), w) {
				t.Errorf("%s: security %v lacks %s", pattern, got, w)
			}
		}
	}
}

// redoclyAccepted are the warnings of redocly's recommended rules that
// the API has on purpose, by rule and JSON pointer.
var redoclyAccepted = map[string]string{
	// A card URL always redirects to the immutable image.
	"operation-2xx-response #/paths/~1v1~1card~1{layout}~1{file}/get/responses": "",
	// The probes answer 200 or 503, never a 4xx.
	"operation-4xx-response #/paths/~1healthz/get/responses": "",
	"operation-4xx-response #/paths/~1readyz/get/responses":  "",
}

// TestOpenAPI_RedoclyLint runs `redocly lint` with the recommended rules
// (npm install -g @redocly/cli): no errors, and no warnings but the
// accepted ones.
func TestOpenAPI_RedoclyLint(t *testing.T) {
	bin, err := exec.LookPath("redocly")
	if err != nil {
		if os.Getenv("SHARECARD_REQUIRE_TOOLS") == "1" {
			t.Fatal("redocly is not installed (npm install -g @redocly/cli) and SHARECARD_REQUIRE_TOOLS=1")
		}
		t.Skip("redocly is not installed; npm install -g @redocly/cli to run this test")
	}
	cmd := exec.Command(bin, "lint", "--extends", "recommended", "--format", "json", "openapi.json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var out struct {
		Totals   struct{ Errors, Warnings int }
		Problems []struct {
			RuleID, Severity, Message string
			Location                  []struct {
				Pointer string
				Start   struct{ Line, Col int }
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("redocly lint: %v (run error %v)\nstdout: %s\nstderr: %s", err, runErr, stdout.String(), stderr.String())
	}
	for _, p := range out.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		if _, ok := redoclyAccepted[p.RuleID+" "+where]; ok && p.Severity == "warn" {
			continue
		}
		line := 0
		if len(p.Location) > 0 {
			line = p.Location[0].Start.Line
		}
		t.Errorf("openapi.json:%d: %s %s: %s (%s)", line, p.Severity, p.RuleID, p.Message, where)
	}
	if out.Totals.Errors > 0 || runErr != nil {
		t.Errorf("redocly lint: %d errors (%v)", out.Totals.Errors, runErr)
	}
}
