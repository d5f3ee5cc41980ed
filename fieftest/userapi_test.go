package fieftest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestUserAPIAuth(t *testing.T) {
	e := newEnv(t)
	acr0 := e.srv.MintAccessToken(e.user.ID, fieftest.TokenOptions{})
	acr1 := e.srv.MintAccessToken(e.user.ID, fieftest.TokenOptions{ACR: "1"})
	inactive, err := e.srv.AddUser(fieftest.UserConfig{Email: "gone@example.com", Inactive: true})
	if err != nil {
		t.Fatal(err)
	}
	other := fieftest.NewServer()
	defer other.Close()
	stranger, err := other.AddUser(fieftest.UserConfig{Email: "x@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	foreign := other.MintAccessToken(stranger.ID, fieftest.TokenOptions{})

	tests := []struct {
		name, method, path, auth, body string
		status                         int
		want                           string // exact JSON, or "" to skip
	}{
		{"no header", "GET", "/api/userinfo", "", "", 401, `{"detail":"Unauthorized"}`},
		{"other scheme", "GET", "/api/userinfo", "Basic " + acr0, "", 401, `{"detail":"Unauthorized"}`},
		{"garbage token", "GET", "/api/userinfo", "Bearer abc.def.ghi", "", 401, `{"detail":"Unauthorized"}`},
		{"foreign token", "GET", "/api/userinfo", "Bearer " + foreign, "", 401, `{"detail":"Unauthorized"}`},
		{"inactive user", "GET", "/api/userinfo", "Bearer " + e.srv.MintAccessToken(inactive.ID, fieftest.TokenOptions{}), "", 401, `{"detail":"Unauthorized"}`},
		{"lower-case scheme", "GET", "/api/userinfo", "bearer " + acr0, "", 200, ""},
		{"userinfo POST", "POST", "/api/userinfo", "Bearer " + acr0, "", 200, ""},
		{"password needs ACR 1", "PATCH", "/api/password", "Bearer " + acr0, `{"password":"x"}`, 403, `{"detail":"ACR_TOO_LOW"}`},
		{"email change needs ACR 1", "PATCH", "/api/email/change", "Bearer " + acr0, `{"email":"a@b.co"}`, 403, `{"detail":"ACR_TOO_LOW"}`},
		{"email verify needs ACR 1", "POST", "/api/email/verify", "Bearer " + acr0, `{"code":"ABCDEF"}`, 403, `{"detail":"ACR_TOO_LOW"}`},
		{"password malformed JSON before auth", "PATCH", "/api/password", "", `{"password":`, 422, ""},
		{"password schema after auth", "PATCH", "/api/password", "", `{}`, 401, `{"detail":"Unauthorized"}`},
		{"password missing", "PATCH", "/api/password", "Bearer " + acr1, `{}`, 422, `{"detail":[{"type":"missing","loc":["body","password"],"msg":"Field required","input":{}}]}`},
		{"profile body before auth", "PATCH", "/api/profile", "", `{"fields":1}`, 422, ""},
		{"profile ACR 0 ok", "PATCH", "/api/profile", "Bearer " + acr0, `{"fields":{}}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body *strings.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			} else {
				body = strings.NewReader("")
			}
			req, _ := http.NewRequest(tt.method, e.srv.URL+tt.path, body)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got := browsertest.Body(t, resp)
			if resp.StatusCode != tt.status || (tt.want != "" && !jsonEq(t, got, tt.want)) {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, got, tt.status, tt.want)
			}
			if resp.StatusCode == 401 && resp.Header.Get("WWW-Authenticate") != "" {
				t.Errorf("401 with WWW-Authenticate")
			}
		})
	}
}

func TestUserinfo(t *testing.T) {
	e := newEnv(t)
	st, body := bearer(t, e.srv.Client(), "GET", e.srv.URL+"/api/userinfo", e.srv.MintAccessToken(e.user.ID, fieftest.TokenOptions{}), "")
	want, _ := json.Marshal(e.user.Claims())
	if st != 200 || !jsonEq(t, body, string(want)) {
		t.Errorf("got %d %s, want %s", st, body, want)
	}
	c := e.user.Claims()
	if c["sub"] != e.user.ID || c["email"] != e.user.Email() || c["email_verified"] != true || c["is_active"] != true ||
		c["tenant_id"] != e.srv.DefaultTenant().ID() || c["fields"].(map[string]any)["given_name"] != "Anne" || len(c) != 6 {
		t.Errorf("claims %v", c)
	}
	c["fields"].(map[string]any)["given_name"] = "changed"
	if e.user.Claims()["fields"].(map[string]any)["given_name"] != "Anne" {
		t.Error("Claims is not a copy")
	}
}

func TestProfile(t *testing.T) {
	e := newEnv(t)
	tok := e.srv.MintAccessToken(e.user.ID, fieftest.TokenOptions{})
	st, body := bearer(t, e.srv.Client(), "PATCH", e.srv.URL+"/api/profile", tok,
		`{"email":"ignored@example.com","fields":{"birthdate":"1477-01-25","given_name":null,"address":{"city":"Nantes"}}}`)
	if st != 200 {
		t.Fatalf("got %d %s", st, body)
	}
	var c map[string]any
	json.Unmarshal([]byte(body), &c)
	f := c["fields"].(map[string]any)
	if c["email"] != e.user.Email() || f["given_name"] != "Anne" || f["birthdate"] != "1477-01-25" || f["address"].(map[string]any)["city"] != "Nantes" {
		t.Errorf("claims %v", c)
	}
	for _, bad := range []string{`{"fields":`, `[]`, `{"fields":"x"}`, ``} {
		if st, body := bearer(t, e.srv.Client(), "PATCH", e.srv.URL+"/api/profile", tok, bad); st != 422 || !strings.Contains(body, `"loc":["body"`) {
			t.Errorf("%q: %d %s", bad, st, body)
		}
	}
	st, body = bearer(t, e.srv.Client(), "PATCH", e.srv.URL+"/api/profile", tok, `{"fields":`)
	if st != 422 || !strings.Contains(body, `"type":"json_invalid"`) {
		t.Errorf("malformed: %s", body)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	tok := e.srv.MintAccessToken(e.user.ID, fieftest.TokenOptions{ACR: "1"})
	tests := []struct {
		name, pw string
		status   int
		reasons  []string
	}{
		{"too short and weak", "abc", 400, []string{"Password must be at least 8 characters long.", "Password is not strong enough."}},
		{"common", "password1234", 400, []string{"Password is not strong enough."}},
		{"too long", strings.Repeat("kqzmwpvxbt", 13), 400, []string{"Password must be at most 128 characters long."}},
		{"long passphrase", "correct horse battery staple", 200, nil},
		{"short but varied", "Tr0ub4d&", 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(map[string]string{"password": tt.pw})
			st, body := bearer(t, e.srv.Client(), "PATCH", e.srv.URL+"/api/password", tok, string(b))
			if st != tt.status {
				t.Fatalf("got %d %s", st, body)
			}
			if tt.status == 400 {
				want, _ := json.Marshal(map[string]any{"detail": "USER_UPDATE_INVALID_PASSWORD", "reason": tt.reasons})
				if !jsonEq(t, body, string(want)) {
					t.Errorf("got %s, want %s", body, want)
				}
				return
			}
			if !e.user.CheckPassword(tt.pw) {
				t.Error("password not changed")
			}
		})
	}
}

func TestEmailChange(t *testing.T) {
	e := newEnv(t)
	if _, err := e.srv.AddUser(fieftest.UserConfig{Email: "taken@example.com"}); err != nil {
		t.Fatal(err)
	}
	tok := e.srv.MintAccessToken(e.user.ID, fieftest.TokenOptions{ACR: "1"})
	call := func(method, path, body string) (int, string) {
		return bearer(t, e.srv.Client(), method, e.srv.URL+path, tok, body)
	}
	if st, body := call("PATCH", "/api/email/change", `{"email":"TAKEN@example.com"}`); st != 400 || !jsonEq(t, body, `{"detail":"USER_UPDATE_EMAIL_ALREADY_EXISTS"}`) {
		t.Errorf("taken: %d %s", st, body)
	}
	if st, _ := call("PATCH", "/api/email/change", `{"email":"ANNE@bretagne.duchy"}`); st != 400 {
		t.Errorf("own address in another case: %d", st)
	}
	if st, body := call("PATCH", "/api/email/change", `{"email":"not an email"}`); st != 422 || !strings.Contains(body, `"value_error"`) {
		t.Errorf("invalid: %d %s", st, body)
	}
	if st, body := call("PATCH", "/api/email/change", `{}`); st != 422 || !strings.Contains(body, `"missing"`) {
		t.Errorf("missing: %d %s", st, body)
	}
	st, body := call("PATCH", "/api/email/change", `{"email":"duchess@bretagne.duchy"}`)
	if st != 202 || !strings.Contains(body, `"email":"anne@bretagne.duchy"`) {
		t.Fatalf("change: %d %s", st, body)
	}
	code, ok := e.srv.EmailVerificationCode(e.user.ID)
	if !ok || len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	if st, body := call("POST", "/api/email/verify", `{"code":"`+strings.ToLower(code)+`"}`); st != 400 || !jsonEq(t, body, `{"detail":"USER_UPDATE_INVALID_EMAIL_VERIFICATION_CODE"}`) {
		t.Errorf("wrong code: %d %s", st, body)
	}
	st, body = call("POST", "/api/email/verify", `{"code":"`+code+`"}`)
	if st != 200 || !strings.Contains(body, `"email":"duchess@bretagne.duchy"`) || !strings.Contains(body, `"email_verified":true`) {
		t.Errorf("verify: %d %s", st, body)
	}
	if e.user.Email() != "duchess@bretagne.duchy" {
		t.Errorf("Email %q after the change", e.user.Email())
	}
	if _, ok := e.srv.DefaultTenant().User("DUCHESS@bretagne.duchy"); !ok {
		t.Error("lookup by new email")
	}
	if st, _ := call("POST", "/api/email/verify", `{"code":"`+code+`"}`); st != 400 {
		t.Errorf("code reused: %d", st)
	}
}
