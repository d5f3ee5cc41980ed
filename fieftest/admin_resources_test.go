package fieftest_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// TestAdminClients: a client created through the admin API serves the
// token endpoint; an encryption key generated through it encrypts the
// client's ID tokens.
func TestAdminClients(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	code, v := admin(t, srv, "POST", "/clients/", map[string]any{"name": "App", "first_party": true, "client_type": "confidential", "redirect_uris": []string{}, "tenant_id": srv.DefaultTenant().ID()})
	if code != 422 || !strings.Contains(mustJSON(t, v), "value_error.list.min_items") {
		t.Errorf("no redirect URI: %d %v", code, v)
	}
	c := mustAdmin(t, srv, 201, "POST", "/clients/", map[string]any{
		"name": "App", "first_party": true, "client_type": "confidential", "redirect_uris": []string{redirectURI},
		"tenant_id": srv.DefaultTenant().ID(), "access_id_token_lifetime_seconds": 3600,
	})
	id, clientID, secret := obj(t, c, "id").(string), obj(t, c, "client_id").(string), obj(t, c, "client_secret").(string)
	if obj(t, c, "encrypt_jwk") != nil || obj(t, c, "authorization_code_lifetime_seconds") != 600.0 {
		t.Errorf("created client: %v", c)
	}
	srv.SetAutoLogin(u.Email())
	form := url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {redirectURI}, "client_id": {clientID}, "client_secret": {secret}}
	form.Set("code", codeFor(t, srv, clientID, nil))
	status, tok, _ := tokenCall(t, srv.Client(), srv.URL, form)
	if status != 200 || tok["expires_in"] != 3600.0 || strings.Count(tok["id_token"].(string), ".") != 2 {
		t.Fatalf("token: %d %v", status, tok)
	}

	key := mustAdmin(t, srv, 201, "POST", "/clients/"+id+"/encryption-key", nil)
	if obj(t, key, "d") == nil || obj(t, key, "use") != "enc" {
		t.Errorf("encryption key answer is not a private JWK: %v", key)
	}
	if jwk := obj(t, mustAdmin(t, srv, 200, "GET", "/clients/"+id, nil), "encrypt_jwk"); jwk == nil || strings.Contains(jwk.(string), `"d"`) {
		t.Errorf("encrypt_jwk = %v, want the public key", jwk)
	}
	form.Set("code", codeFor(t, srv, clientID, nil))
	if status, tok, _ = tokenCall(t, srv.Client(), srv.URL, form); strings.Count(tok["id_token"].(string), ".") != 4 {
		t.Errorf("ID token after the key: %d %v, want a JWE", status, tok)
	}

	patched := mustAdmin(t, srv, 200, "PATCH", "/clients/"+id, map[string]any{"client_type": "public", "first_party": false})
	if obj(t, patched, "client_type") != "public" || obj(t, patched, "first_party") != false {
		t.Errorf("patched: %v", patched)
	}
	list := mustAdmin(t, srv, 200, "GET", "/clients/?query=app&tenant="+srv.DefaultTenant().ID(), nil)
	if obj(t, list, "count") != 1.0 {
		t.Errorf("query=app: %v", list)
	}
	mustAdmin(t, srv, 204, "DELETE", "/clients/"+id, nil)
	if _, ok := srv.DefaultTenant().Client(clientID); ok {
		t.Error("the deleted client still exists")
	}
	code, v = admin(t, srv, "POST", "/clients/", map[string]any{"name": "X", "first_party": true, "client_type": "public", "redirect_uris": []string{redirectURI}, "tenant_id": "c477bab5-f40e-4918-9ad2-fcd3ad1fefb7"})
	if code != 400 || obj(t, v, "detail") != "CLIENT_CREATE_UNKNOWN_TENANT" {
		t.Errorf("unknown tenant: %d %v", code, v)
	}
}

// TestAdminTenants: a tenant created through the admin API is served under
// its slug, with a client; deleted, it is gone.
func TestAdminTenants(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	tn := mustAdmin(t, srv, 201, "POST", "/tenants/", map[string]any{"name": "Secondary Realm", "logo_url": "https://example.com/logo.png"})
	if obj(t, tn, "slug") != "secondary-realm" || obj(t, tn, "default") != false || obj(t, tn, "logo_url") != "https://example.com/logo.png" {
		t.Errorf("created tenant: %v", tn)
	}
	again := mustAdmin(t, srv, 201, "POST", "/tenants/", map[string]any{"name": "Secondary Realm"})
	if s := obj(t, again, "slug").(string); s == "secondary-realm" || !strings.HasPrefix(s, "secondary-realm-") {
		t.Errorf("second tenant of the same name has slug %q", s)
	}
	resp := get(t, srv.Client(), srv.URL+"/secondary-realm/.well-known/openid-configuration")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("discovery of the new tenant: %d", resp.StatusCode)
	}
	id := obj(t, tn, "id").(string)
	clients := mustAdmin(t, srv, 200, "GET", "/clients/?tenant="+id, nil)
	if obj(t, clients, "count") != 1.0 || obj(t, obj(t, clients, "results").([]any)[0], "name") != "Secondary Realm's client" {
		t.Errorf("clients of the new tenant: %v", clients)
	}
	code, v := admin(t, srv, "PATCH", "/tenants/"+id, map[string]any{"theme_id": "c477bab5-f40e-4918-9ad2-fcd3ad1fefb7"})
	if code != 400 || obj(t, v, "detail") != "TENANT_UPDATE_NOT_EXISTING_THEME" {
		t.Errorf("unknown theme: %d %v", code, v)
	}
	p := mustAdmin(t, srv, 200, "PATCH", "/tenants/"+id, map[string]any{"registration_allowed": false, "logo_url": nil})
	if obj(t, p, "registration_allowed") != false || obj(t, p, "logo_url") != nil {
		t.Errorf("patched: %v", p)
	}
	mustAdmin(t, srv, 204, "DELETE", "/tenants/"+id, nil)
	if _, ok := srv.Tenant("secondary-realm"); ok {
		t.Error("the deleted tenant is still served")
	}
	if v := mustAdmin(t, srv, 200, "GET", "/tenants/", nil); obj(t, v, "count") != 2.0 {
		t.Errorf("tenants after the deletion: %v", v)
	}
}

// TestAdminWebhooks: the secret is shown on creation and regeneration only.
func TestAdminWebhooks(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	code, v := admin(t, srv, "POST", "/webhooks/", map[string]any{"url": "ftp://example.com", "events": []string{"user.created"}})
	if code != 422 {
		t.Errorf("ftp URL: %d %v", code, v)
	}
	h := mustAdmin(t, srv, 201, "POST", "/webhooks/", map[string]any{"url": "http://127.0.0.1:9555/hook", "events": []string{"user.created"}})
	id, secret := obj(t, h, "id").(string), obj(t, h, "secret")
	if s, _ := secret.(string); len(s) < 32 {
		t.Errorf("secret %v", secret)
	}
	if got := mustAdmin(t, srv, 200, "GET", "/webhooks/"+id, nil); obj(t, got, "secret") != nil {
		t.Errorf("GET shows the secret: %v", got)
	}
	re := mustAdmin(t, srv, 200, "POST", "/webhooks/"+id+"/secret", nil)
	if obj(t, re, "secret") == secret || obj(t, re, "secret") == nil {
		t.Errorf("regenerated secret: %v", re)
	}
	p := mustAdmin(t, srv, 200, "PATCH", "/webhooks/"+id, map[string]any{"events": []string{"user.updated", "user.deleted"}})
	if mustJSON(t, obj(t, p, "events")) != `["user.updated","user.deleted"]` {
		t.Errorf("patched: %v", p)
	}
	if logs := mustAdmin(t, srv, 200, "GET", "/webhooks/"+id+"/logs", nil); mustJSON(t, logs) != `{"count":0,"results":[]}` {
		t.Errorf("logs: %v", logs)
	}
	mustAdmin(t, srv, 204, "DELETE", "/webhooks/"+id, nil)
	mustAdmin(t, srv, 404, "GET", "/webhooks/"+id+"/logs", nil)
}

// TestAdminSettings: email templates, OAuth providers and user fields.
func TestAdminSettings(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	templates := mustAdmin(t, srv, 200, "GET", "/email-templates/?ordering=type", nil)
	if obj(t, templates, "count") != 4.0 {
		t.Fatalf("templates: %v", templates)
	}
	first := obj(t, templates, "results").([]any)[0]
	if obj(t, first, "type") != "BASE" {
		t.Errorf("first by type: %v", first)
	}
	tid := obj(t, first, "id").(string)
	code, v := admin(t, srv, "PATCH", "/email-templates/"+tid, map[string]any{"content": "{{ unclosed"})
	if code != 400 || obj(t, v, "detail") != "EMAIL_TEMPLATE_INVALID_TEMPLATE" {
		t.Errorf("invalid template: %d %v", code, v)
	}
	mustAdmin(t, srv, 200, "PATCH", "/email-templates/"+tid, map[string]any{"subject": "Hello {{ user.email }}"})

	p := mustAdmin(t, srv, 201, "POST", "/oauth-providers/", map[string]any{"provider": "GITHUB", "client_id": "gh", "client_secret": "ghs", "scopes": []string{"user:email"}})
	pid := obj(t, p, "id").(string)
	if obj(t, p, "name") != nil || obj(t, p, "provider") != "GITHUB" {
		t.Errorf("provider: %v", p)
	}
	mustAdmin(t, srv, 200, "PATCH", "/oauth-providers/"+pid, map[string]any{"name": "GitHub"})
	tn := mustAdmin(t, srv, 200, "PATCH", "/tenants/"+srv.DefaultTenant().ID(), map[string]any{"oauth_providers": []string{pid}})
	if ps := obj(t, tn, "oauth_providers").([]any); len(ps) != 1 || obj(t, ps[0], "name") != "GitHub" {
		t.Errorf("tenant providers: %v", tn)
	}
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	mustAdmin(t, srv, 404, "GET", "/oauth-providers/"+pid+"/access-token/"+u.ID, nil)
	if v := mustAdmin(t, srv, 200, "GET", "/users/"+u.ID+"/oauth-accounts", nil); mustJSON(t, v) != `{"count":0,"results":[]}` {
		t.Errorf("oauth accounts: %v", v)
	}
	mustAdmin(t, srv, 204, "DELETE", "/oauth-providers/"+pid, nil)
	if tn := mustAdmin(t, srv, 200, "GET", "/tenants/"+srv.DefaultTenant().ID(), nil); len(obj(t, tn, "oauth_providers").([]any)) != 0 {
		t.Errorf("the deleted provider is still on the tenant: %v", tn)
	}

	cfg := map[string]any{"at_registration": true, "required": false, "at_update": true}
	code, v = admin(t, srv, "POST", "/user-fields/", map[string]any{"name": "Name", "slug": "first_name", "type": "STRING", "configuration": map[string]any{}})
	if code != 422 || !strings.Contains(mustJSON(t, v), `"loc":["body","configuration","at_registration"]`) {
		t.Errorf("empty configuration: %d %v", code, v)
	}
	mustAdmin(t, srv, 201, "POST", "/user-fields/", map[string]any{"name": "First name", "slug": "first_name", "type": "STRING", "configuration": cfg})
	code, v = admin(t, srv, "POST", "/user-fields/", map[string]any{"name": "Again", "slug": "first_name", "type": "STRING", "configuration": cfg})
	if code != 400 || obj(t, v, "detail") != "USER_FIELD_SLUG_ALREADY_EXISTS" {
		t.Errorf("duplicate slug: %d %v", code, v)
	}
	// Now first_name exists: the admin API keeps it, and drops unknown ones.
	got := mustAdmin(t, srv, 200, "PATCH", "/users/"+u.ID, map[string]any{"fields": map[string]any{"first_name": "Anne", "nickname": "Duchess"}})
	if mustJSON(t, obj(t, got, "fields")) != `{"first_name":"Anne"}` {
		t.Errorf("fields: %v", obj(t, got, "fields"))
	}
	if u.Claims()["fields"].(map[string]any)["first_name"] != "Anne" {
		t.Errorf("claims: %v", u.Claims())
	}
}
