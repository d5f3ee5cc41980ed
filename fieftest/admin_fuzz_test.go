package fieftest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// FuzzAdminBody posts arbitrary bodies and queries to the admin API: every
// answer is one of Fief's (never a 500), with a JSON body.
func FuzzAdminBody(f *testing.F) {
	f.Add("/users/", `{"email":"a@b.co","password":"Herm1ne-Tincture!","email_verified":true,"tenant_id":"TENANT"}`)
	f.Add("/roles/", `{"name":"r","granted_by_default":"yes","permissions":["x",1,null]}`)
	f.Add("/clients/", `{"name":1,"first_party":2,"client_type":"x","redirect_uris":"u","tenant_id":"TENANT","access_id_token_lifetime_seconds":-1}`)
	f.Add("/webhooks/", `{"url":"http://[::1","events":[{}]}`)
	f.Add("/tenants/", `{"name":"  ","logo_url":null,"oauth_providers":[]}`)
	f.Add("/users/?limit=1e3&skip=-0&ordering=-tenant.name,,x", ``)
	f.Add("/user-fields/", `{"name":"n","slug":"s","type":"STRING","configuration":[]}`)
	f.Add("/permissions/", `[`)
	srv := fieftest.NewServer()
	defer srv.Close()
	tenant := srv.DefaultTenant().ID()
	f.Fuzz(func(t *testing.T, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " #\x00\r\n\t") {
			return
		}
		req, err := http.NewRequest("POST", srv.URL+"/admin/api"+path, strings.NewReader(strings.ReplaceAll(body, "TENANT", tenant)))
		if err != nil {
			return
		}
		if strings.Contains(path, "?") {
			req.Method = "GET"
		}
		req.Header.Set("Authorization", "Bearer "+srv.AdminAPIKey())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case 200, 201, 400, 404, 405, 422:
		case 307:
			return
		default:
			t.Fatalf("POST %s %q: status %d", path, body, resp.StatusCode)
		}
		var v any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatalf("POST %s %q: %d with a body that is not JSON: %v", path, body, resp.StatusCode, err)
		}
	})
}
