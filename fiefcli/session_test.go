package fiefcli_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
)

func TestAccessTokenInfoRefreshesExpiredToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.signIn(t)
	before := e.stored(t)
	tokens := e.srv.RequestCount(fieftest.EndpointToken)

	// Still valid: no refresh.
	info, err := a.AccessTokenInfo(t.Context())
	if err != nil || info.AccessToken != before.accessToken() {
		t.Fatalf("AccessTokenInfo = %v, %v; want the stored token", info, err)
	}

	e.srv.Advance(tokenLife + time.Second) // past exp, within the client's 60 s leeway
	info, err = a.AccessTokenInfo(t.Context())
	if err != nil {
		t.Fatalf("AccessTokenInfo after expiry: %v", err)
	}
	if n := e.srv.RequestCount(fieftest.EndpointToken) - tokens; n != 1 {
		t.Errorf("%d token requests, want 1 refresh", n)
	}
	after := e.stored(t)
	if info.AccessToken == before.accessToken() || after.accessToken() != info.AccessToken {
		t.Errorf("returned token is not a new one saved in the file")
	}
	if after.refreshToken() == "" || after.refreshToken() == before.refreshToken() {
		t.Errorf("the rotated refresh token was not saved")
	}
	if info.ACR != fief.ACRLevel0 || !info.HasPermission("castles:read") || !info.ExpiresAt.After(e.srv.Now()) {
		t.Errorf("refreshed info = %v (exp %v)", info, info.ExpiresAt)
	}

	// The new token serves later calls without another refresh.
	if _, err := a.AccessTokenInfo(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.RequestCount(fieftest.EndpointToken) - tokens; n != 1 {
		t.Errorf("%d token requests after a second call, want still 1", n)
	}
	checkFileModes(t, e.path)
}

func TestAccessTokenInfoConcurrentCallsRefreshOnce(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.signIn(t)
	tokens := e.srv.RequestCount(fieftest.EndpointToken)
	e.srv.Advance(2 * tokenLife)

	const n = 8
	var wg sync.WaitGroup
	got := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info, err := a.AccessTokenInfo(context.Background())
			got[i], errs[i] = info.AccessToken, err
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Errorf("call %d got another token than call 0", i)
		}
	}
	if c := e.srv.RequestCount(fieftest.EndpointToken) - tokens; c != 1 {
		t.Errorf("%d token requests for %d concurrent calls, want 1", c, n)
	}
	if e.stored(t).accessToken() != got[0] {
		t.Error("the file does not hold the token the calls returned")
	}
}

func TestAccessTokenInfoRefreshRejected(t *testing.T) {
	tests := []struct {
		name  string
		opts  envOptions
		spoil func(t *testing.T, e *env)
	}{
		{"refresh token spent elsewhere", envOptions{}, func(t *testing.T, e *env) {
			if _, _, err := e.client.Refresh(t.Context(), e.stored(t).refreshToken(), nil); err != nil {
				t.Fatal(err)
			}
		}},
		{"refresh token expired", envOptions{refreshLife: 2 * tokenLife}, func(t *testing.T, e *env) {
			e.srv.Advance(2 * tokenLife)
		}},
		{"user deleted", envOptions{}, func(t *testing.T, e *env) {
			e.srv.DefaultTenant().RemoveUser(e.user.ID)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts)
			a := e.signIn(t)
			tt.spoil(t, e)
			e.srv.Advance(tokenLife + time.Second)

			_, err := a.AccessTokenInfo(t.Context())
			var re *fief.ResponseError
			if !errors.Is(err, fiefcli.ErrNotSignedIn) || !errors.As(err, &re) || re.Code != "invalid_grant" || !errors.Is(err, fief.ErrRefreshTokenRejected) {
				t.Fatalf("err = %v, want ErrNotSignedIn wrapping Fief's invalid_grant, an ErrRefreshTokenRejected", err)
			}
			if _, err := os.Stat(e.path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("stale credentials file still there: %v", err)
			}
			if _, err := a.CurrentUser(t.Context(), false); !errors.Is(err, fiefcli.ErrNotSignedIn) {
				t.Errorf("CurrentUser after rejection: %v, want ErrNotSignedIn", err)
			}
		})
	}
}

// TestAccessTokenInfoAnotherProcessRefreshed has two Auths on one file, as
// two processes of the same program. The second one starts a refresh with
// the refresh token the first one spends in the meantime: Fief refuses it,
// and the second one takes the tokens the first one saved.
func TestAccessTokenInfoAnotherProcessRefreshed(t *testing.T) {
	e := newEnv(t, envOptions{})
	first := e.signIn(t)
	e.srv.Advance(2 * tokenLife)

	var firstInfo fief.AccessTokenInfo
	var once sync.Once
	hook := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/api/token") {
			once.Do(func() {
				var err error
				if firstInfo, err = first.AccessTokenInfo(r.Context()); err != nil {
					t.Errorf("first process: %v", err)
				}
			})
		}
		return e.srv.Client().Transport.RoundTrip(r)
	})
	second := e.authVia(t, hook)
	info, err := second.AccessTokenInfo(t.Context())
	if err != nil {
		t.Fatalf("second process: %v", err)
	}
	if info.AccessToken != firstInfo.AccessToken || e.stored(t).accessToken() != info.AccessToken {
		t.Error("the second process does not use the tokens the first one saved")
	}
	if n := e.srv.RequestCount(fieftest.EndpointToken); n != 3 {
		t.Errorf("%d token requests, want 3 (sign-in, refresh, refused refresh)", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAccessTokenInfoWithoutRefreshToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.signIn(t)
	e.replaceStored(t, e.stored(t).refreshToken(), "") // the file without its refresh token
	a := e.auth(t, nil, nil)

	if _, err := a.AccessTokenInfo(t.Context()); err != nil {
		t.Fatalf("a valid token needs no refresh token: %v", err)
	}
	e.srv.Advance(2 * tokenLife)
	tokens := e.srv.RequestCount(fieftest.EndpointToken)
	_, err := a.AccessTokenInfo(t.Context())
	if !errors.Is(err, fiefcli.ErrMissingRefreshToken) || !errors.Is(err, fiefcli.ErrNotSignedIn) || !errors.Is(err, fief.ErrTokenExpired) {
		t.Errorf("err = %v, want ErrMissingRefreshToken, ErrNotSignedIn and ErrTokenExpired", err)
	}
	if n := e.srv.RequestCount(fieftest.EndpointToken) - tokens; n != 0 {
		t.Errorf("%d token requests, want none", n)
	}
}

func TestAccessTokenInfoFiefUnavailable(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.signIn(t)
	before := e.stored(t)
	e.srv.Advance(2 * tokenLife)
	e.srv.FailNext(fieftest.EndpointToken, 1, fieftest.Fault{Status: http.StatusServiceUnavailable, Body: `{"detail":"down"}`})

	if _, err := a.AccessTokenInfo(t.Context()); !errors.Is(err, fief.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if e.stored(t).refreshToken() != before.refreshToken() {
		t.Fatal("credentials changed after a failed refresh")
	}
	// Once Fief is back, the kept refresh token works.
	if _, err := a.AccessTokenInfo(t.Context()); err != nil {
		t.Fatalf("after Fief came back: %v", err)
	}
}

func TestCurrentUser(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.signIn(t)
	userinfo := e.srv.RequestCount(fieftest.EndpointUserInfo)

	u, err := a.CurrentUser(t.Context(), false)
	if err != nil || u.Email() != testEmail {
		t.Fatalf("CurrentUser(false) = %v, %v", u, err)
	}
	if n := e.srv.RequestCount(fieftest.EndpointUserInfo) - userinfo; n != 0 {
		t.Errorf("CurrentUser(false) made %d userinfo requests, want none", n)
	}

	e.user.SetFields(map[string]any{"nickname": "Anne"})
	u, err = a.CurrentUser(t.Context(), true)
	if err != nil || u.Fields()["nickname"] != "Anne" {
		t.Fatalf("CurrentUser(true) = %v, %v; want the new field", u, err)
	}
	if n := e.srv.RequestCount(fieftest.EndpointUserInfo) - userinfo; n != 1 {
		t.Errorf("CurrentUser(true) made %d userinfo requests, want 1", n)
	}
	u, err = a.CurrentUser(t.Context(), false)
	if err != nil || u.Fields()["nickname"] != "Anne" {
		t.Errorf("the fresh user info was not stored: %v, %v", u, err)
	}

	// With an expired token, CurrentUser(true) refreshes first.
	e.srv.Advance(2 * tokenLife)
	tokens := e.srv.RequestCount(fieftest.EndpointToken)
	if _, err := a.CurrentUser(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.RequestCount(fieftest.EndpointToken) - tokens; n != 1 {
		t.Errorf("%d token requests, want 1 refresh", n)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.signIn(t)
	if err := a.Logout(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("credentials file after Logout: %v", err)
	}
	if _, err := a.AccessTokenInfo(t.Context()); !errors.Is(err, fiefcli.ErrNotSignedIn) {
		t.Errorf("AccessTokenInfo after Logout: %v, want ErrNotSignedIn", err)
	}
	if err := a.Logout(t.Context()); err != nil {
		t.Errorf("second Logout: %v", err)
	}
}

func TestCredentialsFileModes(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.signIn(t)
	checkFileModes(t, e.path)
}

// checkFileModes checks that the credentials file has mode 0600, its
// directory (created by the package) 0700, and that no temporary file is
// left.
func checkFileModes(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("file mode %o, want 600", m)
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if m := di.Mode().Perm(); m != 0o700 {
		t.Errorf("directory mode %o, want 700", m)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, en := range entries {
			names = append(names, en.Name())
		}
		t.Errorf("directory holds %q, want only the credentials file", names)
	}
}

func TestStoredCredentialsProblems(t *testing.T) {
	tests := []struct {
		name    string
		content func(e *env, valid string) string // "" removes the file
		want    error
	}{
		{"no file", func(e *env, valid string) string { return "" }, fiefcli.ErrNotSignedIn},
		{"not JSON", func(e *env, valid string) string { return "{tokens: oops" }, fiefcli.ErrCorruptCredentials},
		{"truncated", func(e *env, valid string) string { return valid[:len(valid)/2] }, fiefcli.ErrCorruptCredentials},
		{"a JSON list", func(e *env, valid string) string { return `[1, 2]` }, fiefcli.ErrCorruptCredentials},
		{"empty object", func(e *env, valid string) string { return `{}` }, fiefcli.ErrCorruptCredentials},
		{"newer format", func(e *env, valid string) string {
			return strings.Replace(valid, `"version": 1`, `"version": 2`, 1)
		}, fiefcli.ErrCorruptCredentials},
		{"no access token", func(e *env, valid string) string {
			return strings.Replace(valid, `"access_token"`, `"old_access_token"`, 1)
		}, fiefcli.ErrCorruptCredentials},
		{"another Fief client", func(e *env, valid string) string {
			return strings.Replace(valid, e.fc.ClientID, "another-client", 1)
		}, fiefcli.ErrNotSignedIn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			a := e.signIn(t)
			valid, err := os.ReadFile(e.path)
			if err != nil {
				t.Fatal(err)
			}
			if c := tt.content(e, string(valid)); c == "" {
				err = os.Remove(e.path)
			} else {
				err = os.WriteFile(e.path, []byte(c), 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.AccessTokenInfo(t.Context()); !errors.Is(err, tt.want) {
				t.Errorf("AccessTokenInfo: %v, want %v", err, tt.want)
			}
			if _, err := a.CurrentUser(t.Context(), false); !errors.Is(err, tt.want) {
				t.Errorf("CurrentUser: %v, want %v", err, tt.want)
			}
			// Logout clears whatever is there, and a new sign-in replaces it.
			if err := a.Logout(t.Context()); err != nil {
				t.Errorf("Logout: %v", err)
			}
			a = e.signIn(t)
			if _, err := a.AccessTokenInfo(t.Context()); err != nil {
				t.Errorf("after a new sign-in: %v", err)
			}
		})
	}
}

func TestAccessTokenInfoContextEndsWhileWaiting(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.signIn(t)
	e.srv.Advance(2 * tokenLife)
	// A refresh that hangs until released holds the credentials.
	inRefresh, release := make(chan struct{}), make(chan struct{})
	hook := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/api/token") {
			close(inRefresh)
			<-release
		}
		return e.srv.Client().Transport.RoundTrip(r)
	})
	a := e.authVia(t, hook)
	done := make(chan error, 1)
	go func() {
		_, err := a.AccessTokenInfo(context.Background())
		done <- err
	}()
	<-inRefresh
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := a.AccessTokenInfo(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting caller: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("refresh: %v", err)
	}
}

// TestRefreshOutlivesCaller checks that a refresh whose caller goes away
// still saves the rotated tokens: Fief has spent the old refresh token.
func TestRefreshOutlivesCaller(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.signIn(t)
	before := e.stored(t)
	e.srv.Advance(2 * tokenLife)
	ctx, cancel := context.WithCancel(t.Context())
	hook := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/api/token") {
			cancel() // the user presses Ctrl+C during the refresh
		}
		return e.srv.Client().Transport.RoundTrip(r)
	})
	a := e.authVia(t, hook)
	a.AccessTokenInfo(ctx) // its result does not matter: ctx ended during the call
	if after := e.stored(t); after.refreshToken() == before.refreshToken() {
		t.Fatal("the rotated refresh token was not saved")
	}
	if _, err := e.auth(t, nil, nil).AccessTokenInfo(t.Context()); err != nil {
		t.Errorf("after the interrupted call: %v", err)
	}
}

// TestAccessTokenInfoRenewsInvalidToken checks that a stored access token
// refused for a reason other than expiry is renewed too.
func TestAccessTokenInfoRenewsInvalidToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.signIn(t)
	e.replaceStored(t, e.stored(t).accessToken(), "not-a-jwt")
	tokens := e.srv.RequestCount(fieftest.EndpointToken)
	info, err := e.auth(t, nil, nil).AccessTokenInfo(t.Context())
	if err != nil {
		t.Fatalf("AccessTokenInfo: %v", err)
	}
	if n := e.srv.RequestCount(fieftest.EndpointToken) - tokens; n != 1 || info.AccessToken == "not-a-jwt" || e.stored(t).accessToken() != info.AccessToken {
		t.Errorf("%d token requests, token renewed and saved: %t; want 1 and true", n, info.AccessToken == e.stored(t).accessToken())
	}
}
