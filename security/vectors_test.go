package security_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
)

// TestVectorsOverHTTP runs the access-token vectors minted by jwcrypto
// (Fief's own JOSE library, ../testdata/vectors) through the middleware, with
// the token in the Authorization header and in a cookie, and checks the
// status each one's expectation names: valid 200, expired / invalid /
// invalid_issuer 401, missing_scope / acr_too_low / missing_permission 403.
func TestVectorsOverHTTP(t *testing.T) {
	raw, err := os.ReadFile("../testdata/vectors/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := os.ReadFile("../testdata/vectors/signing_jwks_public.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			Name, Kind, Token, Expectation string
			Inputs                         struct {
				Issuer              string   `json:"issuer"`
				ClientID            string   `json:"client_id"`
				RequiredScope       []string `json:"required_scope"`
				RequiredACR         *string  `json:"required_acr"`
				RequiredPermissions []string `json:"required_permissions"`
			}
		}
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	status := map[string]int{
		"valid": 200, "expired": 401, "invalid": 401, "invalid_issuer": 401,
		"missing_scope": 403, "acr_too_low": 403, "missing_permission": 403,
	}
	ran := 0
	for _, v := range file.Vectors {
		if v.Kind != "access_token" {
			continue
		}
		want, ok := status[v.Expectation]
		if !ok {
			t.Fatalf("%s: unknown expectation %q", v.Name, v.Expectation)
		}
		ran++
		t.Run(v.Name, func(t *testing.T) {
			tenant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				base := "http://" + r.Host
				switch r.URL.Path {
				case "/.well-known/openid-configuration":
					json.NewEncoder(w).Encode(map[string]string{
						"issuer": v.Inputs.Issuer, "authorization_endpoint": base + "/authorize",
						"token_endpoint": base + "/api/token", "userinfo_endpoint": base + "/api/userinfo",
						"jwks_uri": base + "/.well-known/jwks.json",
					})
				case "/.well-known/jwks.json":
					w.Write(jwks)
				default:
					http.NotFound(w, r)
				}
			}))
			defer tenant.Close()
			client := newClient(t, fief.Config{BaseURL: tenant.URL, ClientID: v.Inputs.ClientID})
			req := fief.Requirements{Scopes: v.Inputs.RequiredScope, Permissions: v.Inputs.RequiredPermissions}
			if v.Inputs.RequiredACR != nil {
				req.ACR = fief.ACR(*v.Inputs.RequiredACR)
			}
			for _, via := range []struct {
				name   string
				getter fiefhttp.TokenGetter
				set    func(*http.Request)
			}{
				{"header", nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+v.Token) }},
				{"cookie", fiefhttp.Cookie("session"), func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "session", Value: v.Token}) }},
			} {
				r := httptest.NewRequest("GET", "/", nil)
				via.set(r)
				rec := httptest.NewRecorder()
				authHandler(client, via.getter, req).ServeHTTP(rec, r)
				if rec.Code != want {
					t.Errorf("%s: status %d, want %d", via.name, rec.Code, want)
				}
				if want != 200 && rec.Header().Get("WWW-Authenticate") == "" {
					t.Errorf("%s: no WWW-Authenticate on a %d", via.name, rec.Code)
				}
			}
		})
	}
	if ran < 10 {
		t.Fatalf("only %d access-token vectors", ran)
	}
}
