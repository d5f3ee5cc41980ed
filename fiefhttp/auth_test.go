package fiefhttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// infoHandler answers the request's token info as JSON, or "anonymous".
var infoHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	info, ok := fiefhttp.AccessTokenInfoFrom(r.Context())
	if !ok {
		w.Write([]byte("anonymous"))
		return
	}
	json.NewEncoder(w).Encode(info)
})

func serve(h http.Handler, header string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/", nil)
	if header != "" {
		r.Header.Set("Authorization", header)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// tamper changes one character of the token's signature.
func tamper(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 5
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

func TestAuthenticatedOutcomes(t *testing.T) {
	e := newFiefEnv(t)
	auth := fiefhttp.New(e.client, fiefhttp.Config{})
	full := e.token(fieftest.TokenOptions{Scopes: []string{"openid", "required_scope"}, ACR: "1"})
	basic := e.token(fieftest.TokenOptions{}) // scope openid, ACR 0, permission castles:read
	expired := e.token(fieftest.TokenOptions{Lifetime: -time.Hour})

	const (
		none    = "Bearer"
		invalid = `Bearer error="invalid_token"`
		scope   = `Bearer error="insufficient_scope"`
	)
	tests := []struct {
		name       string
		header     string
		opts       []fiefhttp.RouteOption
		wantStatus int
		wantAuth   string // WWW-Authenticate
		wantBody   string // exact for errors; "json" for the token info
	}{
		{"missing token", "", nil, 401, none, "Unauthorized\n"},
		{"wrong scheme", "Basic YW5uZTpoZXJtaW5l", nil, 401, none, "Unauthorized\n"},
		{"scheme glued to token", "Bearer" + full, nil, 401, none, "Unauthorized\n"},
		{"scheme without token", "Bearer", nil, 401, invalid, "Unauthorized\n"},
		{"three parts", "Bearer " + full + " extra", nil, 401, invalid, "Unauthorized\n"},
		{"two spaces", "Bearer  " + full, nil, 401, invalid, "Unauthorized\n"},
		{"not a JWT", "Bearer abc.def.ghi", nil, 401, invalid, "Unauthorized\n"},
		{"bad signature", "Bearer " + tamper(full), nil, 401, invalid, "Unauthorized\n"},
		{"expired", "Bearer " + expired, nil, 401, invalid, "Unauthorized\n"},
		{"valid", "Bearer " + full, nil, 200, "", "json"},
		{"scheme case-insensitive", "bEARER " + full, nil, 200, "", "json"},
		{"all requirements met", "Bearer " + full, []fiefhttp.RouteOption{fiefhttp.Scopes("openid", "required_scope"), fiefhttp.MinACR(fief.ACRLevel1), fiefhttp.Permissions("castles:read")}, 200, "", "json"},
		{"missing scope", "Bearer " + basic, []fiefhttp.RouteOption{fiefhttp.Scopes("openid", "required_scope")}, 403, scope + `, scope="openid required_scope"`, "Forbidden\n"},
		{"low ACR", "Bearer " + basic, []fiefhttp.RouteOption{fiefhttp.MinACR(fief.ACRLevel1)}, 403, scope, "Forbidden\n"},
		{"missing permission", "Bearer " + basic, []fiefhttp.RouteOption{fiefhttp.Permissions("castles:write")}, 403, scope, "Forbidden\n"},
		{"optional without token", "", []fiefhttp.RouteOption{fiefhttp.Optional()}, 200, "", "anonymous"},
		{"optional with expired token", "Bearer " + expired, []fiefhttp.RouteOption{fiefhttp.Optional()}, 200, "", "anonymous"},
		{"optional with malformed header", "Bearer", []fiefhttp.RouteOption{fiefhttp.Optional()}, 200, "", "anonymous"},
		{"optional with valid token", "Bearer " + full, []fiefhttp.RouteOption{fiefhttp.Optional()}, 200, "", "json"},
		{"optional with valid token lacking scope", "Bearer " + basic, []fiefhttp.RouteOption{fiefhttp.Optional(), fiefhttp.Scopes("required_scope")}, 403, scope + `, scope="required_scope"`, "Forbidden\n"},
		{"missing scope, scopes unfit for the header left out", "Bearer " + basic, []fiefhttp.RouteOption{fiefhttp.Scopes("openid", `a"b`, `c\d`, "é", "required_scope")}, 403, scope + `, scope="openid required_scope"`, "Forbidden\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(auth.Authenticated(tt.opts...)(infoHandler), tt.header)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %q", w.Code, tt.wantStatus, w.Body)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantAuth {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.wantAuth)
			}
			if tt.wantBody != "json" {
				if w.Body.String() != tt.wantBody {
					t.Errorf("body %q, want %q", w.Body, tt.wantBody)
				}
				return
			}
			var got map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			for _, k := range []string{"id", "scope", "acr", "permissions", "access_token"} {
				if _, ok := got[k]; !ok {
					t.Errorf("JSON lacks %q: %s", k, w.Body)
				}
			}
			if got["id"] != e.user.ID {
				t.Errorf("id %v, want %s", got["id"], e.user.ID)
			}
		})
	}
}

// TestAuthenticatedWrongIssuer serves a discovery document naming another
// issuer: tokens of the real one, correctly signed, are then refused.
func TestAuthenticatedWrongIssuer(t *testing.T) {
	e := newFiefEnv(t)
	resp, body := browsertest.Get(t, e.srv.Client(), e.srv.URL+"/.well-known/openid-configuration")
	if resp.StatusCode != 200 {
		t.Fatalf("discovery: %d", resp.StatusCode)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	doc["issuer"] = "https://evil.example"
	forged, _ := json.Marshal(doc)
	e.srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Status: 200, Body: string(forged)})

	var gotErr error
	auth := fiefhttp.New(e.newClient(t), fiefhttp.Config{
		Unauthorized: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			fiefhttp.Unauthorized(w, r, err)
		},
	})
	w := serve(auth.Authenticated()(infoHandler), "Bearer "+e.token(fieftest.TokenOptions{}))
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Fatalf("got %d %q, want 401 invalid_token", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if !errors.Is(gotErr, fief.ErrInvalidToken) {
		t.Errorf("error %v, want an ErrInvalidToken", gotErr)
	}
}

func TestAuthenticatedFiefDown(t *testing.T) {
	e := newFiefEnv(t)
	tok := e.token(fieftest.TokenOptions{})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String()
	ln.Close()
	dead, err := fief.New(fief.Config{BaseURL: deadURL, ClientID: "x"})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		client func(t *testing.T) *fief.Client
		opts   []fiefhttp.RouteOption
	}{
		{"key set answers 500", func(t *testing.T) *fief.Client {
			e.srv.FailNext(fieftest.EndpointJWKS, 1, fieftest.Fault{Status: 500, Body: `internal secret stack trace`})
			return e.newClient(t)
		}, nil},
		{"discovery answers 503", func(t *testing.T) *fief.Client {
			e.srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Status: 503})
			return e.newClient(t)
		}, nil},
		{"unreachable", func(*testing.T) *fief.Client { return dead }, nil},
		{"unreachable, optional route", func(*testing.T) *fief.Client { return dead }, []fiefhttp.RouteOption{fiefhttp.Optional()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotErr error
			auth := fiefhttp.New(tt.client(t), fiefhttp.Config{
				Unavailable: func(w http.ResponseWriter, r *http.Request, err error) {
					gotErr = err
					fiefhttp.Unavailable(w, r, err)
				},
			})
			w := serve(auth.Authenticated(tt.opts...)(infoHandler), "Bearer "+tok)
			if w.Code != 503 || w.Body.String() != "Service Unavailable\n" {
				t.Fatalf("got %d %q, want 503 Service Unavailable", w.Code, w.Body)
			}
			if !errors.Is(gotErr, fief.ErrUnavailable) {
				t.Errorf("error %v, want an ErrUnavailable", gotErr)
			}
		})
	}
	// Once Fief is back, the same token passes.
	t.Run("recovered", func(t *testing.T) {
		w := serve(fiefhttp.New(e.newClient(t), fiefhttp.Config{}).Authenticated()(infoHandler), "Bearer "+tok)
		if w.Code != 200 {
			t.Fatalf("got %d %q, want 200", w.Code, w.Body)
		}
	})
}

func TestCustomHandlersReceiveTheReason(t *testing.T) {
	e := newFiefEnv(t)
	basic := e.token(fieftest.TokenOptions{})
	expired := e.token(fieftest.TokenOptions{Lifetime: -time.Hour})

	type outcome struct {
		kind string
		err  error
	}
	var got outcome
	record := func(kind string, status int) fiefhttp.ErrorHandler {
		return func(w http.ResponseWriter, r *http.Request, err error) {
			got = outcome{kind, err}
			w.WriteHeader(status)
		}
	}
	newAuth := func(c *fief.Client) *fiefhttp.Auth {
		return fiefhttp.New(c, fiefhttp.Config{
			Unauthorized: record("unauthorized", 419),
			Forbidden:    record("forbidden", 420),
			Unavailable:  record("unavailable", 421),
		})
	}
	auth := newAuth(e.client)
	tests := []struct {
		name       string
		auth       func() *fiefhttp.Auth
		header     string
		opts       []fiefhttp.RouteOption
		wantKind   string
		wantStatus int
		wantErr    error
	}{
		{"no token", nil, "", nil, "unauthorized", 419, fiefhttp.ErrNoToken},
		{"malformed", nil, "Bearer", nil, "unauthorized", 419, fiefhttp.ErrMalformedToken},
		{"malformed is invalid", nil, "Bearer", nil, "unauthorized", 419, fief.ErrInvalidToken},
		{"expired", nil, "Bearer " + expired, nil, "unauthorized", 419, fief.ErrTokenExpired},
		{"bad signature", nil, "Bearer " + tamper(basic), nil, "unauthorized", 419, fief.ErrInvalidToken},
		{"missing scope", nil, "Bearer " + basic, []fiefhttp.RouteOption{fiefhttp.Scopes("x")}, "forbidden", 420, fief.ErrMissingScope},
		{"low ACR", nil, "Bearer " + basic, []fiefhttp.RouteOption{fiefhttp.MinACR(fief.ACRLevel1)}, "forbidden", 420, fief.ErrACRTooLow},
		{"missing permission", nil, "Bearer " + basic, []fiefhttp.RouteOption{fiefhttp.Permissions("x")}, "forbidden", 420, fief.ErrMissingPermission},
		{"Fief down", func() *fiefhttp.Auth {
			e.srv.FailNext(fieftest.EndpointJWKS, 1, fieftest.Fault{Status: 500})
			return newAuth(e.newClient(t))
		}, "Bearer " + basic, nil, "unavailable", 421, fief.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := auth
			if tt.auth != nil {
				a = tt.auth()
			}
			got = outcome{}
			w := serve(a.Authenticated(tt.opts...)(infoHandler), tt.header)
			if w.Code != tt.wantStatus || got.kind != tt.wantKind {
				t.Fatalf("got %d from %q handler, want %d from %q", w.Code, got.kind, tt.wantStatus, tt.wantKind)
			}
			if !errors.Is(got.err, tt.wantErr) {
				t.Errorf("error %v, want one matching %v", got.err, tt.wantErr)
			}
		})
	}
}

// userHandler answers the user's email, or "anonymous".
var userHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	u, ok := fiefhttp.UserInfoFrom(r.Context())
	if !ok {
		w.Write([]byte("anonymous"))
		return
	}
	if _, ok := fiefhttp.AccessTokenInfoFrom(r.Context()); !ok {
		w.Write([]byte("user without token info"))
		return
	}
	w.Write([]byte(u.Email()))
})

func TestCurrentUser(t *testing.T) {
	e := newFiefEnv(t)
	tok := "Bearer " + e.token(fieftest.TokenOptions{})
	cached := fief.UserInfo{"sub": e.user.ID, "email": "cached@bretagne.duchy"}

	tests := []struct {
		name         string
		prime        fief.UserInfo // put in the cache first
		opts         []fiefhttp.RouteOption
		inactive     bool
		fault        *fieftest.Fault // on the userinfo endpoint
		wantStatus   int
		wantBody     string
		wantCalls    int    // requests to Fief's userinfo
		wantCached   string // email in the cache afterwards, "" for none
		wantAuthHead string
	}{
		{name: "cache miss", wantStatus: 200, wantBody: testEmail, wantCalls: 1, wantCached: testEmail},
		{name: "cache hit", prime: cached, wantStatus: 200, wantBody: "cached@bretagne.duchy", wantCalls: 0, wantCached: "cached@bretagne.duchy"},
		{name: "cache hit of another user", prime: fief.UserInfo{"sub": "0b2e8f4e-5e1c-4e8a-9d67-3f1d2c4b5a69", "email": "mallory@example.com"}, wantStatus: 200, wantBody: testEmail, wantCalls: 1, wantCached: testEmail},
		{name: "refresh", prime: cached, opts: []fiefhttp.RouteOption{fiefhttp.RefreshUserInfo()}, wantStatus: 200, wantBody: testEmail, wantCalls: 1, wantCached: testEmail},
		{name: "userinfo 401", inactive: true, wantStatus: 401, wantBody: "Unauthorized\n", wantCalls: 1, wantAuthHead: `Bearer error="invalid_token"`},
		{name: "userinfo 401, optional", inactive: true, opts: []fiefhttp.RouteOption{fiefhttp.Optional()}, wantStatus: 200, wantBody: "anonymous", wantCalls: 1},
		{name: "userinfo 500", fault: &fieftest.Fault{Status: 500, Body: `{"detail":"secret"}`}, wantStatus: 503, wantBody: "Service Unavailable\n", wantCalls: 1},
		{name: "userinfo malformed", fault: &fieftest.Fault{Status: 200, Body: `[1,2]`}, wantStatus: 503, wantBody: "Service Unavailable\n", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := fiefhttp.NewMemoryUserInfoCache(10, time.Hour)
			ctx := context.Background()
			if tt.prime != nil {
				cache.Set(ctx, e.user.ID, tt.prime)
			}
			e.user.SetActive(!tt.inactive)
			defer e.user.SetActive(true)
			if tt.fault != nil {
				e.srv.FailNext(fieftest.EndpointUserInfo, 1, *tt.fault)
			}
			before := e.srv.RequestCount(fieftest.EndpointUserInfo)
			auth := fiefhttp.New(e.client, fiefhttp.Config{UserInfoCache: cache})
			w := serve(auth.CurrentUser(tt.opts...)(userHandler), tok)
			if w.Code != tt.wantStatus || w.Body.String() != tt.wantBody {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantAuthHead {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.wantAuthHead)
			}
			if calls := e.srv.RequestCount(fieftest.EndpointUserInfo) - before; calls != tt.wantCalls {
				t.Errorf("%d userinfo calls, want %d", calls, tt.wantCalls)
			}
			u, _, ok, _ := cache.Get(ctx, e.user.ID)
			if got := u.Email(); ok != (tt.wantCached != "") || got != tt.wantCached {
				t.Errorf("cached email %q (found %v), want %q", got, ok, tt.wantCached)
			}
		})
	}
}

func TestCurrentUserRejectedTokenIsErrTokenRejected(t *testing.T) {
	e := newFiefEnv(t)
	e.user.SetActive(false)
	var gotErr error
	auth := fiefhttp.New(e.client, fiefhttp.Config{
		Unauthorized: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			w.WriteHeader(401)
		},
	})
	serve(auth.CurrentUser()(userHandler), "Bearer "+e.token(fieftest.TokenOptions{}))
	var re *fief.ResponseError
	if !errors.Is(gotErr, fiefhttp.ErrTokenRejected) || !errors.Is(gotErr, fief.ErrInvalidToken) || !errors.As(gotErr, &re) || re.StatusCode != 401 {
		t.Errorf("error %v, want ErrTokenRejected wrapping Fief's 401", gotErr)
	}
}

// brokenCache fails every call.
type brokenCache struct{ sets int }

var errCacheDown = errors.New("cache down")

func (c *brokenCache) Get(context.Context, string) (fief.UserInfo, time.Time, bool, error) {
	return nil, time.Time{}, false, errCacheDown
}
func (c *brokenCache) Set(context.Context, string, fief.UserInfo) error {
	c.sets++
	return errCacheDown
}
func (c *brokenCache) Delete(context.Context, string) error { return errCacheDown }

func TestCurrentUserSurvivesABrokenCache(t *testing.T) {
	e := newFiefEnv(t)
	cache := &brokenCache{}
	auth := fiefhttp.New(e.client, fiefhttp.Config{UserInfoCache: cache})
	w := serve(auth.CurrentUser()(userHandler), "Bearer "+e.token(fieftest.TokenOptions{}))
	if w.Code != 200 || w.Body.String() != testEmail {
		t.Fatalf("got %d %q, want 200 %q", w.Code, w.Body, testEmail)
	}
	if cache.sets != 1 {
		t.Errorf("%d cache writes, want 1", cache.sets)
	}
}

func TestTokenGetters(t *testing.T) {
	e := newFiefEnv(t)
	tok := e.token(fieftest.TokenOptions{})
	getter := fiefhttp.FirstOf(fiefhttp.AuthorizationHeader("Token"), fiefhttp.Cookie("session"))
	auth := fiefhttp.New(e.client, fiefhttp.Config{TokenGetter: getter})
	h := auth.Authenticated()(infoHandler)

	tests := []struct {
		name       string
		header     string
		cookie     string
		wantStatus int
	}{
		{"custom scheme", "token " + tok, "", 200},
		{"cookie", "", tok, 200},
		{"header wins over cookie", "Token " + tok, "garbage", 200},
		{"bearer is another scheme here", "Bearer " + tok, "", 401},
		{"malformed header stops the search", "Token", tok, 401},
		{"empty cookie", "", "", 401},
		{"invalid cookie", "", "garbage", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if tt.cookie != "" || tt.name == "empty cookie" {
				r.AddCookie(&http.Cookie{Name: "session", Value: tt.cookie})
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", w.Code, tt.wantStatus)
			}
		})
	}
}

func TestAuthorizationHeader(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string
		wantErr bool
	}{
		{"absent", nil, "", false},
		{"bearer", []string{"Bearer abc.DEF-_~+/=="}, "abc.DEF-_~+/==", false},
		{"case", []string{"BEARER x"}, "x", false},
		{"other scheme", []string{"Basic x"}, "", false},
		{"empty", []string{""}, "", false},
		{"scheme only", []string{"Bearer"}, "", true},
		{"scheme and space", []string{"Bearer "}, "", true},
		{"three parts", []string{"Bearer a b"}, "", true},
		{"tab", []string{"Bearer\tx"}, "", false}, // not "Bearer <token>": another scheme
		{"bad character", []string{"Bearer a,b"}, "", true},
		{"padding inside", []string{"Bearer a=b"}, "", true},
		{"repeated header", []string{"Bearer a", "Bearer b"}, "", true},
	}
	get := fiefhttp.AuthorizationHeader("")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for _, h := range tt.headers {
				r.Header.Add("Authorization", h)
			}
			got, err := get(r)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("got %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, fiefhttp.ErrMalformedToken) {
				t.Errorf("error %v is not ErrMalformedToken", err)
			}
		})
	}
}

func TestMinACRPanicsOnInvalidLevel(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MinACR(\"2\") did not panic")
		}
	}()
	fiefhttp.MinACR("2")
}

func TestRouteOptionsAreResolvedOnce(t *testing.T) {
	e := newFiefEnv(t)
	scopes := []string{"openid"}
	mw := fiefhttp.New(e.client, fiefhttp.Config{}).Authenticated(fiefhttp.Scopes(scopes...))
	scopes[0] = "changed" // the caller's slice, modified after the middleware was built
	w := serve(mw(infoHandler), "Bearer "+e.token(fieftest.TokenOptions{}))
	if w.Code != 200 {
		t.Fatalf("status %d, want 200", w.Code)
	}
	if slices.Contains(scopes, "openid") {
		t.Fatal("test setup")
	}
}

func TestNoContextValuesWithoutMiddleware(t *testing.T) {
	if _, ok := fiefhttp.AccessTokenInfoFrom(context.Background()); ok {
		t.Error("AccessTokenInfoFrom: ok on an empty context")
	}
	if _, ok := fiefhttp.UserInfoFrom(context.Background()); ok {
		t.Error("UserInfoFrom: ok on an empty context")
	}
}
