package fieftest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// recordEvents makes srv record the events it emits.
func recordEvents(srv *Server) *[]string {
	var got []string
	srv.mu.Lock()
	srv.eventHook = func(typ string, obj any) {
		b, _ := json.Marshal(obj)
		got = append(got, typ+" "+string(b))
	}
	srv.mu.Unlock()
	return &got
}

func eventTypes(events []string) []string {
	var out []string
	for _, e := range events {
		typ, _, _ := strings.Cut(e, " ")
		out = append(out, typ)
	}
	return out
}

// TestEventsOfTheGoAPI: the Go methods announce their changes through the
// same point as the admin API, with Fief's event names.
func TestEventsOfTheGoAPI(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	got := recordEvents(srv)
	c, err := srv.AddClient(ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := srv.AddUser(UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	u.SetPermissions([]string{"castles:write"})
	u.SetActive(false)
	u.SetEmailVerified(false)
	u.SetFields(map[string]any{"given_name": "Anne"})
	u.SetPassword("Herm1ne-Tincture!")
	c.AddRedirectURI("http://localhost/cb")
	srv.DefaultTenant().SetRegistrationAllowed(false)
	srv.DefaultTenant().RemoveUser(u.ID)
	tn, err := srv.AddTenant("other")
	if err != nil {
		t.Fatal(err)
	}
	tn.SetName("Other")
	want := []string{
		"client.created",
		"user.created", "permission.created", "user_permission.created",
		"permission.created", "user_permission.deleted", "user_permission.created",
		"user.updated", "user.updated", "user.updated", "user.updated",
		"client.updated", "tenant.updated", "user.deleted",
		"tenant.created", "tenant.updated",
	}
	if typs := eventTypes(*got); !slices.Equal(typs, want) {
		t.Errorf("events:\n got %v\nwant %v", typs, want)
	}
	var deleted map[string]any
	for _, e := range *got {
		if strings.HasPrefix(e, "user.deleted ") {
			json.Unmarshal([]byte(strings.TrimPrefix(e, "user.deleted ")), &deleted)
		}
	}
	if deleted["email"] != "anne@bretagne.duchy" || deleted["is_active"] != false {
		t.Errorf("user.deleted carries %v, want the user as it was", deleted)
	}
}

// TestEventsOfTheUserAPI: a profile update and a password change through
// the user API fire user.updated.
func TestEventsOfTheUserAPI(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	u, err := srv.AddUser(UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	got := recordEvents(srv)
	for _, call := range []struct{ path, body, acr string }{
		{"/api/profile", `{"fields":{"given_name":"Anne"}}`, "0"},
		{"/api/password", `{"password":"Chang3d-Herm1ne-Tincture!"}`, "1"},
	} {
		tok := srv.MintAccessToken(u.ID, TokenOptions{ACR: call.acr})
		req, _ := http.NewRequest("PATCH", srv.URL+call.path, strings.NewReader(call.body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", call.path, resp.StatusCode)
		}
	}
	if typs := eventTypes(*got); !slices.Equal(typs, []string{"user.updated", "user.updated"}) {
		t.Errorf("events: %v", typs)
	}
}

// TestEventsOfTheAdminAPI: grants of roles announce the role grant only,
// not the permissions that come with it, as in Fief.
func TestEventsOfTheAdminAPI(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	u, err := srv.AddUser(UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	p := srv.createPermissionLocked("Castles read", "castles:read")
	srv.mu.Unlock()
	got := recordEvents(srv)
	var call func(method, path, body string)
	call = func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+"/admin/api"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.AdminAPIKey())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, v)
		}
		if id, ok := v["id"].(string); ok && strings.HasPrefix(path, "/roles/") {
			call("POST", "/users/"+u.ID+"/roles", `{"id":"`+id+`"}`)
			call("DELETE", "/users/"+u.ID+"/roles/"+id, "")
			call("DELETE", "/roles/"+id, "")
		}
	}
	call("POST", "/roles/", `{"name":"Reader","granted_by_default":false,"permissions":["`+p.id+`"]}`)
	call("PATCH", "/users/"+u.ID, `{}`)
	want := []string{"role.created", "user_role.created", "user_role.deleted", "role.deleted", "user.updated"}
	if typs := eventTypes(*got); !slices.Equal(typs, want) {
		t.Errorf("events:\n got %v\nwant %v", typs, want)
	}
}

// TestEventsOfTenants: a tenant created through the admin API is announced
// with what the request set, then its client; deleted, only the tenant is
// announced (Fief deletes its users and clients by cascade).
func TestEventsOfTenants(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	got := recordEvents(srv)
	do := func(method, path, body string) map[string]any {
		req, _ := http.NewRequest(method, srv.URL+"/admin/api"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.AdminAPIKey())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, v)
		}
		return v
	}
	tn := do("POST", "/tenants/", `{"name":"Second","logo_url":"https://example.com/logo.png"}`)
	tenant, _ := srv.Tenant("second")
	if _, err := tenant.AddUser(UserConfig{Email: "anne@bretagne.duchy"}); err != nil {
		t.Fatal(err)
	}
	do("DELETE", "/tenants/"+tn["id"].(string), "")
	want := []string{"tenant.created", "client.created", "user.created", "tenant.deleted"}
	if typs := eventTypes(*got); !slices.Equal(typs, want) {
		t.Errorf("events:\n got %v\nwant %v", typs, want)
	}
	if !strings.Contains((*got)[0], `"logo_url":"https://example.com/logo.png"`) {
		t.Errorf("tenant.created: %s", (*got)[0])
	}
}
