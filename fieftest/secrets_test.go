package fieftest_test

import (
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// TestGeneratedSecretsNeverStartWithDash: the secrets the server makes up
// (the admin key, a client's client_id and client_secret, a webhook's
// secret) never start with "-", which a command line would read as a
// flag. One url-safe base64 string in 64 starts with it: 2000 of each,
// all without, would happen by chance with a probability below 1e-13.
func TestGeneratedSecretsNeverStartWithDash(t *testing.T) {
	const n = 2000
	check := func(what, s string) {
		t.Helper()
		if s == "" || strings.HasPrefix(s, "-") {
			t.Fatalf("%s = %q, want a secret not starting with \"-\"", what, s)
		}
	}
	for range n {
		check("NewUnstartedServer's admin key", fieftest.NewUnstartedServer().AdminAPIKey())
	}
	srv := fieftest.NewUnstartedServer()
	for range n {
		c, err := srv.AddClient(fieftest.ClientConfig{})
		if err != nil {
			t.Fatal(err)
		}
		check("client_id", c.ClientID)
		check("client_secret", c.ClientSecret)
		w, err := srv.AddWebhook(fieftest.WebhookConfig{URL: "http://127.0.0.1:9/hook"})
		if err != nil {
			t.Fatal(err)
		}
		check("webhook secret", w.Secret)
	}
}
