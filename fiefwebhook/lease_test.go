package fiefwebhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// TestDeliveryOfAnInstanceThatDiedIsProcessedAgain: instance A claims a
// delivery and dies before finishing it; Fief's retry, after the lease,
// reaches instance B, which processes it (B's token check refuses the
// revoked token), instead of answering "processed already".
func TestDeliveryOfAnInstanceThatDiedIsProcessedAgain(t *testing.T) {
	e := newRevServer(t)
	shared := fiefwebhook.NewMemoryDeliveries(0, 0) // what fiefredis.Deliveries shares
	var died atomic.Bool
	a, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets: []string{revSecret}, Clock: e.srv.Now, Deliveries: shared,
		Apply: fiefwebhook.Local{Revocations: fief.NewRevocations(fief.RevocationsConfig{Clock: e.srv.Now})},
		Default: func(context.Context, *fiefwebhook.Event) error {
			died.Store(true)
			panic(http.ErrAbortHandler) // the process dies: no answer, nothing released
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.start(fiefwebhook.Config{Deliveries: shared}) // instance B, whose client is e.client
	var n atomic.Int32
	balancer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			a.ServeHTTP(w, r)
			return
		}
		e.handler.ServeHTTP(w, r)
	})
	front := newServer(t, balancer)
	e.listen(front)
	anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	before := e.mint(anne)

	anne.ResetPassword("a brand new password")
	e.deliver()
	if !died.Load() {
		t.Fatal("instance A never received the delivery")
	}
	if !e.accepted(before) {
		t.Fatal("instance B knew of the revocation before Fief's retry")
	}
	e.srv.Advance(16 * time.Second) // Fief's first retry: 7.5 to 15 s later
	e.deliver()
	if e.accepted(before) {
		t.Fatalf("after Fief's retry reached instance B, the revoked token is accepted (attempts: %v)", statuses(e.srv))
	}
	if got := statuses(e.srv); len(got) != 2 || got[1] != http.StatusNoContent {
		t.Fatalf("attempts answered %v, want a failure then 204", got)
	}
}

// sharedBus is an Applier that applies an effect here, then shares it
// through a store that may be down, like fiefredis.Bus.
type sharedBus struct {
	local  fiefwebhook.Local
	mu     sync.Mutex
	down   bool
	shared []fiefwebhook.Effect
}

func (b *sharedBus) Apply(ctx context.Context, f fiefwebhook.Effect) error {
	_ = b.local.Apply(ctx, f)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.down {
		return fmt.Errorf("%w: the shared store is down", fief.ErrUnavailable)
	}
	b.shared = append(b.shared, f)
	return nil
}

func (b *sharedBus) set(down bool) { b.mu.Lock(); b.down = down; b.mu.Unlock() }
func (b *sharedBus) count() int    { b.mu.Lock(); defer b.mu.Unlock(); return len(b.shared) }

// TestUnsharedEffectMakesFiefRetry: by default a delivery whose effect
// cannot be shared is answered 503, and Fief's retry shares it once the
// store is back; with AcceptUnshared it is answered 204 and never retried.
func TestUnsharedEffectMakesFiefRetry(t *testing.T) {
	for _, accept := range []bool{false, true} {
		t.Run("AcceptUnshared="+strconv.FormatBool(accept), func(t *testing.T) {
			e := newRevServer(t)
			bus := &sharedBus{local: fiefwebhook.Local{Revocations: e.rev}, down: true}
			e.start(fiefwebhook.Config{Apply: bus, AcceptUnshared: accept})
			e.listen(e.app.URL)
			anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
			if err != nil {
				t.Fatal(err)
			}
			before := e.mint(anne)
			anne.ResetPassword("a brand new password")
			e.deliver()
			if e.accepted(before) {
				t.Fatal("the receiving instance did not apply the revocation itself")
			}
			bus.set(false)
			e.srv.Advance(16 * time.Second)
			e.deliver()
			got := statuses(e.srv)
			if accept {
				if len(got) != 1 || got[0] != http.StatusNoContent || bus.count() != 0 {
					t.Fatalf("attempts %v, effects shared %d: want one 204, nothing shared", got, bus.count())
				}
				return
			}
			if len(got) != 2 || got[0] != http.StatusServiceUnavailable || got[1] != http.StatusNoContent || bus.count() != 1 {
				t.Fatalf("attempts %v, effects shared %d: want 503 then 204, shared once", got, bus.count())
			}
		})
	}
}

func TestNewHandlerConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		cfg   fiefwebhook.Config
		field string
	}{
		{"no secret", fiefwebhook.Config{Apply: &recorder{}}, "fiefwebhook.Config.Secrets"},
		{"an empty secret", fiefwebhook.Config{Secrets: []string{"a", ""}, Apply: &recorder{}}, "fiefwebhook.Config.Secrets[1]"},
		{"nothing to do", fiefwebhook.Config{Secrets: []string{"s"}}, "fiefwebhook.Config.Apply"},
		{"negative lease", fiefwebhook.Config{Secrets: []string{"s"}, Apply: &recorder{}, Lease: -time.Second}, "fiefwebhook.Config.Lease"},
		// A longer grace puts the revocation further ahead than a bus shares.
		{"grace above the bound", fiefwebhook.Config{Secrets: []string{"s"}, Apply: &recorder{}, RoleRemovalGrace: fiefwebhook.MaxRoleRemovalGrace + time.Second}, "fiefwebhook.Config.RoleRemovalGrace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fiefwebhook.NewHandler(tt.cfg)
			var ce *fief.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("NewHandler: %v, want a *fief.ConfigError on %s", err, tt.field)
			}
		})
	}
	hookOnly := fiefwebhook.Config{Secrets: []string{"s"}, Default: func(context.Context, *fiefwebhook.Event) error { return nil }}
	if _, err := fiefwebhook.NewHandler(hookOnly); err != nil {
		t.Fatalf("a handler with a hook and no Apply: %v", err)
	}
	longest := fiefwebhook.Config{Secrets: []string{"s"}, Apply: &recorder{}, RoleRemovalGrace: fiefwebhook.MaxRoleRemovalGrace}
	if _, err := fiefwebhook.NewHandler(longest); err != nil {
		t.Fatalf("a handler with the longest grace: %v", err)
	}
}

// TestForgedDeliveryLeavesATrace: without a Logger, a refused delivery is
// logged to slog.Default.
func TestForgedDeliveryLeavesATrace(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	h, err := fiefwebhook.NewHandler(fiefwebhook.Config{Secrets: []string{"s"}, Apply: &recorder{}})
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	if code := post(t, h, "forged", ts, `{"type": "user.deleted", "data": {}}`); code != http.StatusUnauthorized {
		t.Fatalf("forged delivery: %d", code)
	}
	if !bytes.Contains(buf.Bytes(), []byte("delivery refused")) {
		t.Fatalf("nothing logged for a forged delivery: %q", buf.String())
	}
}

// statuses returns the status of each webhook attempt, oldest first.
func statuses(srv *fieftest.Server) []int {
	var out []int
	for _, a := range srv.WebhookAttempts() {
		out = append(out, a.StatusCode)
	}
	return out
}

// downDeliveries is a shared memory of deliveries whose store is down: it
// claims from the instance's memory, as fiefredis's does, but cannot
// record a delivery done.
type downDeliveries struct{ *fiefwebhook.MemoryDeliveries }

func (downDeliveries) Done(context.Context, string) error {
	return fmt.Errorf("%w: the shared store is down", fief.ErrUnavailable)
}

// TestAcceptUnsharedWithSharedDeliveries: when the outage that keeps the
// effect from being shared also keeps the delivery from being recorded
// done (deliveries in the same store), AcceptUnshared still answers 2xx;
// without it, 503.
func TestAcceptUnsharedWithSharedDeliveries(t *testing.T) {
	for _, accept := range []bool{false, true} {
		t.Run("AcceptUnshared="+strconv.FormatBool(accept), func(t *testing.T) {
			e := newRevServer(t)
			bus := &sharedBus{local: fiefwebhook.Local{Revocations: e.rev}, down: true}
			e.start(fiefwebhook.Config{Apply: bus, AcceptUnshared: accept, Deliveries: downDeliveries{fiefwebhook.NewMemoryDeliveries(0, 0)}})
			e.listen(e.app.URL)
			anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
			if err != nil {
				t.Fatal(err)
			}
			anne.ResetPassword("a brand new password")
			e.deliver()
			want := http.StatusServiceUnavailable
			if accept {
				want = http.StatusNoContent
			}
			if got := statuses(e.srv); len(got) != 1 || got[0] != want {
				t.Fatalf("attempts %v, want one %d", got, want)
			}
		})
	}
}
