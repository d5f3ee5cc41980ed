package fiefadmin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
)

const secretKey = "adm1n-s3cr3t-k3y"

func TestAPIKeyRedacted(t *testing.T) {
	key := fiefadmin.APIKey(secretKey)
	cfg := fiefadmin.Config{ServerURL: "https://fief.example.com", APIKey: key}
	client, err := fiefadmin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T %v"} {
		for _, v := range []any{key, cfg, &cfg, client, client.Users, *client, []fiefadmin.APIKey{key}, map[string]any{"k": key}} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secretKey) || strings.Contains(out, fmt.Sprintf("%x", secretKey)) {
				t.Errorf("Sprintf(%q, %T) reveals the key: %s", verb, v, out)
			}
		}
	}
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("config", "key", key, "cfg", cfg)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "key", key, "cfg", cfg)
	if strings.Contains(buf.String(), secretKey) || !strings.Contains(buf.String(), "[redacted]") {
		t.Errorf("logs reveal the key or do not say it is redacted: %s", buf.String())
	}
	b, err := json.Marshal(cfg)
	if err != nil || bytes.Contains(b, []byte(secretKey)) {
		t.Errorf("JSON reveals the key: %s, %v", b, err)
	}
	if string(key) != secretKey {
		t.Error("string(key) does not give the key back")
	}
}

func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		server string
		key    fiefadmin.APIKey
		field  string
	}{
		{"", "k", "ServerURL"},
		{"fief.example.com", "k", "ServerURL"},
		{"ftp://fief.example.com", "k", "ServerURL"},
		{"https://", "k", "ServerURL"},
		{"https://user:pw@fief.example.com", "k", "ServerURL"},
		{"https://fief.example.com/?x=1", "k", "ServerURL"},
		{"https://fief.example.com", "", "APIKey"},
		{"https://fief.example.com", "  ", "APIKey"},
	} {
		_, err := fiefadmin.New(fiefadmin.Config{ServerURL: tc.server, APIKey: tc.key})
		var ce *fief.ConfigError
		if !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("New(%q, %q) = %v, want a config error on %s", tc.server, tc.key, err, tc.field)
		}
	}
}

// TestConfigErrorHidesURLSecrets: a ServerURL refused for carrying a
// password or a query does not show them in the error.
func TestConfigErrorHidesURLSecrets(t *testing.T) {
	for _, raw := range []string{
		"https://user:hunter2@fief.example.com",
		"https://fief.example.com/?key=hunter2",
		"https://fief.example.com/#hunter2",
		"ftp://user:hunter2@fief.example.com",
		"https://user:hun ter2@fief.example.com/%zz",
		"https://user:hunter2@fief.exa mple.com",
	} {
		_, err := fiefadmin.New(fiefadmin.Config{ServerURL: raw, APIKey: "k"})
		var ce *fief.ConfigError
		if !errors.As(err, &ce) || ce.Field != "ServerURL" {
			t.Errorf("New(%q) = %v, want a config error on ServerURL", raw, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun ter2") {
			t.Errorf("New(%q): the error shows the secret: %v", raw, err)
		}
	}
}

// TestServerRoot: whatever URL of the server is given, the calls go to
// /admin/api at its root, with the key as a bearer.
func TestServerRoot(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secretKey {
			t.Errorf("Authorization %q", r.Header.Get("Authorization"))
		}
		paths = append(paths, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"count":0,"results":[]}`))
	}))
	defer srv.Close()
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/my-tenant", srv.URL + "/my-tenant/"} {
		c, err := fiefadmin.New(fiefadmin.Config{ServerURL: base, APIKey: secretKey})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Tenants.ListPage(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	// A fief.Config: InternalBaseURL wins over BaseURL, its HTTP client
	// and logger are used.
	var logs bytes.Buffer
	hc := &countingClient{}
	c, err := fiefadmin.NewFromConfig(fief.Config{
		BaseURL:         "https://fief.example.com/my-tenant",
		InternalBaseURL: srv.URL + "/my-tenant",
		HTTPClient:      &http.Client{Transport: hc},
		Logger:          slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, secretKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Webhooks.ListPage(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"/admin/api/tenants/", "/admin/api/tenants/", "/admin/api/tenants/", "/admin/api/tenants/", "/admin/api/webhooks/"}
	if fmt.Sprint(paths) != fmt.Sprint(want) {
		t.Errorf("paths %v, want %v", paths, want)
	}
	if hc.n != 1 {
		t.Errorf("the fief.Config's HTTP client made %d requests, want 1", hc.n)
	}
	if !strings.Contains(logs.String(), "webhooks.list") || strings.Contains(logs.String(), secretKey) {
		t.Errorf("logs: %s", logs.String())
	}
}

// countingClient is a transport that counts requests (base, or
// http.DefaultTransport when nil, sends them).
type countingClient struct {
	n    int
	base http.RoundTripper
}

func (c *countingClient) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n++
	if c.base == nil {
		return http.DefaultTransport.RoundTrip(r)
	}
	return c.base.RoundTrip(r)
}

func answering(t *testing.T, status int, contentType, body string) *fiefadmin.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := fiefadmin.New(fiefadmin.Config{ServerURL: srv.URL, APIKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var someID = fiefadmin.MustParseUUID("c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0")

func TestErrors(t *testing.T) {
	ctx := context.Background()

	// Pydantic 2 (Fief 0.30+): "input" echoes the request; it is not kept.
	c := answering(t, 422, "application/json", `{"detail":[{"type":"missing","loc":["body","tenant_id"],"msg":"Field required","input":{"email":"a@b.c","password":"Sup3r-secret-pw"},"url":"https://errors.pydantic.dev/2.5/v/missing"},{"type":"string_too_short","loc":["body","events",0],"msg":"String should have at least 1 character","input":""}]}`)
	_, err := c.Users.Create(ctx, fiefadmin.UserCreate{Email: "a@b.c", Password: "Sup3r-secret-pw"})
	var ae *fiefadmin.Error
	if !errors.As(err, &ae) || !errors.Is(err, fiefadmin.ErrInvalid) {
		t.Fatalf("error %v", err)
	}
	want := []fiefadmin.FieldError{
		{Location: []string{"body", "tenant_id"}, Message: "Field required", Type: "missing"},
		{Location: []string{"body", "events", "0"}, Message: "String should have at least 1 character", Type: "string_too_short"},
	}
	if fmt.Sprint(ae.Fields) != fmt.Sprint(want) {
		t.Errorf("Fields %+v, want %+v", ae.Fields, want)
	}
	if strings.Contains(err.Error(), "Sup3r") || strings.Contains(fmt.Sprintf("%+v", ae), "Sup3r") {
		t.Errorf("the error shows the password: %v / %+v", err, ae)
	}
	if err.Error() != "fiefadmin: users.create: HTTP 422: body.tenant_id: Field required; body.events.0: String should have at least 1 character" {
		t.Errorf("Error() = %s", err)
	}

	// 400 with reasons: the code and the sentinel match, and the error reads
	// as a fief.ResponseError.
	c = answering(t, 400, "application/json", `{"detail":"USER_UPDATE_INVALID_PASSWORD","reason":["Password must be at least 8 characters long."]}`)
	_, err = c.Users.Update(ctx, someID, fiefadmin.UserUpdate{Password: fiefadmin.Ptr("x")})
	if !errors.Is(err, fiefadmin.CodeUserUpdateInvalidPassword) || !errors.Is(err, fiefadmin.ErrBadRequest) || errors.Is(err, fiefadmin.CodeUserCreateInvalidPassword) {
		t.Errorf("error %v does not match its code only", err)
	}
	var re *fief.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 400 || re.Detail != "USER_UPDATE_INVALID_PASSWORD" || len(re.Reason) != 1 {
		t.Errorf("as a fief.ResponseError: %+v", re)
	}
	if err.Error() != "fiefadmin: users.update: HTTP 400: USER_UPDATE_INVALID_PASSWORD (Password must be at least 8 characters long.)" {
		t.Errorf("Error() = %s", err)
	}

	// 403, and 5xx as fief.ErrUnavailable with the body kept.
	c = answering(t, 403, "application/json", `{"detail":"Forbidden"}`)
	if err := c.Users.Delete(ctx, someID); !errors.Is(err, fiefadmin.ErrForbidden) {
		t.Errorf("403: %v", err)
	}
	c = answering(t, 502, "text/html", `<html>Bad gateway</html>`)
	_, err = c.Users.Get(ctx, someID)
	if !errors.Is(err, fief.ErrUnavailable) || !errors.As(err, &ae) || ae.Body != "<html>Bad gateway</html>" {
		t.Errorf("502: %v", err)
	}

	// A 2xx answer that is not what was asked for.
	c = answering(t, 200, "application/json", `[1,2]`)
	if _, err := c.Users.Get(ctx, someID); !errors.Is(err, fief.ErrUnavailable) {
		t.Errorf("malformed answer: %v", err)
	}
	c = answering(t, 200, "application/json", `{"id":"`+someID.String()+`","fields":[1]}`)
	if _, err := c.Users.Get(ctx, someID); !errors.Is(err, fief.ErrUnavailable) {
		t.Errorf("fields not an object: %v", err)
	}

	// A nil id is refused before any request.
	c = answering(t, 500, "text/plain", "must not be called")
	for name, call := range map[string]func() error{
		"get":            func() error { _, err := c.Users.Get(ctx, fiefadmin.UUID{}); return err },
		"remove role":    func() error { return c.Users.RemoveRole(ctx, someID, fiefadmin.UUID{}) },
		"add role":       func() error { return c.Users.AddRole(ctx, someID, fiefadmin.UUID{}) },
		"access token":   func() error { _, err := c.Users.CreateAccessToken(ctx, someID, fiefadmin.UUID{}, nil); return err },
		"provider token": func() error { _, err := c.OAuthProviders.AccessToken(ctx, fiefadmin.UUID{}, someID); return err },
	} {
		if err := call(); !errors.Is(err, fiefadmin.ErrNilID) {
			t.Errorf("%s with a nil id: %v", name, err)
		}
	}

	// A canceled context is the context's error, not "unavailable".
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Users.Get(cctx, someID); !errors.Is(err, context.Canceled) || errors.Is(err, fief.ErrUnavailable) {
		t.Errorf("canceled: %v", err)
	}
}

func TestSecretsNotPrinted(t *testing.T) {
	values := []any{
		fiefadmin.UserCreate{Email: "a@b.c", Password: "Sup3r-secret-pw"},
		fiefadmin.UserUpdate{Password: fiefadmin.Ptr("Sup3r-secret-pw")},
		fiefadmin.AccessToken{AccessToken: "Sup3r-secret-pw", TokenType: "bearer"},
		fiefadmin.OAuthClient{Name: "app", ClientSecret: "Sup3r-secret-pw"},
		fiefadmin.WebhookWithSecret{Secret: "Sup3r-secret-pw"},
		fiefadmin.OAuthProvider{ClientSecret: "Sup3r-secret-pw"},
		fiefadmin.OAuthProviderCreate{ClientSecret: "Sup3r-secret-pw"},
		fiefadmin.OAuthProviderUpdate{ClientSecret: fiefadmin.Ptr("Sup3r-secret-pw")},
		fiefadmin.OAuthAccountAccessToken{AccessToken: "Sup3r-secret-pw"},
	}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "Sup3r") || !strings.Contains(out, "[redacted]") {
				t.Errorf("Sprintf(%q, %T) = %s", verb, v, out)
			}
		}
	}
	if out := fmt.Sprint(fiefadmin.OAuthClient{Name: "app"}); !strings.Contains(out, "app") {
		t.Errorf("OAuthClient prints %s", out)
	}
}

func TestFields(t *testing.T) {
	type profile struct {
		FirstName string `json:"first_name"`
		Age       int    `json:"age"`
	}
	var u fiefadmin.User
	if err := json.Unmarshal([]byte(`{"fields":{"first_name":"Anne","age":20,"big":12345678901234567890}}`), &u); err != nil {
		t.Fatal(err)
	}
	p, err := fiefadmin.FieldsOf[profile](&u)
	if err != nil || p != (profile{"Anne", 20}) {
		t.Errorf("FieldsOf = %+v, %v", p, err)
	}
	m, err := u.Fields.Map()
	if err != nil || m["first_name"] != "Anne" || m["big"] != json.Number("12345678901234567890") {
		t.Errorf("Map = %v, %v", m, err)
	}
	if _, err := fiefadmin.FieldsOf[[]int](&u); err == nil {
		t.Error("FieldsOf into a slice: no error")
	}
	var empty fiefadmin.User
	if err := json.Unmarshal([]byte(`{"fields":null}`), &empty); err != nil {
		t.Fatal(err)
	}
	if m, err := empty.Fields.Map(); err != nil || len(m) != 0 || empty.Fields.String() != "{}" {
		t.Errorf("no fields: %v, %v, %s", m, err, empty.Fields)
	}
}
