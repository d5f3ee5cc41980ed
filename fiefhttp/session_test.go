package fiefhttp_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// tokenLifetime is the access-token lifetime of the session tests' Fief
// client, short so that sessions outlive several tokens.
const tokenLifetime = 10 * time.Minute

// sessionEnv is a Fief (fieftest) with a client whose tokens last
// tokenLifetime, and the test user.
type sessionEnv struct {
	srv         *fieftest.Server
	fc          *fieftest.Client
	user        *fieftest.User
	keys        [][]byte
	revocations *fief.Revocations // nil: none
	httpClient  *http.Client      // the clients' way to Fief; nil: srv.Client()
}

func newSessionEnv(t *testing.T) *sessionEnv {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{TokenLifetime: tokenLifetime})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: testEmail, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return &sessionEnv{
		srv:  srv,
		fc:   fc,
		user: user,
		keys: [][]byte{bytes.Repeat([]byte{1}, 32)},
	}
}

// sessionApp is one instance of a web application with refreshed sessions.
type sessionApp struct {
	env    *sessionEnv
	flow   *fiefhttp.WebFlow
	mux    *http.ServeMux
	app    *httptest.Server
	client *fief.Client
}

// newApp starts an instance of the application; instances of one env share
// the Fief client and the cookie keys (cfg may override them), like the
// instances of a load-balanced application.
func (e *sessionEnv) newApp(t *testing.T, cfg fiefhttp.WebConfig) *sessionApp {
	t.Helper()
	hc := e.httpClient
	if hc == nil {
		hc = e.srv.Client()
	}
	client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: hc, Clock: e.srv.Now, Revocations: e.revocations})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CookieKeys == nil {
		cfg.CookieKeys = e.keys
	}
	cfg.InsecureCookies = true
	flow, err := fiefhttp.NewWebFlow(client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := &sessionApp{env: e, flow: flow, client: client, mux: http.NewServeMux()}
	auth := flow.Auth()
	a.mux.Handle("GET /token", auth.Authenticated()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := fiefhttp.AccessTokenInfoFrom(r.Context())
		fmt.Fprint(w, info.AccessToken)
	})))
	a.mux.Handle("GET /me", auth.CurrentUser()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := fiefhttp.UserInfoFrom(r.Context())
		fmt.Fprint(w, "email: "+u.Email())
	})))
	a.mux.Handle("GET /admin", auth.Authenticated(fiefhttp.MinACR(fief.ACRLevel1))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := fiefhttp.AccessTokenInfoFrom(r.Context())
		fmt.Fprint(w, "admin at ACR "+string(info.ACR))
	})))
	a.mux.Handle("GET /recent", auth.Authenticated(fiefhttp.MaxAge(5*time.Minute))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "recent")
	})))
	a.mux.HandleFunc("GET /auth-callback", flow.Callback)
	a.mux.HandleFunc("/logout", flow.Logout)
	a.mux.HandleFunc("/logout-everywhere", flow.LogoutEverywhere)
	a.app = httptest.NewServer(a.mux)
	t.Cleanup(a.app.Close)
	e.fc.AddRedirectURI(a.app.URL + "/auth-callback")
	return a
}

// signIn signs a new browser in through Fief's login form and returns it.
func (a *sessionApp) signIn(t *testing.T) *http.Client {
	t.Helper()
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, a.app.URL+"/me")
	if resp, page = logIn(t, b, resp, page); page != "email: "+testEmail {
		t.Fatalf("sign-in: %d at %s: %q", resp.StatusCode, resp.Request.URL, page)
	}
	return b
}

// cookie returns the browser's session cookie for the application.
func (a *sessionApp) cookie(t *testing.T, b *http.Client) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(a.app.URL)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == a.flow.SessionCookieName() {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// get sends GET path with the session cookie c, as a fetch call (so an
// unauthorized answer is a 401, not a redirect), to the handler directly.
func (a *sessionApp) get(path string, c *http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Sec-Fetch-Mode", "cors")
	if c != nil {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	w := httptest.NewRecorder()
	a.mux.ServeHTTP(w, r)
	return w
}

// renewed returns the session cookie a response set, nil if none.
func renewed(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var storages = []struct {
	name string
	cfg  func() fiefhttp.WebConfig
}{
	{"sealed cookie", func() fiefhttp.WebConfig { return fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie} }},
	{"server-side store", func() fiefhttp.WebConfig { return fiefhttp.WebConfig{Storage: fiefhttp.StorageServer} }},
}

// TestSessionOutlivesAccessTokens: on Fief's clock, a session lasts
// several access tokens, each refreshed before the handler runs, which sees
// the new token; each refresh is one request to Fief.
func TestSessionOutlivesAccessTokens(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			a := e.newApp(t, st.cfg())
			b := a.signIn(t)
			_, first := browsertest.Get(t, b, a.app.URL+"/token")
			seen := map[string]bool{first: true}
			for i := 1; i <= 4; i++ {
				e.srv.Advance(tokenLifetime)
				before := e.srv.RequestCount(fieftest.EndpointToken)
				resp, tok := browsertest.Get(t, b, a.app.URL+"/token")
				if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/token" {
					t.Fatalf("refresh %d: %d at %s", i, resp.StatusCode, resp.Request.URL)
				}
				if seen[tok] {
					t.Fatalf("refresh %d: the handler saw an old token", i)
				}
				seen[tok] = true
				info, err := a.client.ValidateAccessToken(t.Context(), tok, fief.Requirements{})
				if err != nil || info.ACR != fief.ACRLevel0 {
					t.Fatalf("refresh %d: the handler's token: %v, ACR %q", i, err, info.ACR)
				}
				if n := e.srv.RequestCount(fieftest.EndpointToken) - before; n != 1 {
					t.Fatalf("refresh %d: %d token requests, want 1", i, n)
				}
				// Within the token's life, no refresh.
				browsertest.Get(t, b, a.app.URL+"/token")
				if n := e.srv.RequestCount(fieftest.EndpointToken) - before; n != 1 {
					t.Fatalf("refresh %d: a second request refreshed again (%d token requests)", i, n)
				}
			}
		})
	}
}

// TestSessionLateRequestAndReusedRefreshToken: a request with the cookie
// of just before a refresh gets the new pair (from the rotation memory),
// without asking Fief; once that memory is gone, the old refresh token is
// refused by Fief and the session ends.
func TestSessionLateRequestAndReusedRefreshToken(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			a := e.newApp(t, st.cfg())
			b := a.signIn(t)
			old := a.cookie(t, b)
			e.srv.Advance(tokenLifetime)
			w := a.get("/token", old)
			if w.Code != http.StatusOK {
				t.Fatalf("refresh: %d", w.Code)
			}
			fresh := w.Body.String()
			before := e.srv.RequestCount(fieftest.EndpointToken)
			late := a.get("/token", old)
			if late.Code != http.StatusOK || late.Body.String() != fresh {
				t.Fatalf("late request: %d, same new token %v", late.Code, late.Body.String() == fresh)
			}
			if n := e.srv.RequestCount(fieftest.EndpointToken) - before; n != 0 {
				t.Fatalf("late request: %d token requests, want 0", n)
			}
			if st.name == "sealed cookie" && renewed(late, old.Name) == nil {
				t.Fatal("late request: no new cookie")
			}
			if st.name == "server-side store" {
				return // one record, already refreshed: the old cookie is the new one
			}
			e.srv.Advance(fiefhttp.DefaultRotationMemory + time.Second)
			w = a.get("/token", old)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("refresh token used twice: %d, want 401", w.Code)
			}
			if n := e.srv.RequestCount(fieftest.EndpointToken) - before; n != 1 {
				t.Fatalf("refresh token used twice: %d token requests, want 1", n)
			}
			if c := renewed(w, old.Name); c == nil || c.MaxAge >= 0 {
				t.Fatalf("the ended session's cookie is not deleted: %v", c)
			}
		})
	}
}

// TestSessionRefreshTokenRevoked: Fief refusing the refresh token
// (invalid_grant) ends the session: a page goes back to Fief's login.
func TestSessionRefreshTokenRevoked(t *testing.T) {
	e := newSessionEnv(t)
	store := fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{}, e.srv.Now)
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer, Store: store})
	b := a.signIn(t)
	e.srv.Advance(tokenLifetime)
	e.srv.FailNext(fieftest.EndpointToken, 1, fieftest.Fault{Status: 400, Body: `{"error":"invalid_grant"}`})
	resp, _ := browsertest.Get(t, browsertest.NoRedirect(b), a.app.URL+"/me")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, e.srv.URL+"/authorize?") {
		t.Fatalf("after invalid_grant: %d to %q, want a new sign-in at Fief", resp.StatusCode, loc)
	}
	if store.Len() != 0 {
		t.Errorf("%d records left, want the ended session's deleted", store.Len())
	}
}

// TestSessionRefreshRefusedError: the error of a session whose refresh
// token Fief refused is an ErrSessionEnded, an ErrRefreshTokenRejected
// (as every "Fief refused the refresh token" error of fief-go) and Fief's
// *ResponseError.
func TestSessionRefreshRefusedError(t *testing.T) {
	e := newSessionEnv(t)
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie})
	c := a.cookie(t, a.signIn(t))
	e.srv.Advance(tokenLifetime)
	e.srv.FailNext(fieftest.EndpointToken, 1, fieftest.Fault{Status: 400, Body: `{"error":"invalid_grant"}`})
	r := httptest.NewRequest("GET", "/token", nil)
	r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	_, err := a.flow.Auth().Check(httptest.NewRecorder(), r, a.flow.Auth().Route())
	var re *fief.ResponseError
	if !errors.Is(err, fiefhttp.ErrSessionEnded) || !errors.Is(err, fief.ErrRefreshTokenRejected) || !errors.As(err, &re) || re.Code != "invalid_grant" {
		t.Fatalf("err = %v, want ErrSessionEnded, ErrRefreshTokenRejected and Fief's invalid_grant", err)
	}
	if fiefhttp.Classify(err) != fiefhttp.OutcomeUnauthorized {
		t.Errorf("outcome %v, want unauthorized", fiefhttp.Classify(err))
	}
}

// TestSessionFiefDownDuringRefresh: Fief unreachable while refreshing
// gives 503 and keeps the session, which refreshes once Fief is back.
func TestSessionFiefDownDuringRefresh(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			a := e.newApp(t, st.cfg())
			c := a.cookie(t, a.signIn(t))
			e.srv.Advance(tokenLifetime)
			e.srv.FailNext(fieftest.EndpointToken, 1, fieftest.Fault{Status: 503, Body: `{"detail":"down"}`})
			w := a.get("/token", c)
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("Fief down: %d, want 503", w.Code)
			}
			if renewed(w, c.Name) != nil {
				t.Fatal("Fief down: the session cookie was changed")
			}
			if w := a.get("/token", c); w.Code != http.StatusOK {
				t.Fatalf("Fief back: %d, want 200", w.Code)
			}
		})
	}
}

// concurrentExpired sends n concurrent requests of one expired session,
// spread over the instances, and checks that all succeed with exactly one
// refresh reaching Fief.
func concurrentExpired(t *testing.T, e *sessionEnv, apps []*sessionApp, c *http.Cookie, n int) {
	t.Helper()
	e.srv.Advance(tokenLifetime)
	before := e.srv.RequestCount(fieftest.EndpointToken)
	var wg sync.WaitGroup
	codes := make([]int, n)
	tokens := make([]string, n)
	for i := range n {
		wg.Go(func() {
			w := apps[i%len(apps)].get("/token", c)
			codes[i], tokens[i] = w.Code, w.Body.String()
		})
	}
	wg.Wait()
	for i := range n {
		if codes[i] != http.StatusOK || tokens[i] != tokens[0] {
			t.Fatalf("request %d: %d, same token as request 0: %v", i, codes[i], tokens[i] == tokens[0])
		}
	}
	if got := e.srv.RequestCount(fieftest.EndpointToken) - before; got != 1 {
		t.Fatalf("%d refreshes reached Fief, want 1", got)
	}
}

// TestSessionConcurrentRefreshOneInstance: 50 concurrent requests of one
// expired session, one refresh.
func TestSessionConcurrentRefreshOneInstance(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			a := e.newApp(t, st.cfg())
			concurrentExpired(t, e, []*sessionApp{a}, a.cookie(t, a.signIn(t)), 50)
		})
	}
}

// TestSessionConcurrentRefreshTwoInstances: the same, split between two
// instances sharing one store.
func TestSessionConcurrentRefreshTwoInstances(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			store := fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{}, e.srv.Now)
			cfg := st.cfg()
			cfg.Store = store
			a, b := e.newApp(t, cfg), e.newApp(t, cfg)
			concurrentExpired(t, e, []*sessionApp{a, b}, a.cookie(t, a.signIn(t)), 50)
		})
	}
}

// TestSealedCookieRefused: a sealed session cookie with any byte changed,
// opened without its key, or past the session's lifetime is no session; a
// rotated key list (new key first, old one kept) still opens it.
func TestSealedCookieRefused(t *testing.T) {
	e := newSessionEnv(t)
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie, SessionLifetime: time.Hour})
	c := a.cookie(t, a.signIn(t))
	if w := a.get("/token", c); w.Code != http.StatusOK {
		t.Fatalf("genuine cookie: %d", w.Code)
	}
	t.Logf("changing each of the %d characters of the sealed cookie", len(c.Value))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(c.Value) {
		v := []byte(c.Value)
		v[i] = alphabet[(strings.IndexByte(alphabet, v[i])+1)%len(alphabet)]
		if w := a.get("/token", &http.Cookie{Name: c.Name, Value: string(v)}); w.Code != http.StatusUnauthorized {
			t.Fatalf("byte %d changed: %d, want 401", i, w.Code)
		}
	}
	for _, v := range []string{c.Value[:len(c.Value)-1], c.Value[:40], c.Value + "A", "x"} {
		if w := a.get("/token", &http.Cookie{Name: c.Name, Value: v}); w.Code != http.StatusUnauthorized {
			t.Fatalf("truncated or extended to %d bytes: %d, want 401", len(v), w.Code)
		}
	}
	newKey := bytes.Repeat([]byte{2}, 32)
	rotated := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie, CookieKeys: [][]byte{newKey, e.keys[0]}})
	if w := rotated.get("/token", c); w.Code != http.StatusOK {
		t.Fatalf("rotated key list: %d, want 200", w.Code)
	}
	removed := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie, CookieKeys: [][]byte{newKey}})
	if w := removed.get("/token", c); w.Code != http.StatusUnauthorized {
		t.Fatalf("old key removed: %d, want 401", w.Code)
	}
	e.srv.Advance(time.Hour)
	w := a.get("/token", c)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("past the session lifetime: %d, want 401", w.Code)
	}
	if d := renewed(w, c.Name); d == nil || d.MaxAge >= 0 {
		t.Fatalf("past the session lifetime: cookie not deleted: %v", d)
	}
}

// TestServerSessionTimeouts: a server-side session ends after the idle
// timeout, and after the absolute lifetime however busy.
func TestServerSessionTimeouts(t *testing.T) {
	e := newSessionEnv(t)
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer, IdleTimeout: time.Hour, SessionLifetime: 3 * time.Hour})
	c := a.cookie(t, a.signIn(t))
	for range 5 { // busy: 2.5 hours of use, never idle an hour
		e.srv.Advance(30 * time.Minute)
		if w := a.get("/token", c); w.Code != http.StatusOK {
			t.Fatalf("busy session: %d", w.Code)
		}
	}
	e.srv.Advance(31 * time.Minute)
	if w := a.get("/token", c); w.Code != http.StatusUnauthorized {
		t.Fatalf("past the absolute lifetime: %d, want 401", w.Code)
	}
	c = a.cookie(t, a.signIn(t))
	e.srv.Advance(time.Hour)
	if w := a.get("/token", c); w.Code != http.StatusUnauthorized {
		t.Fatalf("idle an hour: %d, want 401", w.Code)
	}
}

// TestServerSessionLogoutEverywhere: logout deletes the record; "sign out
// everywhere" ends the user's sessions in other browsers too.
func TestServerSessionLogoutEverywhere(t *testing.T) {
	e := newSessionEnv(t)
	store := fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{}, e.srv.Now)
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer, Store: store})
	laptop, phone, tablet := a.signIn(t), a.signIn(t), a.signIn(t)
	phoneCookie, tabletCookie := a.cookie(t, phone), a.cookie(t, tablet)
	if store.Len() != 3 {
		t.Fatalf("%d records, want 3", store.Len())
	}
	resp, err := browsertest.NoRedirect(tablet).Post(a.app.URL+"/logout", "", nil)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %v %v", resp, err)
	}
	if store.Len() != 2 {
		t.Fatalf("after logout, %d records, want 2", store.Len())
	}
	if w := a.get("/token", tabletCookie); w.Code != http.StatusUnauthorized {
		t.Fatalf("logged-out session: %d", w.Code)
	}
	resp, err = browsertest.NoRedirect(laptop).Post(a.app.URL+"/logout-everywhere", "", nil)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout everywhere: %v %v", resp, err)
	}
	if w := a.get("/token", phoneCookie); w.Code != http.StatusUnauthorized {
		t.Fatalf("the phone's session after sign-out everywhere: %d, want 401", w.Code)
	}
	if store.Len() != 0 {
		t.Fatalf("after sign-out everywhere, %d records, want 0", store.Len())
	}
}

// TestStepUp: a page asking for ACR 1 on a refreshed (ACR 0) session sends
// the browser to Fief's login form and back to the page; an API request
// gets 403. The same for a page asking for a recent sign-in.
func TestStepUp(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			a := e.newApp(t, st.cfg())
			b := a.signIn(t)
			if _, page := browsertest.Get(t, b, a.app.URL+"/admin"); page != "admin at ACR 1" {
				t.Fatalf("right after the sign-in: %q", page)
			}
			e.srv.Advance(tokenLifetime) // the next request refreshes: ACR 0, sign-in 10 minutes old
			api, _ := http.NewRequest("GET", a.app.URL+"/admin", nil)
			api.Header.Set("Sec-Fetch-Mode", "cors")
			resp, err := b.Do(api)
			if err != nil {
				t.Fatal(err)
			}
			if browsertest.Body(t, resp); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("API request at ACR 0: %d, want 403", resp.StatusCode)
			}
			for _, tt := range []struct{ path, param, value, want string }{
				{"/admin?tab=2", "acr_values", "1", "admin at ACR 1"},
				{"/recent", "max_age", "300", "recent"},
			} {
				e.srv.Advance(tokenLifetime)
				resp, _ := browsertest.Get(t, browsertest.NoRedirect(b), a.app.URL+tt.path)
				loc, _ := url.Parse(resp.Header.Get("Location"))
				if resp.StatusCode != http.StatusFound || loc.Path != "/authorize" || loc.Query().Get(tt.param) != tt.value {
					t.Fatalf("%s: %d to %s, want Fief's authorize with %s=%s", tt.path, resp.StatusCode, loc, tt.param, tt.value)
				}
				resp, page := browsertest.Get(t, b, loc.String())
				if !strings.HasSuffix(resp.Request.URL.Path, "/login") {
					t.Fatalf("%s: at %s, want Fief's login form", tt.path, resp.Request.URL)
				}
				resp, page = logIn(t, b, resp, page)
				if resp.Request.URL.String() != a.app.URL+tt.path || page != tt.want {
					t.Fatalf("%s after the step-up: %d at %s: %q", tt.path, resp.StatusCode, resp.Request.URL, page)
				}
			}
			if w := a.get("/recent", a.cookie(t, b)); w.Code != http.StatusOK {
				t.Fatalf("/recent right after the step-up, API request: %d", w.Code)
			}
		})
	}
}

// TestSealedCookieSize measures the sealed session cookie for a Fief that
// signs with RSA-4096 keys, as Fief does, and checks that a session too big
// for a cookie is refused at sign-in with an error that points to the
// server-side store.
func TestSealedCookieSize(t *testing.T) {
	srv := fieftest.NewUnstartedServer()
	srv.KeySize = 4096
	srv.Start()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{TokenLifetime: tokenLifetime})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: testEmail, Password: testPassword, Permissions: []string{"castles:read", "castles:write"}})
	if err != nil {
		t.Fatal(err)
	}
	e := &sessionEnv{
		srv:  srv,
		fc:   fc,
		user: user,
		keys: [][]byte{bytes.Repeat([]byte{1}, 32)},
	}
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie})
	c := a.cookie(t, a.signIn(t))
	size := len(c.Name) + 1 + len(c.Value)
	t.Logf("sealed session cookie, RSA-4096 tokens, two permissions: %d bytes", size)
	if size > 4096 {
		t.Fatalf("sealed session cookie of %d bytes, over 4096", size)
	}
	for _, st := range []fiefhttp.Storage{fiefhttp.StorageAccessToken, fiefhttp.StorageServer} {
		other := e.newApp(t, fiefhttp.WebConfig{Storage: st})
		c := other.cookie(t, other.signIn(t))
		t.Logf("%s: %d bytes", st, len(c.Name)+1+len(c.Value))
	}

	// A user with many permissions: the access token alone passes 4 KB.
	var perms []string
	for i := range 150 {
		perms = append(perms, fmt.Sprintf("castles:room-%03d:enter", i))
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "jeanne@bretagne.duchy", Password: testPassword, Permissions: perms}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	big := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, big.app.URL+"/me")
	resp, _ = browsertest.LogIn(t, b, resp, page, "jeanne@bretagne.duchy", testPassword)
	if resp.StatusCode != http.StatusInternalServerError || resp.Request.URL.Path != "/auth-callback" {
		t.Fatalf("sign-in with an oversized session: %d at %s, want a 500 page at the callback", resp.StatusCode, resp.Request.URL)
	}
	u, _ := url.Parse(big.app.URL)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == big.flow.SessionCookieName() {
			t.Fatal("oversized session cookie set")
		}
	}
	if !strings.Contains(logs.String(), "StorageServer") {
		t.Fatalf("the logged error does not point to the server-side store: %s", logs.String())
	}
	// The server-side store takes the same user.
	server := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer})
	b = browsertest.New(t)
	resp, page = browsertest.Get(t, b, server.app.URL+"/me")
	if resp, page = browsertest.LogIn(t, b, resp, page, "jeanne@bretagne.duchy", testPassword); page != "email: jeanne@bretagne.duchy" {
		t.Fatalf("server-side session of the same user: %d %q", resp.StatusCode, page)
	}
}

// TestSessionCheckWithoutWriter: an adapter may call Auth.Check without a
// ResponseWriter; a refresh then still succeeds (the cookie is not renewed)
// and an ended session does not panic.
func TestSessionCheckWithoutWriter(t *testing.T) {
	e := newSessionEnv(t)
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie})
	c := a.cookie(t, a.signIn(t))
	auth := a.flow.Auth()
	rt := auth.Route()
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	e.srv.Advance(tokenLifetime)
	if _, err := auth.Check(nil, r, rt); err != nil {
		t.Fatalf("refresh without a writer: %v", err)
	}
	e.srv.Advance(fiefhttp.DefaultRotationMemory + tokenLifetime)
	if _, err := auth.Check(nil, r, rt); fiefhttp.Classify(err) != fiefhttp.OutcomeUnauthorized {
		t.Fatalf("ended session without a writer: %v", err)
	}
}

// TestStepUpAccessTokenCookie: with the default storage, a page asking for
// ACR 1 on an access token of ACR 0 (a sign-in through Fief's existing
// session) goes through Fief's login form and back too; a route asking for
// a recent sign-in is forbidden, the sign-in time being unknown.
func TestStepUpAccessTokenCookie(t *testing.T) {
	e := newSessionEnv(t)
	a := e.newApp(t, fiefhttp.WebConfig{})
	b := a.signIn(t)
	u, _ := url.Parse(a.app.URL)
	b.Jar.SetCookies(u, []*http.Cookie{{Name: a.flow.SessionCookieName(), Value: "", MaxAge: -1}})
	if _, page := browsertest.Get(t, b, a.app.URL+"/token"); page == "" {
		t.Fatal("no token after a sign-in through Fief's session")
	}
	resp, page := browsertest.Get(t, b, a.app.URL+"/admin")
	if !strings.HasSuffix(resp.Request.URL.Path, "/login") {
		t.Fatalf("/admin at ACR 0: %d at %s, want Fief's login form", resp.StatusCode, resp.Request.URL)
	}
	if resp, page = logIn(t, b, resp, page); page != "admin at ACR 1" {
		t.Fatalf("/admin after the step-up: %d at %s: %q", resp.StatusCode, resp.Request.URL, page)
	}
	resp, _ = browsertest.Get(t, browsertest.NoRedirect(b), a.app.URL+"/recent")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("/recent without a known sign-in time: %d, want 403", resp.StatusCode)
	}
}
