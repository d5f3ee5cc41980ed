package fiefwebhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// recorder is an Applier that counts and remembers the effects applied.
type recorder struct {
	mu      sync.Mutex
	effects []fiefwebhook.Effect
	fail    error
}

func (r *recorder) Apply(_ context.Context, f fiefwebhook.Effect) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.effects = append(r.effects, f)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.effects)
}

// settableClock is a clock the test moves.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *settableClock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func (c *settableClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// post sends a delivery to h, signed with secret at ts, and returns the
// status.
func post(t *testing.T, h http.Handler, secret, ts, body string) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/fief", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(fiefwebhook.HeaderTimestamp, ts)
	r.Header.Set(fiefwebhook.HeaderSignature, fiefwebhook.Sign(secret, ts, []byte(body)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// replay sends a real delivery as Fief sent it.
func replay(t *testing.T, h http.Handler, d delivery) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/fief", strings.NewReader(d.Body))
	for k, v := range d.Headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestHandlerAppliesRealDeliveries(t *testing.T) {
	ds := loadDeliveries(t)
	clock := &settableClock{}
	rev := fief.NewRevocations(fief.RevocationsConfig{Clock: clock.Now})
	cache := fiefhttp.NewMemoryUserInfoCache(0, time.Hour)
	var hooked []fiefadmin.WebhookEvent
	h, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets: []string{ds[0].Secret},
		Clock:   clock.Now,
		Apply:   fiefwebhook.Local{Revocations: rev, UserInfo: cache},
		Default: func(_ context.Context, e *fiefwebhook.Event) error { hooked = append(hooked, e.Type); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wantRevoked := map[fiefadmin.WebhookEvent]bool{"user_permission.deleted": true, "user_role.deleted": true, "user.password_reset": true, "user.deleted": true}
	for _, d := range ds {
		clock.Set(d.sentAt(t).Add(300 * time.Millisecond))
		e, _ := fiefwebhook.Decode([]byte(d.Body))
		userID := fiefwebhook.EffectOf(e).UserID
		_ = cache.Set(ctx, userID, fief.UserInfo{"sub": userID})
		if code := replay(t, h, d); code != http.StatusNoContent {
			t.Fatalf("%s: status %d", e.Type, code)
		}
		if _, _, ok, _ := cache.Get(ctx, userID); ok {
			t.Errorf("%s: the user's cached user info was not dropped", e.Type)
		}
		_, refused := rev.Refuses(userID, clock.Now(), nil)
		if revoked := refused && entryAt(rev, userID, clock.Now()); revoked != wantRevoked[e.Type] {
			t.Errorf("%s: revoked at the time received = %v, want %v", e.Type, revoked, wantRevoked[e.Type])
		}
	}
	if len(hooked) != len(ds) {
		t.Fatalf("hooks ran for %d events, want %d", len(hooked), len(ds))
	}
}

func TestHandlerRefusesWithoutProcessing(t *testing.T) {
	d := loadDeliveries(t)[3] // user_permission.deleted
	clock := &settableClock{now: d.sentAt(t)}
	rec := &recorder{}
	hooks := 0
	h, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets:     []string{d.Secret},
		Clock:       clock.Now,
		Apply:       rec,
		MaxBodySize: 4096,
		Default:     func(context.Context, *fiefwebhook.Event) error { hooks++; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(d.Body, "castles:read", "castles:reaD", 1)
	tests := []struct {
		name string
		send func() int
		want int
	}{
		{"one byte changed", func() int { d2 := d; d2.Body = tampered; return replay(t, h, d2) }, http.StatusUnauthorized},
		{"wrong secret", func() int { return post(t, h, "not-the-secret", d.timestamp(), d.Body) }, http.StatusUnauthorized},
		{"stale timestamp", func() int {
			old := strconv.FormatInt(d.sentAt(t).Add(-6*time.Minute).Unix(), 10)
			return post(t, h, d.Secret, old, d.Body)
		}, http.StatusUnauthorized},
		{"no headers", func() int {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(d.Body)))
			return w.Code
		}, http.StatusUnauthorized},
		{"too large", func() int { return post(t, h, d.Secret, d.timestamp(), strings.Repeat(" ", 5000)+d.Body) }, http.StatusRequestEntityTooLarge},
		{"signed but not an event", func() int { return post(t, h, d.Secret, d.timestamp(), `{"type": "user.deleted", "data": "x"}`) }, http.StatusBadRequest},
		{"GET", func() int {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			return w.Code
		}, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.send(); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
			if rec.count() != 0 || hooks != 0 {
				t.Fatalf("a refused delivery was processed: %d effects, %d hooks", rec.count(), hooks)
			}
		})
	}
	// The genuine delivery, after all that, is processed.
	if code := replay(t, h, d); code != http.StatusNoContent || rec.count() != 1 || hooks != 1 {
		t.Fatalf("genuine delivery: status %d, %d effects, %d hooks", code, rec.count(), hooks)
	}
}

func TestHandlerProcessesEachDeliveryOnce(t *testing.T) {
	d := loadDeliveries(t)[3]
	clock := &settableClock{now: d.sentAt(t)}
	rec := &recorder{}
	hooks := 0
	h, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets: []string{d.Secret},
		Clock:   clock.Now,
		Apply:   rec,
		Hooks:   map[fiefadmin.WebhookEvent]fiefwebhook.HookFunc{fiefadmin.EventUserPermissionDeleted: func(context.Context, *fiefwebhook.Event) error { hooks++; return nil }},
	})
	if err != nil {
		t.Fatal(err)
	}
	first := clock.Now()
	for i := range 10 { // Fief's retries: same body, signed anew
		clock.Add(10 * time.Second)
		ts := strconv.FormatInt(clock.Now().Unix(), 10)
		if code := post(t, h, d.Secret, ts, d.Body); code != http.StatusNoContent {
			t.Fatalf("attempt %d: status %d", i, code)
		}
	}
	if rec.count() != 1 || hooks != 1 {
		t.Fatalf("10 deliveries of one event: %d effects, %d hooks, want 1 and 1", rec.count(), hooks)
	}
	want := fief.Revocation{Kind: fief.RevokeTokens, UserID: "c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0", NotBefore: first.Add(10 * time.Second)}
	if f := rec.effects[0]; len(f.Revocations) != 1 || f.Revocations[0] != want {
		t.Fatalf("effect %+v, want the revocation %+v", f, want)
	}
}

func TestHandlerFailureMakesFiefRetry(t *testing.T) {
	d := loadDeliveries(t)[5] // user_role.deleted
	clock := &settableClock{now: d.sentAt(t)}
	rec := &recorder{fail: errors.New("store down")}
	hookErr := errors.New("database down")
	var hookTimes []time.Time
	h, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets: []string{"new-secret", d.Secret},
		Clock:   clock.Now,
		Apply:   rec,
		Default: func(_ context.Context, e *fiefwebhook.Event) error {
			hookTimes = append(hookTimes, e.ReceivedAt)
			return hookErr
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	received := clock.Now()
	if code := replay(t, h, d); code != http.StatusServiceUnavailable {
		t.Fatalf("apply failing: status %d, want 503", code)
	}
	rec.fail = nil
	clock.Add(12 * time.Second)
	if code := post(t, h, d.Secret, strconv.FormatInt(clock.Now().Unix(), 10), d.Body); code != http.StatusInternalServerError {
		t.Fatalf("hook failing: status %d, want 500", code)
	}
	hookErr = nil
	clock.Add(25 * time.Second)
	if code := post(t, h, d.Secret, strconv.FormatInt(clock.Now().Unix(), 10), d.Body); code != http.StatusNoContent {
		t.Fatalf("third attempt: status %d, want 204", code)
	}
	if len(hookTimes) != 2 || !hookTimes[1].Equal(received) {
		t.Fatalf("hook ran with ReceivedAt %v, want twice with the first arrival %v", hookTimes, received)
	}
	if rec.count() != 2 || !rec.effects[1].Revocations[0].NotBefore.Equal(received.Add(fiefwebhook.DefaultRoleRemovalGrace)) {
		t.Fatalf("effects %+v: the retry's not-before must be the first arrival", rec.effects)
	}
	if code := post(t, h, d.Secret, strconv.FormatInt(clock.Now().Unix(), 10), d.Body); code != http.StatusNoContent || len(hookTimes) != 2 {
		t.Fatalf("after success: status %d, hooks %d", code, len(hookTimes))
	}
}

func TestHandlerPassesUnknownTypesOn(t *testing.T) {
	var got *fiefwebhook.Event
	rec := &recorder{}
	h, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets: []string{"s"},
		Apply:   rec,
		Default: func(_ context.Context, e *fiefwebhook.Event) error { got = e; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"type": "webhook_log.created", "data": {"id": "x", "nested": {"a": [1, 2]}}}`
	if code := post(t, h, "s", strconv.FormatInt(time.Now().Unix(), 10), body); code != http.StatusNoContent {
		t.Fatalf("status %d", code)
	}
	if got == nil || got.Type != "webhook_log.created" || got.Object != nil || string(got.Data) != `{"id": "x", "nested": {"a": [1, 2]}}` {
		t.Fatalf("unknown event passed on as %+v", got)
	}
	if len(rec.effects) != 1 || !rec.effects[0].None() {
		t.Fatalf("an unknown event had an effect: %+v", rec.effects)
	}
}

func TestNewHandlerRefusesNoSecret(t *testing.T) {
	for _, secrets := range [][]string{nil, {""}, {"a", ""}} {
		if _, err := fiefwebhook.NewHandler(fiefwebhook.Config{Secrets: secrets, Apply: &recorder{}}); err == nil {
			t.Errorf("NewHandler accepted secrets %q", secrets)
		}
	}
}

// entryAt reports whether rev holds an entry of the user whose "not
// before" is at, or at plus the grace of a removed role.
func entryAt(rev *fief.Revocations, userID string, at time.Time) bool {
	for rv := range rev.All() {
		if rv.UserID == userID && (rv.NotBefore.Equal(at) || rv.NotBefore.Equal(at.Add(fiefwebhook.DefaultRoleRemovalGrace))) {
			return true
		}
	}
	return false
}
