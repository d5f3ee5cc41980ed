package fieftest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestDiscovery(t *testing.T) {
	srv := fieftest.NewUnstartedServer()
	srv.Domain = "fief.example.com"
	srv.Start()
	defer srv.Close()
	if _, err := srv.AddTenant("secondary"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path, forwardedHost, wantIssuer, wantBase string
	}{
		{"default", "", "", "https://fief.example.com", srv.URL},
		{"slug", "/secondary", "", "https://fief.example.com/secondary", srv.URL + "/secondary"},
		{"forwarded host", "", "proxy.example.org", "https://fief.example.com", "http://proxy.example.org"},
		{"forwarded host slug", "/secondary", "proxy.example.org", "https://fief.example.com/secondary", "http://proxy.example.org/secondary"},
	}
	wantKeys := []string{
		"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint",
		"scopes_supported", "response_types_supported", "response_modes_supported", "grant_types_supported",
		"token_endpoint_auth_methods_supported", "service_documentation", "code_challenge_methods_supported",
		"userinfo_endpoint", "acr_values_supported", "subject_types_supported",
		"id_token_signing_alg_values_supported", "id_token_encryption_alg_values_supported",
		"id_token_encryption_enc_values_supported", "userinfo_signing_alg_values_supported",
		"claims_supported", "request_parameter_supported",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+tt.path+"/.well-known/openid-configuration", nil)
			if tt.forwardedHost != "" {
				req.Header.Set("X-Forwarded-Host", tt.forwardedHost)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(browsertest.Body(t, resp)), &doc); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			var keys []string
			for k := range doc {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			want := slices.Clone(wantKeys)
			slices.Sort(want)
			if !slices.Equal(keys, want) {
				t.Errorf("keys = %v\nwant %v", keys, want)
			}
			if doc["issuer"] != tt.wantIssuer {
				t.Errorf("issuer = %v, want %v", doc["issuer"], tt.wantIssuer)
			}
			for k, p := range map[string]string{
				"authorization_endpoint": "/authorize", "token_endpoint": "/api/token",
				"jwks_uri": "/.well-known/jwks.json", "registration_endpoint": "/register",
				"userinfo_endpoint": "/api/userinfo",
			} {
				if doc[k] != tt.wantBase+p {
					t.Errorf("%s = %v, want %s", k, doc[k], tt.wantBase+p)
				}
			}
			if doc["request_parameter_supported"] != false {
				t.Errorf("request_parameter_supported = %v", doc["request_parameter_supported"])
			}
		})
	}
	if srv.Issuer() != "https://fief.example.com" {
		t.Errorf("Issuer() = %q", srv.Issuer())
	}
}

func TestDefaultDomainIsListener(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	want := "https://" + strings.TrimPrefix(srv.URL, "http://")
	if srv.Issuer() != want {
		t.Errorf("Issuer() = %q, want %q", srv.Issuer(), want)
	}
	tn, err := srv.AddTenant("other")
	if err != nil {
		t.Fatal(err)
	}
	if tn.Issuer() != want+"/other" || tn.BaseURL() != srv.URL+"/other" || tn.Slug() != "other" {
		t.Errorf("tenant issuer %q base %q slug %q", tn.Issuer(), tn.BaseURL(), tn.Slug())
	}
}

func TestJWKS(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	resp := get(t, srv.Client(), srv.URL+"/.well-known/jwks.json")
	body := browsertest.Body(t, resp)
	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Keys) != 1 {
		t.Fatalf("%d keys, want 1", len(raw.Keys))
	}
	k := raw.Keys[0]
	var members []string
	for m := range k {
		members = append(members, m)
	}
	slices.Sort(members)
	if !slices.Equal(members, []string{"e", "kid", "kty", "n", "use"}) {
		t.Errorf("members = %v", members)
	}
	if k["kty"] != "RSA" || k["use"] != "sig" || k["e"] != "AQAB" || len(k["kid"].(string)) != 43 {
		t.Errorf("key = %v", k)
	}
	if ids := srv.DefaultTenant().KeyIDs(); len(ids) != 1 || ids[0] != k["kid"] {
		t.Errorf("KeyIDs() = %v", ids)
	}
	if string(srv.DefaultTenant().PublicJWKS()) != body {
		t.Errorf("PublicJWKS() differs from the served document")
	}
	set := fetchJWKS(t, srv.Client(), srv.URL)
	if !set.Keys[0].Valid() || !set.Keys[0].IsPublic() {
		t.Errorf("go-jose rejects the key")
	}
	if n := set.Keys[0].Key; n == nil {
		t.Errorf("no key")
	}
}

func TestRouting(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	if _, err := srv.AddTenant("secondary"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path string
		status             int
		detail             string
	}{
		{"unknown path", "GET", "/nope", 404, "Not Found"},
		{"unknown nested path", "GET", "/a/b/c", 404, "Not Found"},
		{"wrong method", "GET", "/api/token", 405, "Method Not Allowed"},
		{"wrong method slug", "DELETE", "/secondary/api/userinfo", 405, "Method Not Allowed"},
		{"unknown slug", "GET", "/nope/.well-known/openid-configuration", 400, "Bad Request"},
		{"unknown slug html route", "GET", "/nope/login", 400, "Bad Request"},
		{"trailing slash is a slug", "GET", "/authorize/", 400, "Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := browsertest.Body(t, resp)
			if resp.StatusCode != tt.status || !jsonEq(t, body, `{"detail":"`+tt.detail+`"}`) {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.status, tt.detail)
			}
			if resp.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
				t.Errorf("security headers missing")
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	for _, p := range []string{"/.well-known/jwks.json", "/login", "/api/userinfo", "/logout"} {
		resp := get(t, srv.Client(), srv.URL+p)
		browsertest.Body(t, resp)
		for h, v := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'self'",
			"X-Frame-Options":         "SAMEORIGIN",
			"Referrer-Policy":         "strict-origin-when-cross-origin",
			"X-Content-Type-Options":  "nosniff",
			"Permissions-Policy":      "geolocation=(), camera=(), microphone=()",
		} {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("%s: %s = %q, want %q", p, h, got, v)
			}
		}
	}
}

func TestCORS(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	tests := []struct {
		name, method, path string
		headers            map[string]string
		status             int
		allowOrigin        string
	}{
		{"simple api", "GET", "/.well-known/jwks.json", map[string]string{"Origin": "https://app.example"}, 200, "*"},
		{"with cookie echoes origin", "GET", "/.well-known/jwks.json", map[string]string{"Origin": "https://app.example", "Cookie": "a=b"}, 200, "https://app.example"},
		{"not on authorize", "GET", "/login", map[string]string{"Origin": "https://app.example"}, 200, ""},
		{"preflight", "OPTIONS", "/api/userinfo", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}, 200, "*"},
		{"preflight bad header", "OPTIONS", "/api/userinfo", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Custom"}, 400, "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			browsertest.Body(t, resp)
			if resp.StatusCode != tt.status || resp.Header.Get("Access-Control-Allow-Origin") != tt.allowOrigin {
				t.Errorf("got %d, ACAO %q; want %d, %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), tt.status, tt.allowOrigin)
			}
		})
	}
}

func TestAddTenantRefuses(t *testing.T) {
	srv := fieftest.NewUnstartedServer()
	if _, err := srv.AddTenant("ok-slug"); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"", "ok-slug", "Upper", "a/b", "api", "login", "-x"} {
		if tn, err := srv.AddTenant(slug); err == nil || tn != nil || !strings.Contains(err.Error(), strconv.Quote(slug)) {
			t.Errorf("AddTenant(%q) = %v, %v; want an error naming the slug", slug, tn, err)
		}
	}
	if _, ok := srv.Tenant("ok-slug"); !ok {
		t.Error("Tenant(ok-slug) not found")
	}
}
