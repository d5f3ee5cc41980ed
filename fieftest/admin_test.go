package fieftest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// admin calls the admin API of srv with its key and decodes the answer
// (nil for an empty body).
func admin(t *testing.T, srv *fieftest.Server, method, path string, body any) (int, any) {
	t.Helper()
	return adminWithKey(t, srv, srv.AdminAPIKey(), method, path, body)
}

func adminWithKey(t *testing.T, srv *fieftest.Server, key, method, path string, body any) (int, any) {
	t.Helper()
	var b string
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		b = string(raw)
	}
	c := noRedirect(srv)
	code, text := bearer(t, c, method, srv.URL+"/admin/api"+path, key, b)
	if text == "" {
		return code, nil
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("%s %s: answer %q is not JSON: %v", method, path, text, err)
	}
	return code, v
}

// obj is the member name of an answer object.
func obj(t *testing.T, v any, name string) any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("answer %v is not an object", v)
	}
	return m[name]
}

// mustAdmin is admin that fails the test unless the status is want.
func mustAdmin(t *testing.T, srv *fieftest.Server, want int, method, path string, body any) any {
	t.Helper()
	code, v := admin(t, srv, method, path, body)
	if code != want {
		t.Fatalf("%s %s: %d %v, want %d", method, path, code, v, want)
	}
	return v
}

// signIn goes through the login form as email and returns the access
// token's claims.
func signIn(t *testing.T, srv *fieftest.Server, clientID, secret, email, pw string) map[string]any {
	t.Helper()
	b := srv.BrowserClient()
	csrf := startLogin(t, b, authorizeURL(srv.URL, map[string]string{"client_id": clientID, "redirect_uri": redirectURI}))
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp := postForm(t, b, srv.URL+"/login", url.Values{"email": {email}, "password": {pw}, "csrf_token": {csrf}})
	browsertest.Body(t, resp)
	for resp.StatusCode == http.StatusFound && !strings.HasPrefix(resp.Header.Get("Location"), redirectURI) {
		next, _ := resp.Location()
		resp = get(t, b, next.String())
		browsertest.Body(t, resp)
	}
	code := callback(t, resp).Query().Get("code")
	status, tok, _ := tokenCall(t, srv.Client(), srv.URL, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {clientID}, "client_secret": {secret},
	})
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
	return verifyJWS(t, tok["access_token"].(string), fetchJWKS(t, srv.Client(), srv.URL))
}

func permissionsOf(claims map[string]any) []string {
	var out []string
	for _, p := range claims["permissions"].([]any) {
		out = append(out, p.(string))
	}
	slices.Sort(out)
	return out
}

// TestAdminUserSignsIn: a user created through the admin API signs in
// with the login form, and the permissions granted through the admin API,
// directly or with a role, are in its next token, and gone once revoked.
func TestAdminUserSignsIn(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	c, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Herm1ne-Tincture-Duchy!"

	read := mustAdmin(t, srv, 201, "POST", "/permissions/", map[string]any{"name": "Castles read", "codename": "castles:read"})
	write := mustAdmin(t, srv, 201, "POST", "/permissions/", map[string]any{"name": "Castles write", "codename": "castles:write"})
	role := mustAdmin(t, srv, 201, "POST", "/roles/", map[string]any{"name": "Castle manager", "granted_by_default": false, "permissions": []any{obj(t, write, "id")}})
	user := mustAdmin(t, srv, 201, "POST", "/users/", map[string]any{
		"email": "anne@bretagne.duchy", "password": pw, "email_verified": true, "tenant_id": srv.DefaultTenant().ID(),
	})
	uid := obj(t, user, "id").(string)

	if got := permissionsOf(signIn(t, srv, c.ClientID, c.ClientSecret, "anne@bretagne.duchy", pw)); len(got) != 0 {
		t.Errorf("permissions before any grant: %v", got)
	}
	if v := mustAdmin(t, srv, 201, "POST", "/users/"+uid+"/permissions", map[string]any{"id": obj(t, read, "id")}); v != nil {
		t.Errorf("adding a permission answered %v, want null", v)
	}
	mustAdmin(t, srv, 201, "POST", "/users/"+uid+"/roles", map[string]any{"id": obj(t, role, "id")})
	got := permissionsOf(signIn(t, srv, c.ClientID, c.ClientSecret, "anne@bretagne.duchy", pw))
	if want := []string{"castles:read", "castles:write"}; !slices.Equal(got, want) {
		t.Errorf("permissions after the grants: %v, want %v", got, want)
	}
	u, _ := srv.DefaultTenant().User(uid)
	if p := u.Permissions(); len(p) != 2 {
		t.Errorf("User.Permissions() = %v", p)
	}

	mustAdmin(t, srv, 204, "DELETE", "/users/"+uid+"/roles/"+obj(t, role, "id").(string), nil)
	mustAdmin(t, srv, 204, "DELETE", "/users/"+uid+"/permissions/"+obj(t, read, "id").(string), nil)
	if got := permissionsOf(signIn(t, srv, c.ClientID, c.ClientSecret, "anne@bretagne.duchy", pw)); len(got) != 0 {
		t.Errorf("permissions after the revocations: %v", got)
	}

	// A password changed through the admin API is the one the form takes.
	mustAdmin(t, srv, 200, "PATCH", "/users/"+uid, map[string]any{"password": "N3w-Herm1ne-Tincture!"})
	if !u.CheckPassword("N3w-Herm1ne-Tincture!") {
		t.Error("the new password does not check")
	}
	signIn(t, srv, c.ClientID, c.ClientSecret, "anne@bretagne.duchy", "N3w-Herm1ne-Tincture!")

	// Deleted through the admin API, the user is gone for the auth app.
	mustAdmin(t, srv, 204, "DELETE", "/users/"+uid, nil)
	if _, ok := srv.DefaultTenant().User(uid); ok {
		t.Error("the deleted user is still in the tenant")
	}
}

// TestAdminGoAPIShared: what the Go methods change, the admin API shows.
func TestAdminGoAPIShared(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	perms := mustAdmin(t, srv, 200, "GET", "/permissions/", nil)
	if n := obj(t, perms, "count"); n != 1.0 {
		t.Fatalf("permissions: %v", perms)
	}
	up := mustAdmin(t, srv, 200, "GET", "/users/"+u.ID+"/permissions", nil)
	if n := obj(t, up, "count"); n != 1.0 {
		t.Errorf("user permissions: %v", up)
	}
	u.SetPermissions(nil)
	up = mustAdmin(t, srv, 200, "GET", "/users/"+u.ID+"/permissions", nil)
	if n := obj(t, up, "count"); n != 0.0 {
		t.Errorf("user permissions after SetPermissions(nil): %v", up)
	}
	u.SetActive(false)
	if got := obj(t, mustAdmin(t, srv, 200, "GET", "/users/"+u.ID, nil), "is_active"); got != false {
		t.Errorf("is_active = %v after SetActive(false)", got)
	}
}

// TestAdminAccessTokenIsACR0 mints a token through the admin API: it is
// valid on the user API, but too weak for a password change (ACR 0).
func TestAdminAccessTokenIsACR0(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	c, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	code, v := admin(t, srv, "POST", "/users/"+u.ID+"/access-token", map[string]any{"client_id": c.ClientID, "scopes": []string{"openid"}})
	if code != 422 {
		t.Errorf("client_id given as the OAuth client_id: %d %v, want 422 (a UUID is expected)", code, v)
	}
	v = mustAdmin(t, srv, 200, "POST", "/users/"+u.ID+"/access-token", map[string]any{"client_id": c.ID, "scopes": []string{"openid", "offline_access"}})
	tok := obj(t, v, "access_token").(string)
	claims := verifyJWS(t, tok, fetchJWKS(t, srv.Client(), srv.URL))
	if claims["acr"] != "0" || claims["scope"] != "openid offline_access" || claims["azp"] != c.ClientID || fmt.Sprint(claims["permissions"]) != "[castles:read]" {
		t.Errorf("claims: %v", claims)
	}
	if obj(t, v, "expires_in") != 86400.0 || obj(t, v, "token_type") != "bearer" {
		t.Errorf("answer: %v", v)
	}
	if status, body := bearer(t, srv.Client(), "GET", srv.URL+"/api/userinfo", tok, ""); status != 200 {
		t.Errorf("userinfo: %d %s", status, body)
	}
	status, body := bearer(t, srv.Client(), "PATCH", srv.URL+"/api/password", tok, `{"password":"Chang3d-Herm1ne-Tincture!"}`)
	if status != 403 || !jsonEq(t, body, `{"detail":"ACR_TOO_LOW"}`) {
		t.Errorf("password change: %d %s", status, body)
	}
	otherTenant, err := srv.AddTenant("other")
	if err != nil {
		t.Fatal(err)
	}
	other, err := otherTenant.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	code, v = admin(t, srv, "POST", "/users/"+u.ID+"/access-token", map[string]any{"client_id": other.ID, "scopes": []string{"openid"}})
	if code != 400 || obj(t, v, "detail") != "USER_CREATE_ACCESS_TOKEN_UNKNOWN_CLIENT" {
		t.Errorf("client of another tenant: %d %v", code, v)
	}
}

// TestAdminRouting: Starlette's answers around the routes, and the key.
func TestAdminRouting(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	unknown := "5779545c-079b-4e18-a9dd-3ae8a9271b9c"
	for _, tc := range []struct {
		name, key, method, path string
		status                  int
		detail                  string
	}{
		{"no key", "", "GET", "/users/", 401, "Unauthorized"},
		{"bad key on an existing route", "nope", "GET", "/users/" + unknown, 401, "Unauthorized"},
		{"unknown id", srv.AdminAPIKey(), "GET", "/users/" + unknown, 404, "Not Found"},
		{"non-UUID id without key", "", "GET", "/users/not-a-uuid", 404, "Not Found"},
		{"upper-case UUID", srv.AdminAPIKey(), "GET", "/users/" + strings.ToUpper(unknown), 404, "Not Found"},
		{"unknown resource", "", "GET", "/themes/", 404, "Not Found"},
		{"method not allowed", "", "PUT", "/users/", 405, "Method Not Allowed"},
		{"collection without slash", "", "GET", "/users", 307, ""},
		{"object with a slash", "", "GET", "/users/" + unknown + "/", 307, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, v := adminWithKey(t, srv, tc.key, tc.method, tc.path, nil)
			if code != tc.status {
				t.Fatalf("%d %v, want %d", code, v, tc.status)
			}
			if tc.detail != "" && obj(t, v, "detail") != tc.detail {
				t.Errorf("body %v, want detail %q", v, tc.detail)
			}
		})
	}
	if _, err := srv.AddTenant("other"); err != nil {
		t.Fatal(err)
	}
	if code, body := bearer(t, srv.Client(), "GET", srv.URL+"/other/admin/api/users/", srv.AdminAPIKey(), ""); code != 404 {
		t.Errorf("admin API under a tenant path: %d %s, want 404", code, body)
	}
	resp := get(t, noRedirect(srv), srv.URL+"/admin/api/users?limit=2")
	browsertest.Body(t, resp)
	if loc := resp.Header.Get("Location"); loc != srv.URL+"/admin/api/users/?limit=2" {
		t.Errorf("redirect to %q", loc)
	}
}

// TestAdminPagination lists 250 users by pages: every user once, pages of
// at most 100 whatever the limit asked for, count 0 past the end.
func TestAdminPagination(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	want := map[string]bool{}
	for i := range 250 {
		u, err := srv.AddUser(fieftest.UserConfig{Email: fmt.Sprintf("user%03d@example.com", 249-i)})
		if err != nil {
			t.Fatal(err)
		}
		want[u.ID] = true
	}
	seen := map[string]bool{}
	var emails []string
	for skip := 0; ; {
		v := mustAdmin(t, srv, 200, "GET", fmt.Sprintf("/users/?limit=500&skip=%d&ordering=email", skip), nil)
		results := obj(t, v, "results").([]any)
		if len(results) == 0 {
			if obj(t, v, "count") != 0.0 {
				t.Errorf("empty page with count %v", obj(t, v, "count"))
			}
			break
		}
		if len(results) > 100 || obj(t, v, "count") != 250.0 {
			t.Fatalf("page at %d: %d results, count %v", skip, len(results), obj(t, v, "count"))
		}
		for _, r := range results {
			id := obj(t, r, "id").(string)
			if seen[id] {
				t.Errorf("user %s listed twice", id)
			}
			seen[id] = true
			emails = append(emails, obj(t, r, "email").(string))
		}
		skip += len(results)
	}
	if len(seen) != len(want) {
		t.Errorf("listed %d users, want %d", len(seen), len(want))
	}
	if !slices.IsSorted(emails) {
		t.Error("ordering=email is not followed")
	}
	v := mustAdmin(t, srv, 200, "GET", "/users/?ordering=-email&limit=1", nil)
	if e := obj(t, obj(t, v, "results").([]any)[0], "email"); e != "user249@example.com" {
		t.Errorf("first by -email: %v", e)
	}
	if v := mustAdmin(t, srv, 200, "GET", "/users/?limit=0", nil); obj(t, v, "count") != 0.0 {
		t.Errorf("limit=0: %v", v)
	}
	code, v := admin(t, srv, "GET", "/users/?skip=x", nil)
	if code != 422 || !jsonEq(t, mustJSON(t, v), `{"detail":[{"type":"int_parsing","loc":["query","skip"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}`) {
		t.Errorf("skip=x: %d %v", code, v)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAdminTimestamps: created_at and updated_at follow the server's clock;
// updated_at moves only when the user changed, as in Fief's database.
func TestAdminTimestamps(t *testing.T) {
	for _, tc := range []struct{ version, utc string }{{fieftest.FiefVersion030, "Z"}, {fieftest.FiefVersion026, "+00:00"}} {
		t.Run(tc.version, func(t *testing.T) {
			srv := fieftest.NewUnstartedServer()
			srv.Version = tc.version
			srv.Start()
			defer srv.Close()
			testAdminTimestamps(t, srv, tc.utc)
		})
	}
}

func testAdminTimestamps(t *testing.T, srv *fieftest.Server, utc string) {
	srv.SetClock(func() time.Time { return time.Date(2026, 11, 30, 11, 54, 57, 16463000, time.UTC) })
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "Herm1ne-Tincture!"})
	if err != nil {
		t.Fatal(err)
	}
	v := mustAdmin(t, srv, 200, "GET", "/users/"+u.ID, nil)
	if obj(t, v, "created_at") != "2026-11-30T11:54:57.016463"+utc || obj(t, v, "updated_at") != obj(t, v, "created_at") {
		t.Errorf("timestamps: %v %v", obj(t, v, "created_at"), obj(t, v, "updated_at"))
	}
	srv.Advance(time.Second)
	v = mustAdmin(t, srv, 200, "PATCH", "/users/"+u.ID, map[string]any{"fields": map[string]any{"unknown": 1}})
	if obj(t, v, "updated_at") != "2026-11-30T11:54:57.016463"+utc {
		t.Errorf("updated_at moved on a no-op update: %v", obj(t, v, "updated_at"))
	}
	srv.Advance(-16463 * time.Microsecond)
	v = mustAdmin(t, srv, 200, "PATCH", "/users/"+u.ID, map[string]any{"password": "N3w-Herm1ne-Tincture!"})
	if obj(t, v, "updated_at") != "2026-11-30T11:54:58"+utc {
		t.Errorf("updated_at after a password change: %v (whole seconds are written without microseconds, as Python does)", obj(t, v, "updated_at"))
	}
}
