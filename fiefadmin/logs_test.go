package fiefadmin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fief-dev/fief-go/fiefadmin"
)

// TestLogsWhileDeliveriesArrive: Webhooks.Logs walks the delivery logs
// oldest first, so that deliveries logged while it reads come after what
// it has read: no entry is read twice, and none logged before the walk is
// missed.
func TestLogsWhileDeliveriesArrive(t *testing.T) {
	ctx := context.Background()
	srv, admin := onFieftest(t)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer receiver.Close()
	hook := must(admin.Webhooks.Create(ctx, fiefadmin.WebhookCreate{URL: receiver.URL, Events: []fiefadmin.WebhookEvent{fiefadmin.EventPermissionCreated}}))(t)
	created := 0
	deliver := func(n int) {
		t.Helper()
		for range n {
			created++
			_ = must(admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: fmt.Sprintf("P%d", created), Codename: fmt.Sprintf("p:%03d", created)}))(t)
		}
		if err := srv.WaitWebhooks(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deliver(35)

	seen := map[fiefadmin.UUID]bool{}
	var codenames []string
	for l, err := range admin.Webhooks.Logs(ctx, hook.ID, &fiefadmin.ListOptions{Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[l.ID] {
			t.Errorf("log %s (%s) read twice", l.ID, codename(l.Payload))
		}
		seen[l.ID] = true
		codenames = append(codenames, codename(l.Payload))
		if len(codenames)%10 == 5 && len(codenames) < 40 {
			deliver(4) // while the walk is between two pages
		}
	}
	if len(codenames) != created {
		t.Errorf("read %d logs, %d deliveries made", len(codenames), created)
	}
	for i, c := range codenames {
		if want := fmt.Sprintf("p:%03d", i+1); c != want {
			t.Errorf("log %d is of %s, want %s (oldest first)", i, c, want)
			break
		}
	}
}

// codename finds the permission's codename in a delivery's payload.
func codename(payload string) string {
	var e struct {
		Data struct{ Codename string } `json:"data"`
	}
	json.Unmarshal([]byte(payload), &e)
	return e.Data.Codename
}
