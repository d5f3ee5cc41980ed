package fieftest_test

import (
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// TestSetupRefusesWithErrors: every setup method answers data it refuses
// with an error naming the problem, never a panic, and changes nothing.
func TestSetupRefusesWithErrors(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	if _, err := srv.AddClient(fieftest.ClientConfig{ClientID: "web"}); err != nil {
		t.Fatal(err)
	}
	anne, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddPermission("castles:read", "Read castles"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddRole(fieftest.RoleConfig{Name: "Castle manager"}); err != nil {
		t.Fatal(err)
	}
	key := srv.AdminAPIKey()
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"duplicate client_id", func() error { _, err := srv.AddClient(fieftest.ClientConfig{ClientID: "web"}); return err }, `duplicate client_id "web"`},
		{"duplicate email", func() error { _, err := srv.AddUser(fieftest.UserConfig{Email: "ANNE@bretagne.duchy"}); return err }, "duplicate user email"},
		{"duplicate user id", func() error { _, err := srv.AddUser(fieftest.UserConfig{ID: anne.ID, Email: "x@y.org"}); return err }, "duplicate user ID"},
		{"fields not JSON", func() error {
			_, err := srv.AddUser(fieftest.UserConfig{Email: "f@y.org", Fields: map[string]any{"f": func() {}}})
			return err
		}, "not JSON"},
		{"duplicate permission", func() error { return srv.AddPermission("castles:read", "Again") }, `duplicate permission "castles:read"`},
		{"permission without codename", func() error { return srv.AddPermission("", "Nameless") }, "without a codename"},
		{"duplicate role", func() error { _, err := srv.AddRole(fieftest.RoleConfig{Name: "Castle manager"}); return err }, `duplicate role "Castle manager"`},
		{"role without name", func() error { _, err := srv.AddRole(fieftest.RoleConfig{}); return err }, "without a name"},
		{"unknown role", func() error { return anne.GrantRole("Duke") }, `no role "Duke"`},
		{"webhook without URL", func() error { _, err := srv.AddWebhook(fieftest.WebhookConfig{}); return err }, "without a URL"},
		{"unknown event", func() error {
			_, err := srv.AddWebhook(fieftest.WebhookConfig{URL: "http://127.0.0.1:1/", Events: []string{"user.exploded"}})
			return err
		}, `"user.exploded"`},
		{"empty admin key", func() error { return srv.SetAdminAPIKey("") }, "empty admin API key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "fieftest: ") {
				t.Errorf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
	if n := len(srv.DefaultTenant().Users()); n != 1 {
		t.Errorf("%d users after the refusals, want 1", n)
	}
	if len(srv.DefaultTenant().Clients()) != 1 || srv.AdminAPIKey() != key || len(anne.Permissions()) != 0 {
		t.Error("a refused call changed the server")
	}
}
