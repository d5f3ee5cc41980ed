package fiefredis_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// TestBusSharesTheLongestRoleRemovalGrace: a user_role.deleted received by
// a handler with fiefwebhook's longest grace revokes the user's tokens until
// the grace's end, a time ahead of the clocks; the bus shares it with an
// instance whose clock is behind by almost MaxClockSkew, instead of refusing
// it there as a time too far in the future.
func TestBusSharesTheLongestRoleRemovalGrace(t *testing.T) {
	srv, rdb := startRedis(t)
	receiver := newInstanceOn(t, rdb, nil)
	behind := &instance{rev: fief.NewRevocations(fief.RevocationsConfig{})}
	c := config(newClient(t, srv))
	c.Clock = func() time.Time { return time.Now().Add(-fiefredis.MaxClockSkew + 5*time.Second) }
	var err error
	if behind.bus, err = fiefredis.NewBus(fiefredis.BusConfig{Config: c, Revocations: behind.rev}); err != nil {
		t.Fatal(err)
	}
	behind.bus.Start()
	t.Cleanup(func() { behind.bus.Close() })
	waitSynced(t, receiver.bus)
	waitSynced(t, behind.bus)

	const secret = "webhook-secret"
	h, err := fiefwebhook.NewHandler(fiefwebhook.Config{Secrets: []string{secret}, Apply: receiver.bus, RoleRemovalGrace: fiefwebhook.MaxRoleRemovalGrace})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"user_role.deleted","data":{"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z",` +
		`"user_id":"` + userB + `","role_id":"` + userC + `","role":{"id":"` + userC + `","name":"editor","granted_by_default":false}}}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(body)))
	req.Header.Set(fiefwebhook.HeaderTimestamp, ts)
	req.Header.Set(fiefwebhook.HeaderSignature, fiefwebhook.Sign(secret, ts, body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("delivery answered %d: %s", rec.Code, rec.Body)
	}
	nb, ok := notBefore(receiver.rev, userB)
	if !ok || nb.Before(time.Now().Add(fiefwebhook.MaxRoleRemovalGrace-5*time.Second)) {
		t.Fatalf("the receiver's revocation ends at %v (%v), want the grace's end", nb, ok)
	}
	eventually(t, 3*time.Second, "the instance whose clock is behind refused the revocation of the grace", func() bool { return behind.revoked(userB) })
}
