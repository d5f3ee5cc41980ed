package fiefhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// readCountingStore is a MemorySessionStore that counts the reads of session
// records, to tell a request served from the verified-session cache from
// one that read its record.
type readCountingStore struct {
	*fiefhttp.MemorySessionStore
	gets atomic.Int64
}

func (s *readCountingStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.gets.Add(1)
	return s.MemorySessionStore.Get(ctx, key)
}

// cachedApp starts an instance with storage st over a counting store.
func cachedApp(t *testing.T, e *sessionEnv, st string, store *readCountingStore) *sessionApp {
	t.Helper()
	cfg := fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie, Store: store}
	if st == "server-side store" {
		cfg.Storage = fiefhttp.StorageServer
	}
	return e.newApp(t, cfg)
}

// cachedSignIn signs a browser in to a, makes one request with its session
// and checks that the session is then cached; it returns the session
// cookie.
func cachedSignIn(t *testing.T, a *sessionApp) *http.Cookie {
	t.Helper()
	c := a.cookie(t, a.signIn(t))
	if w := a.get("/token", c); w.Code != http.StatusOK {
		t.Fatalf("first request: %d", w.Code)
	}
	if n := fiefhttp.SessionCacheLen(a.flow); n != 1 {
		t.Fatalf("%d sessions cached, want 1", n)
	}
	return c
}

func newReadCountingStore(e *sessionEnv) *readCountingStore {
	return &readCountingStore{MemorySessionStore: fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{}, e.srv.Now)}
}

// TestSessionCacheServesRecentSessions: once a session was opened, the
// next requests within SessionCacheLife read no record (server-side); after
// SessionCacheLife, the record is read again; with SessionCacheSize -1
// every request reads it.
func TestSessionCacheServesRecentSessions(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			store := newReadCountingStore(e)
			a := cachedApp(t, e, st.name, store)
			c := cachedSignIn(t, a)
			before := store.gets.Load()
			for range 5 {
				e.srv.Advance(fiefhttp.SessionCacheLife / 10)
				if w := a.get("/token", c); w.Code != http.StatusOK {
					t.Fatalf("cached request: %d", w.Code)
				}
			}
			if st.name == "server-side store" {
				if n := store.gets.Load() - before; n != 0 {
					t.Fatalf("%d record reads within SessionCacheLife, want 0", n)
				}
				e.srv.Advance(fiefhttp.SessionCacheLife)
				if w := a.get("/token", c); w.Code != http.StatusOK {
					t.Fatalf("after SessionCacheLife: %d", w.Code)
				}
				if n := store.gets.Load() - before; n != 1 {
					t.Fatalf("%d record reads after SessionCacheLife, want 1", n)
				}
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		e := newSessionEnv(t)
		store := newReadCountingStore(e)
		a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer, Store: store, SessionCacheSize: -1})
		c := a.cookie(t, a.signIn(t))
		before := store.gets.Load()
		for range 3 {
			if w := a.get("/token", c); w.Code != http.StatusOK {
				t.Fatalf("request: %d", w.Code)
			}
		}
		if n := store.gets.Load() - before; n != 3 || fiefhttp.SessionCacheLen(a.flow) != -1 {
			t.Fatalf("cache off: %d record reads for 3 requests, cache length %d", n, fiefhttp.SessionCacheLen(a.flow))
		}
	})
}

// TestSessionCacheRevokedUserRefusedAtOnce: a revocation or a standing
// block of a user drops their cached sessions at once, and the very next
// request (well within SessionCacheLife) is refused and ends the session.
func TestSessionCacheRevokedUserRefusedAtOnce(t *testing.T) {
	for _, st := range storages {
		for _, kind := range []fief.RevocationKind{fief.RevokeTokens, fief.BlockUser} {
			t.Run(st.name+"/"+map[fief.RevocationKind]string{fief.RevokeTokens: "revoke", fief.BlockUser: "block"}[kind], func(t *testing.T) {
				e := newSessionEnv(t)
				e.revocations = fief.NewRevocations(fief.RevocationsConfig{Clock: e.srv.Now})
				store := newReadCountingStore(e)
				a := cachedApp(t, e, st.name, store)
				c := cachedSignIn(t, a)
				e.srv.Advance(time.Second)
				e.revocations.Apply(fief.Revocation{Kind: kind, UserID: e.user.ID, NotBefore: e.srv.Now()})
				if n := fiefhttp.SessionCacheLen(a.flow); n != 0 {
					t.Fatalf("after the revocation, %d sessions cached, want 0", n)
				}
				w := a.get("/token", c)
				if w.Code != http.StatusUnauthorized {
					t.Fatalf("the next request: %d, want 401", w.Code)
				}
				if rc := renewed(w, a.flow.SessionCookieName()); rc == nil || rc.MaxAge >= 0 {
					t.Fatalf("the session cookie was not deleted: %v", rc)
				}
			})
		}
	}
}

// TestSessionCacheLogout: a logout drops the session's entry at once; a
// server-side session is then refused with its old cookie; "sign out
// everywhere" drops every entry of the user on this instance.
func TestSessionCacheLogout(t *testing.T) {
	e := newSessionEnv(t)
	store := newReadCountingStore(e)
	a := cachedApp(t, e, "server-side store", store)
	laptop, phone := a.signIn(t), a.signIn(t)
	laptopCookie, phoneCookie := a.cookie(t, laptop), a.cookie(t, phone)
	for _, c := range []*http.Cookie{laptopCookie, phoneCookie} {
		if w := a.get("/token", c); w.Code != http.StatusOK {
			t.Fatalf("before: %d", w.Code)
		}
	}
	if n := fiefhttp.SessionCacheLen(a.flow); n != 2 {
		t.Fatalf("%d sessions cached, want 2", n)
	}
	resp, err := browsertest.NoRedirect(phone).Post(a.app.URL+"/logout", "", nil)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %v %v", resp, err)
	}
	if n := fiefhttp.SessionCacheLen(a.flow); n != 1 {
		t.Fatalf("after logout, %d sessions cached, want 1", n)
	}
	if w := a.get("/token", phoneCookie); w.Code != http.StatusUnauthorized {
		t.Fatalf("the logged-out cookie, at once: %d, want 401", w.Code)
	}
	phone = a.signIn(t)
	phoneCookie = a.cookie(t, phone)
	if w := a.get("/token", phoneCookie); w.Code != http.StatusOK {
		t.Fatalf("new sign-in: %d", w.Code)
	}
	resp, err = browsertest.NoRedirect(laptop).Post(a.app.URL+"/logout-everywhere", "", nil)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout everywhere: %v %v", resp, err)
	}
	if n := fiefhttp.SessionCacheLen(a.flow); n != 0 {
		t.Fatalf("after sign-out everywhere, %d sessions cached, want 0", n)
	}
	if w := a.get("/token", phoneCookie); w.Code != http.StatusUnauthorized {
		t.Fatalf("the phone after sign-out everywhere, at once: %d, want 401", w.Code)
	}
}

// TestSessionCacheOtherInstance: "sign out everywhere" made on one instance
// ends the sessions another instance has cached within SessionCacheLife.
func TestSessionCacheOtherInstance(t *testing.T) {
	e := newSessionEnv(t)
	store := newReadCountingStore(e)
	a, b := cachedApp(t, e, "server-side store", store), cachedApp(t, e, "server-side store", store)
	laptop, phone := a.signIn(t), a.signIn(t)
	phoneCookie := a.cookie(t, phone)
	if w := b.get("/token", phoneCookie); w.Code != http.StatusOK {
		t.Fatalf("on the other instance: %d", w.Code)
	}
	resp, err := browsertest.NoRedirect(laptop).Post(a.app.URL+"/logout-everywhere", "", nil)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout everywhere: %v %v", resp, err)
	}
	e.srv.Advance(fiefhttp.SessionCacheLife)
	if w := b.get("/token", phoneCookie); w.Code != http.StatusUnauthorized {
		t.Fatalf("the other instance, SessionCacheLife after sign-out everywhere: %d, want 401", w.Code)
	}
}

// TestSessionCacheRefresh: the request that refreshes a session drops its
// entry; the session goes on with the new token, cached again.
func TestSessionCacheRefresh(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			a := cachedApp(t, e, st.name, newReadCountingStore(e))
			c := a.cookie(t, a.signIn(t))
			w := a.get("/token", c)
			first := w.Body.String()
			e.srv.Advance(tokenLifetime - fiefhttp.DefaultRefreshMargin)
			w = a.get("/token", c)
			if w.Code != http.StatusOK || w.Body.String() == first {
				t.Fatalf("due for a refresh: %d, same token %v", w.Code, w.Body.String() == first)
			}
			if n := fiefhttp.SessionCacheLen(a.flow); n != 0 {
				t.Fatalf("after the refresh, %d sessions cached, want 0", n)
			}
			if rc := renewed(w, a.flow.SessionCookieName()); rc != nil {
				c = rc
			}
			if w := a.get("/token", c); w.Code != http.StatusOK || w.Body.String() == first {
				t.Fatalf("after the refresh: %d, old token %v", w.Code, w.Body.String() == first)
			}
			if n := fiefhttp.SessionCacheLen(a.flow); n != 1 {
				t.Fatalf("the refreshed session: %d cached, want 1", n)
			}
		})
	}
}

// TestSessionCacheIdleTimeout: a server-side session used every second
// stays alive past its idle timeout, its use being recorded although most
// requests are served from the cache; once unused for the idle timeout, it
// ends.
func TestSessionCacheIdleTimeout(t *testing.T) {
	e := newSessionEnv(t)
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer, Store: newReadCountingStore(e), IdleTimeout: 2 * time.Minute})
	c := a.cookie(t, a.signIn(t))
	for i := range 300 { // 5 minutes of use, a request a second
		e.srv.Advance(time.Second)
		if w := a.get("/token", c); w.Code != http.StatusOK {
			t.Fatalf("busy session at %d s: %d", i+1, w.Code)
		}
	}
	e.srv.Advance(2 * time.Minute)
	if w := a.get("/token", c); w.Code != http.StatusUnauthorized {
		t.Fatalf("idle 2 minutes: %d, want 401", w.Code)
	}
}

// TestSessionCacheDuplicateCookies: with several cookies of the session's
// name, a cached session answers as an uncached one would: the first valid
// value counts (quotes stripped, an invalid one skipped), whether or not the
// cache holds it.
func TestSessionCacheDuplicateCookies(t *testing.T) {
	e := newSessionEnv(t)
	a := cachedApp(t, e, "server-side store", newReadCountingStore(e))
	c := a.cookie(t, a.signIn(t))
	if w := a.get("/token", c); w.Code != http.StatusOK {
		t.Fatalf("first request: %d", w.Code)
	}
	unknown := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // a well-formed session ID no session has
	for _, tc := range []struct {
		header string
		want   int
	}{
		{c.Name + "=" + c.Value, http.StatusOK},
		{c.Name + `="` + c.Value + `"`, http.StatusOK},
		{c.Name + `=bad\value; ` + c.Name + "=" + c.Value, http.StatusOK},
		{c.Name + "=" + unknown + "; " + c.Name + "=" + c.Value, http.StatusUnauthorized},
		{c.Name + "=" + c.Value + "; " + c.Name + "=" + unknown, http.StatusOK},
	} {
		for _, cached := range []bool{true, false} {
			if !cached {
				e.srv.Advance(fiefhttp.SessionCacheLife) // the entry expired: the uncached path
			}
			r := httptest.NewRequest("GET", "/token", nil)
			r.Header.Set("Sec-Fetch-Mode", "cors")
			r.Header.Set("Cookie", tc.header)
			w := httptest.NewRecorder()
			a.mux.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("Cookie: %s (cached %v): %d, want %d", tc.header, cached, w.Code, tc.want)
			}
			// Put the session back in the cache for the next case.
			if w := a.get("/token", c); w.Code != http.StatusOK {
				t.Fatalf("the session itself: %d", w.Code)
			}
		}
	}
}
