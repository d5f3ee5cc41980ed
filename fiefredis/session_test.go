package fiefredis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func newRedis(t *testing.T) (*redisserver.Server, *redis.Client) {
	t.Helper()
	srv := redisserver.Start(t)
	opts, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries = -1
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return srv, rdb
}

// newStore returns a session store on rdb with c's other settings.
func newStore(t *testing.T, rdb redis.UniversalClient, c fiefredis.Config) *fiefredis.SessionStore {
	t.Helper()
	c.Client = rdb
	s, err := fiefredis.NewSessionStore(fiefredis.SessionStoreConfig{Config: c})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessionStore(t *testing.T) {
	_, rdb := newRedis(t)
	sessionStoreBehaviour(t, rdb)
}

// sessionStoreBehaviour is the behaviour of a session store on rdb, a
// single node or a Cluster.
func sessionStoreBehaviour(t *testing.T, rdb redis.UniversalClient) {
	ctx := t.Context()
	s := newStore(t, rdb, fiefredis.Config{Prefix: "app1:"})
	other := newStore(t, rdb, fiefredis.Config{Prefix: "app2:"})
	if _, err := s.Get(ctx, "a"); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Get of a missing key: %v, want ErrSessionNotFound", err)
	}
	for _, kv := range []struct{ key, user, value string }{{"a", "u1", "va"}, {"b", "u1", "vb"}, {"c", "u2", "vc"}} {
		if err := s.Create(ctx, kv.key, kv.user, []byte(kv.value), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Create(ctx, "a", "u1", []byte("other"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "a"); err != nil || string(v) != "va" {
		t.Fatalf("Get: %q %v", v, err)
	}
	if err := s.Create(ctx, "a", "u1", []byte("again"), time.Minute); !errors.Is(err, fiefhttp.ErrSessionExists) {
		t.Fatalf("Create of a live key: %v, want ErrSessionExists", err)
	}
	if err := s.Update(ctx, "b", "u1", []byte("vb2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "b"); err != nil || string(v) != "vb2" {
		t.Fatalf("Get after Update: %q %v", v, err)
	}
	if err := s.Update(ctx, "gone", "u1", []byte("x"), time.Minute); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update of a missing key: %v, want ErrSessionNotFound", err)
	}
	if _, err := s.Get(ctx, "gone"); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update of a missing key created it: %v", err)
	}
	if err := s.Delete(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "c"); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if err := s.DeleteUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if _, err := s.Get(ctx, k); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
			t.Fatalf("Get %s after DeleteUser: %v", k, err)
		}
	}
	if v, err := other.Get(ctx, "a"); err != nil || string(v) != "other" {
		t.Fatalf("another prefix's value after DeleteUser: %q %v", v, err)
	}
	if err := s.Create(ctx, "short", "u3", []byte("v"), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond) // Redis's own clock expires the key
	if _, err := s.Get(ctx, "short"); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Get past the TTL: %v", err)
	}
	if ttl := rdb.TTL(ctx, "app1:u:u3").Val(); ttl <= 0 {
		t.Fatalf("the user's set has TTL %v, want one", ttl)
	}
}

// TestSessionLockCrashedHolder: a lock whose holder never releases it (it
// crashed) expires; a late unlock of the first holder does not release the
// lock of the second.
func TestSessionLockCrashedHolder(t *testing.T) {
	_, rdb := newRedis(t)
	sessionLockBehaviour(t, rdb)
}

// sessionLockBehaviour is the behaviour of the refresh lock on rdb.
func sessionLockBehaviour(t *testing.T, rdb redis.UniversalClient) {
	ctx := t.Context()
	s := newStore(t, rdb, fiefredis.Config{})
	unlock1, err := s.TryLock(ctx, "k", 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryLock(ctx, "k", time.Minute); !errors.Is(err, fiefhttp.ErrLockHeld) {
		t.Fatalf("second TryLock: %v, want ErrLockHeld", err)
	}
	time.Sleep(200 * time.Millisecond)
	unlock2, err := s.TryLock(ctx, "k", time.Minute)
	if err != nil {
		t.Fatalf("TryLock after the crashed holder's lock expired: %v", err)
	}
	if err := unlock1(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryLock(ctx, "k", time.Minute); !errors.Is(err, fiefhttp.ErrLockHeld) {
		t.Fatalf("the first holder's late unlock released the second's lock: %v", err)
	}
	if err := unlock2(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryLock(ctx, "k", time.Minute); err != nil {
		t.Fatalf("TryLock after unlock: %v", err)
	}
}

const tokenLifetime = 10 * time.Minute

type env struct {
	srv  *fieftest.Server
	fc   *fieftest.Client
	keys [][]byte
}

func newEnv(t *testing.T) *env {
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"}); err != nil {
		t.Fatal(err)
	}
	fc, err := srv.AddClient(fieftest.ClientConfig{TokenLifetime: tokenLifetime})
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, fc: fc, keys: [][]byte{bytes.Repeat([]byte{1}, 32)}}
}

// app is one instance of a web application whose sessions live in Redis.
type app struct {
	flow *fiefhttp.WebFlow
	mux  *http.ServeMux
	url  string
}

func (e *env) newApp(t *testing.T, storage fiefhttp.Storage, store fiefhttp.SessionStore) *app {
	t.Helper()
	client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: e.srv.Client(), Clock: e.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{Storage: storage, Store: store, CookieKeys: e.keys, InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{flow: flow, mux: http.NewServeMux()}
	a.mux.Handle("GET /token", flow.Auth().Authenticated()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := fiefhttp.AccessTokenInfoFrom(r.Context())
		fmt.Fprint(w, info.AccessToken)
	})))
	a.mux.HandleFunc("GET /auth-callback", flow.Callback)
	srv := httptest.NewServer(a.mux)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	e.fc.AddRedirectURI(srv.URL + "/auth-callback")
	return a
}

// signIn signs a browser in and returns its session cookie.
func (a *app) signIn(t *testing.T) *http.Cookie {
	t.Helper()
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, a.url+"/token")
	resp, _ = browsertest.LogIn(t, b, resp, page, "anne@bretagne.duchy", "herminetincture")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	u, _ := url.Parse(a.url)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == a.flow.SessionCookieName() {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func (a *app) get(c *http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/token", nil)
	r.Header.Set("Sec-Fetch-Mode", "cors")
	r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	w := httptest.NewRecorder()
	a.mux.ServeHTTP(w, r)
	return w
}

var storages = []fiefhttp.Storage{fiefhttp.StorageSealedCookie, fiefhttp.StorageServer}

// TestTwoInstancesOneRefresh: 50 concurrent requests of one expired
// session, split between two instances sharing Redis: one refresh reaches
// Fief, all 50 succeed with the same new token.
func TestTwoInstancesOneRefresh(t *testing.T) {
	twoInstancesOneRefresh(t, func(t *testing.T) redis.UniversalClient { _, rdb := newRedis(t); return rdb })
}

// twoInstancesOneRefresh is the refresh lock's behaviour, on the Redis
// deployment of newClient.
func twoInstancesOneRefresh(t *testing.T, newClient func(*testing.T) redis.UniversalClient) {
	for _, st := range storages {
		t.Run(st.String(), func(t *testing.T) {
			rdb := newClient(t)
			e := newEnv(t)
			a := e.newApp(t, st, newStore(t, rdb, fiefredis.Config{}))
			b := e.newApp(t, st, newStore(t, rdb, fiefredis.Config{}))
			c := a.signIn(t)
			for round := range 3 {
				e.srv.Advance(tokenLifetime)
				before := e.srv.RequestCount(fieftest.EndpointToken)
				const n = 50
				var wg sync.WaitGroup
				codes, tokens := make([]int, n), make([]string, n)
				for i := range n {
					wg.Go(func() {
						w := []*app{a, b}[i%2].get(c)
						codes[i], tokens[i] = w.Code, w.Body.String()
					})
				}
				wg.Wait()
				for i := range n {
					if codes[i] != http.StatusOK || tokens[i] != tokens[0] {
						t.Fatalf("round %d, request %d: %d, same token as request 0: %v", round, i, codes[i], tokens[i] == tokens[0])
					}
				}
				if got := e.srv.RequestCount(fieftest.EndpointToken) - before; got != 1 {
					t.Fatalf("round %d: %d refreshes reached Fief, want 1", round, got)
				}
				if st == fiefhttp.StorageSealedCookie {
					// The browser keeps the renewed cookie.
					w := a.get(c)
					for _, nc := range w.Result().Cookies() {
						if nc.Name == c.Name {
							c = nc
						}
					}
				}
			}
		})
	}
}

// TestRedisStoppedInTheMiddle: with Redis gone, a request that needs it
// gets 503 (no panic, no sign-out); once Redis is back, requests succeed.
func TestRedisStoppedInTheMiddle(t *testing.T) {
	for _, st := range storages {
		t.Run(st.String(), func(t *testing.T) {
			rs, rdb := newRedis(t)
			e := newEnv(t)
			a := e.newApp(t, st, newStore(t, rdb, fiefredis.Config{Timeout: time.Second}))
			c := a.signIn(t)
			if w := a.get(c); w.Code != http.StatusOK {
				t.Fatalf("before: %d", w.Code)
			}
			e.srv.Advance(tokenLifetime) // the next request needs Redis: a refresh
			rs.Kill()
			w := a.get(c)
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("Redis down: %d, want 503", w.Code)
			}
			for _, nc := range w.Result().Cookies() {
				if nc.Name == c.Name {
					t.Fatalf("Redis down: the session cookie was changed: %s", nc)
				}
			}
			rs.Restart() // empty: no persistence
			if st == fiefhttp.StorageServer {
				// The records went with Redis's memory: sign in again.
				if w := a.get(c); w.Code != http.StatusUnauthorized {
					t.Fatalf("Redis back, empty: %d, want 401", w.Code)
				}
				c = a.signIn(t)
			}
			if w := a.get(c); w.Code != http.StatusOK {
				t.Fatalf("Redis back: %d, want 200", w.Code)
			}
		})
	}
}

// TestSignInWhileRedisDown: a sign-in whose session cannot be stored gets
// a 503 page at the callback, and no session cookie.
func TestSignInWhileRedisDown(t *testing.T) {
	rs, rdb := newRedis(t)
	e := newEnv(t)
	a := e.newApp(t, fiefhttp.StorageServer, newStore(t, rdb, fiefredis.Config{Timeout: time.Second}))
	rs.Kill()
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, a.url+"/token")
	resp, _ = browsertest.LogIn(t, b, resp, page, "anne@bretagne.duchy", "herminetincture")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Request.URL.Path != "/auth-callback" {
		t.Fatalf("sign-in with Redis down: %d at %s, want 503 at the callback", resp.StatusCode, resp.Request.URL)
	}
	u, _ := url.Parse(a.url)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == a.flow.SessionCookieName() {
			t.Fatal("a session cookie was set")
		}
	}
}

func TestSessionStoreHonoursContext(t *testing.T) {
	_, rdb := newRedis(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := newStore(t, rdb, fiefredis.Config{})
	if _, err := s.Get(ctx, "a"); err == nil || errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Get with a cancelled context: %v", err)
	}
}

// TestLateRequestOnAnotherInstance: a request with the sealed cookie of
// just before a refresh, arriving at another instance, gets the new pair
// from the rotation memory in Redis, without asking Fief.
func TestLateRequestOnAnotherInstance(t *testing.T) {
	_, rdb := newRedis(t)
	lateRequestOnAnotherInstance(t, rdb)
}

// lateRequestOnAnotherInstance is the rotation memory's behaviour on rdb.
func lateRequestOnAnotherInstance(t *testing.T, rdb redis.UniversalClient) {
	e := newEnv(t)
	a := e.newApp(t, fiefhttp.StorageSealedCookie, newStore(t, rdb, fiefredis.Config{}))
	b := e.newApp(t, fiefhttp.StorageSealedCookie, newStore(t, rdb, fiefredis.Config{}))
	old := a.signIn(t)
	e.srv.Advance(tokenLifetime)
	w := a.get(old)
	if w.Code != http.StatusOK {
		t.Fatalf("refresh on the first instance: %d", w.Code)
	}
	before := e.srv.RequestCount(fieftest.EndpointToken)
	late := b.get(old)
	if late.Code != http.StatusOK || late.Body.String() != w.Body.String() {
		t.Fatalf("late request on the second instance: %d, same new token %v", late.Code, late.Body.String() == w.Body.String())
	}
	if n := e.srv.RequestCount(fieftest.EndpointToken) - before; n != 0 {
		t.Fatalf("late request: %d token requests, want 0 (the old refresh token is spent)", n)
	}
}
