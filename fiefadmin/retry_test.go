package fiefadmin_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fieftest"
)

// failure is how the flaky server treats one request.
type failure int

const (
	pass        failure = iota // handled by Fief
	resetBefore                // the connection reset before Fief sees the request
	resetAfter                 // Fief handles the request, then the connection is reset instead of the answer
	answer500
	answer502
	answer503
	answer504
)

// flaky is a real HTTP server in front of an in-process Fief that fails
// the requests it is told to, the way a Fief whose database is busy does:
// an error status, or a connection reset (TCP RST) before or after the
// request was handled.
type flaky struct {
	fief *fieftest.Server
	srv  *httptest.Server

	mu      sync.Mutex
	plan    []failure // for the next requests, in order; then pass (or always, see)
	always  failure   // after the plan
	methods []string  // the method of every request received
}

func newFlaky(t *testing.T) *flaky {
	f := &flaky{fief: fieftest.NewServer()}
	t.Cleanup(f.fief.Close)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client is an admin client of the flaky server, with short retry waits.
func (f *flaky) client(t *testing.T, retry fiefadmin.RetryPolicy) *fiefadmin.Client {
	t.Helper()
	if retry.MinDelay == 0 {
		retry.MinDelay = time.Millisecond
	}
	c, err := fiefadmin.New(fiefadmin.Config{ServerURL: f.srv.URL, APIKey: fiefadmin.APIKey(f.fief.AdminAPIKey()), Retry: retry})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fail makes the next requests fail as listed, and every one after them
// as always.
func (f *flaky) fail(always failure, plan ...failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plan, f.always, f.methods = plan, always, nil
}

func (f *flaky) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.methods...)
}

func (f *flaky) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	what := f.always
	if len(f.plan) > 0 {
		what, f.plan = f.plan[0], f.plan[1:]
	}
	f.methods = append(f.methods, r.Method)
	f.mu.Unlock()
	// A new connection for every request: net/http's transport tries a
	// GET again by itself after a reset of a reused connection, which
	// would hide the client's own retries.
	w.Header().Set("Connection", "close")
	switch what {
	case pass:
		f.fief.ServeHTTP(w, r)
	case resetBefore:
		reset(w)
	case resetAfter:
		f.fief.ServeHTTP(httptest.NewRecorder(), r)
		reset(w)
	default:
		status := map[failure]int{answer500: 500, answer502: 502, answer503: 503, answer504: 504}[what]
		http.Error(w, http.StatusText(status), status)
	}
}

// reset closes the request's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.(*net.TCPConn).SetLinger(0)
	_ = conn.Close()
}

func (f *flaky) user(t *testing.T, email string) fiefadmin.UUID {
	t.Helper()
	u, err := f.fief.AddUser(fieftest.UserConfig{Email: email, Password: "Herm1ne-Tincture-Duchy!"})
	if err != nil {
		t.Fatal(err)
	}
	return fiefadmin.MustParseUUID(u.ID)
}

// TestRetryReads: a GET that meets 500, a reset, 502, 503 and 504 gets its
// answer once the server answers, within the attempts allowed; with one
// failure more than the attempts allow, it fails with the last one.
func TestRetryReads(t *testing.T) {
	f := newFlaky(t)
	id := f.user(t, "anne@bretagne.duchy")
	admin := f.client(t, fiefadmin.RetryPolicy{Attempts: 6})
	f.fail(pass, answer500, resetBefore, answer502, answer503, answer504)
	u, err := admin.Users.Get(context.Background(), id)
	if err != nil || u.Email != "anne@bretagne.duchy" {
		t.Fatalf("Get = %+v, %v", u, err)
	}
	if n := len(f.received()); n != 6 {
		t.Errorf("%d requests, want 6", n)
	}

	f.fail(pass, answer500, resetBefore, answer503, answer500, answer504, answer502)
	_, err = admin.Users.Get(context.Background(), id)
	if !errors.Is(err, fief.ErrUnavailable) || !strings.Contains(err.Error(), "after 6 attempts") || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("error %v, want the last failure after 6 attempts", err)
	}
	if n := len(f.received()); n != 6 {
		t.Errorf("%d requests, want 6", n)
	}

	// A reset list page is fetched again: the list is whole.
	f.fail(pass, resetBefore)
	users := collect(t, admin.Users.List(context.Background(), nil))
	if len(users) != 1 || len(f.received()) != 2 {
		t.Errorf("%d users in %d requests, want 1 in 2", len(users), len(f.received()))
	}
}

// TestRetryNeverPOST: a creation is sent once, whatever the failure: after
// a reset that followed the creation, the user exists once.
func TestRetryNeverPOST(t *testing.T) {
	f := newFlaky(t)
	admin := f.client(t, fiefadmin.RetryPolicy{})
	tenant := defaultTenant(t, admin)
	for _, what := range []failure{answer500, answer503, resetBefore, resetAfter} {
		f.fail(pass, what)
		_, err := admin.Users.Create(context.Background(), fiefadmin.UserCreate{Email: "anne@bretagne.duchy", Password: "Herm1ne-Tincture-Duchy!", TenantID: tenant.ID})
		if !errors.Is(err, fief.ErrUnavailable) {
			t.Errorf("failure %d: error %v, want unavailable", what, err)
		}
		if got := f.received(); len(got) != 1 || got[0] != "POST" {
			t.Errorf("failure %d: requests %v, want one POST", what, got)
		}
	}
	users := collect(t, admin.Users.List(context.Background(), &fiefadmin.UserListOptions{Email: "anne@bretagne.duchy"}))
	if len(users) != 1 {
		t.Errorf("%d users made, want the one of the reset after creation", len(users))
	}
}

// TestRetryDeleteDone: a DELETE whose answer was lost to a reset after
// Fief deleted is tried again, answered 404, and reported as done; without
// retries it is an error. A DELETE answered 404 at its first attempt is
// not found.
func TestRetryDeleteDone(t *testing.T) {
	f := newFlaky(t)
	ctx := context.Background()
	admin := f.client(t, fiefadmin.RetryPolicy{})
	id := f.user(t, "anne@bretagne.duchy")
	f.fail(pass, resetAfter)
	if err := admin.Users.Delete(ctx, id); err != nil {
		t.Errorf("Delete after a reset: %v", err)
	}
	if got := f.received(); strings.Join(got, " ") != "DELETE DELETE" {
		t.Errorf("requests %v, want two DELETEs", got)
	}
	if _, err := admin.Users.Get(ctx, id); !errors.Is(err, fiefadmin.ErrNotFound) {
		t.Errorf("the user is still there: %v", err)
	}
	if err := admin.Users.Delete(ctx, id); !errors.Is(err, fiefadmin.ErrNotFound) {
		t.Errorf("Delete of a user not there: %v, want not found", err)
	}

	id = f.user(t, "claude@france.kingdom")
	f.fail(pass, resetAfter)
	if err := f.client(t, fiefadmin.NoRetry).Users.Delete(ctx, id); !errors.Is(err, fief.ErrUnavailable) || len(f.received()) != 1 {
		t.Errorf("Delete without retries after a reset: %v in %d requests", err, len(f.received()))
	}
}

// TestRetryUpdate: a PATCH answered 504, then reset, is tried again and
// changes the user once.
func TestRetryUpdate(t *testing.T) {
	f := newFlaky(t)
	admin := f.client(t, fiefadmin.RetryPolicy{})
	id := f.user(t, "anne@bretagne.duchy")
	f.fail(pass, answer504, resetAfter)
	u, err := admin.Users.Update(context.Background(), id, fiefadmin.UserUpdate{Email: fiefadmin.Ptr("anne@france.kingdom")})
	if err != nil || u.Email != "anne@france.kingdom" {
		t.Errorf("Update = %+v, %v", u, err)
	}
	if got := f.received(); strings.Join(got, " ") != "PATCH PATCH PATCH" {
		t.Errorf("requests %v, want three PATCHes", got)
	}
}

// TestRetryBounds: retries stop at the attempts allowed, at the time
// allowed, at the end of the caller's context, and not at all when off.
func TestRetryBounds(t *testing.T) {
	f := newFlaky(t)
	ctx := context.Background()
	id := f.user(t, "anne@bretagne.duchy")

	f.fail(answer503)
	_, err := f.client(t, fiefadmin.RetryPolicy{Attempts: 3}).Users.Get(ctx, id)
	if !errors.Is(err, fief.ErrUnavailable) || len(f.received()) != 3 {
		t.Errorf("3 attempts: %v in %d requests", err, len(f.received()))
	}

	f.fail(answer503)
	_, err = f.client(t, fiefadmin.NoRetry).Users.Get(ctx, id)
	if !errors.Is(err, fief.ErrUnavailable) || len(f.received()) != 1 {
		t.Errorf("no retry: %v in %d requests", err, len(f.received()))
	}

	// Waits of 40-80 ms, then 80-160 ms: within 100 ms, at most two
	// attempts.
	f.fail(answer503)
	start := time.Now()
	_, err = f.client(t, fiefadmin.RetryPolicy{Attempts: 100, MinDelay: 80 * time.Millisecond, MaxElapsed: 100 * time.Millisecond}).Users.Get(ctx, id)
	if n := len(f.received()); !errors.Is(err, fief.ErrUnavailable) || n > 2 || time.Since(start) > time.Second {
		t.Errorf("MaxElapsed 100ms: %v in %d requests and %s", err, n, time.Since(start))
	}

	// The caller's context ends a wait at once.
	f.fail(answer503)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = f.client(t, fiefadmin.RetryPolicy{MinDelay: time.Minute, MaxDelay: time.Minute, MaxElapsed: time.Hour}).Users.Get(cctx, id)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("canceled during a wait: %v after %s", err, time.Since(start))
	}

	for _, p := range []fiefadmin.RetryPolicy{{Attempts: -1}, {MinDelay: -1}, {MaxDelay: -1}, {MaxElapsed: -1}} {
		var ce *fief.ConfigError
		if _, err := fiefadmin.New(fiefadmin.Config{ServerURL: f.srv.URL, APIKey: "k", Retry: p}); !errors.As(err, &ce) {
			t.Errorf("Retry %+v: %v, want a config error", p, err)
		}
	}
}

// TestRetryDelays: the waits double from MinDelay, capped at MaxDelay,
// each between half and all of its length.
func TestRetryDelays(t *testing.T) {
	f := newFlaky(t)
	f.fail(answer500)
	var at []time.Time
	var mu sync.Mutex
	base := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		base.ServeHTTP(w, r)
	})
	id := f.user(t, "anne@bretagne.duchy")
	_, err := f.client(t, fiefadmin.RetryPolicy{Attempts: 5, MinDelay: 20 * time.Millisecond, MaxDelay: 60 * time.Millisecond}).Users.Get(context.Background(), id)
	if err == nil || len(at) != 5 {
		t.Fatalf("%v in %d requests", err, len(at))
	}
	// Upper bounds 20, 40, 60, 60 ms; the lower bounds are half.
	for i, full := range []time.Duration{20, 40, 60, 60} {
		full *= time.Millisecond
		if gap := at[i+1].Sub(at[i]); gap < full/2 || gap > full+200*time.Millisecond {
			t.Errorf("wait %d: %s, want between %s and %s", i+1, gap, full/2, full)
		}
	}
}
