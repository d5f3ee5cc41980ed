package fiefhttp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// TestSessionEndsAtRevocation: a revocation ends the user's sessions begun
// before it, sealed or server-side, before any refresh (a refresh would
// outlive it); server-side records are deleted at the revocation, before
// any request; a new sign-in works.
func TestSessionEndsAtRevocation(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			e.revocations = fief.NewRevocations(fief.RevocationsConfig{Clock: e.srv.Now})
			store := fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{}, e.srv.Now)
			cfg := st.cfg()
			cfg.Store = store
			a := e.newApp(t, cfg)
			c := a.cookie(t, a.signIn(t))
			if w := a.get("/token", c); w.Code != http.StatusOK {
				t.Fatalf("before: %d", w.Code)
			}

			e.srv.Advance(2 * time.Second)
			e.revocations.Revoke(e.user.ID, e.srv.Now())
			if st.name == "server-side store" {
				// Deleted by the revocation itself, before any request.
				deadline := time.Now().Add(5 * time.Second)
				for store.Len() != 0 {
					if time.Now().After(deadline) {
						t.Fatalf("%d server-side records left after the revocation", store.Len())
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			e.srv.Advance(tokenLifetime) // the next request would refresh
			before := e.srv.RequestCount(fieftest.EndpointToken)
			if w := a.get("/token", c); w.Code != http.StatusUnauthorized {
				t.Fatalf("a session begun before the revocation: %d, want 401", w.Code)
			}
			if n := e.srv.RequestCount(fieftest.EndpointToken) - before; n != 0 {
				t.Fatalf("the revoked session was refreshed (%d token requests)", n)
			}

			e.srv.Advance(2 * time.Second)
			b := a.signIn(t)
			if resp, _ := browsertest.Get(t, b, a.app.URL+"/token"); resp.StatusCode != http.StatusOK {
				t.Fatalf("a sign-in after the revocation: %d", resp.StatusCode)
			}
		})
	}
}

// TestRevokedSessionPageSignsInAgain: with each of the three storages, a
// page of a user revoked after signing in sends the browser to Fief for a
// new sign-in (without refreshing the old session), and the new session
// works.
func TestRevokedSessionPageSignsInAgain(t *testing.T) {
	all := append([]struct {
		name string
		cfg  func() fiefhttp.WebConfig
	}{{"access-token cookie", func() fiefhttp.WebConfig { return fiefhttp.WebConfig{} }}}, storages...)
	for _, st := range all {
		t.Run(st.name, func(t *testing.T) {
			e := newSessionEnv(t)
			e.revocations = fief.NewRevocations(fief.RevocationsConfig{Clock: e.srv.Now})
			a := e.newApp(t, st.cfg())
			b := a.signIn(t)
			e.srv.Advance(2 * time.Second)
			e.revocations.Revoke(e.user.ID, e.srv.Now())
			e.srv.Advance(2 * time.Second)

			tokens := e.srv.RequestCount(fieftest.EndpointToken)
			resp, _ := browsertest.Get(t, browsertest.NoRedirect(b), a.app.URL+"/me")
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, e.srv.URL+"/authorize?") {
				t.Fatalf("a page of the revoked session: %d to %q, want a new sign-in at Fief", resp.StatusCode, loc)
			}
			if n := e.srv.RequestCount(fieftest.EndpointToken) - tokens; n != 0 {
				t.Fatalf("the revoked session was refreshed (%d token requests)", n)
			}
			authorize := e.srv.RequestCount(fieftest.EndpointAuthorize)
			resp, page := browsertest.Get(t, b, a.app.URL+"/me")
			if strings.HasSuffix(resp.Request.URL.Path, "/login") {
				resp, page = logIn(t, b, resp, page)
			}
			if page != "email: "+testEmail || resp.Request.URL.String() != a.app.URL+"/me" {
				t.Fatalf("after the new sign-in: %d at %s: %q", resp.StatusCode, resp.Request.URL, page)
			}
			if e.srv.RequestCount(fieftest.EndpointAuthorize) == authorize {
				t.Fatal("the page loaded without a new sign-in at Fief")
			}
		})
	}
}

// TestSessionEndsOnABlockOrARevokedPermission: a standing block of the
// user, or a revoked permission that the session's token carries, ends the
// session (cookie dropped, record deleted): a server-side session is not
// refreshed afterwards, and lifting the block does not bring it back.
func TestSessionEndsOnABlockOrARevokedPermission(t *testing.T) {
	for _, st := range storages {
		for _, kind := range []fief.RevocationKind{fief.RevokePermission, fief.BlockUser} {
			t.Run(st.name+"/"+kind.String(), func(t *testing.T) {
				e := newSessionEnv(t)
				e.user.SetPermissions([]string{"castles:read"})
				e.revocations = fief.NewRevocations(fief.RevocationsConfig{Clock: e.srv.Now})
				store := fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{}, e.srv.Now)
				cfg := st.cfg()
				cfg.Store = store
				a := e.newApp(t, cfg)
				c := a.cookie(t, a.signIn(t))
				if w := a.get("/token", c); w.Code != http.StatusOK {
					t.Fatalf("before: %d", w.Code)
				}

				e.srv.Advance(2 * time.Second)
				e.revocations.Apply(fief.Revocation{Kind: kind, UserID: e.user.ID, Permission: "castles:read", NotBefore: e.srv.Now()})
				w := a.get("/token", c)
				if w.Code != http.StatusUnauthorized {
					t.Fatalf("after the %v: %d, want 401", kind, w.Code)
				}
				if gone := renewed(w, a.flow.SessionCookieName()); gone == nil || gone.MaxAge >= 0 {
					t.Errorf("after the %v, the session cookie was not dropped: %v", kind, gone)
				}
				if st.name == "server-side store" && store.Len() != 0 {
					t.Errorf("after the %v, %d records left", kind, store.Len())
				}
				// A copy of the cookie, replayed when a refresh is due: a
				// server-side session is gone; a sealed one cannot be
				// recalled, but a blocked user's is refused before any
				// refresh.
				e.srv.Advance(tokenLifetime)
				replay := func(when string) {
					t.Helper()
					before := e.srv.RequestCount(fieftest.EndpointToken)
					if w := a.get("/token", c); w.Code != http.StatusUnauthorized {
						t.Fatalf("the ended session, %s: %d, want 401", when, w.Code)
					}
					if n := e.srv.RequestCount(fieftest.EndpointToken) - before; n != 0 {
						t.Fatalf("the ended session, %s, was refreshed (%d token requests)", when, n)
					}
				}
				serverSide := st.name == "server-side store"
				if serverSide || kind == fief.BlockUser {
					replay("later")
				}
				if kind == fief.BlockUser && serverSide {
					e.srv.Advance(time.Second)
					e.revocations.Apply(fief.Revocation{Kind: fief.UnblockUser, UserID: e.user.ID, NotBefore: e.srv.Now()})
					replay("once the block is lifted")
				}
			})
		}
	}
}
