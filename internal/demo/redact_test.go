package demo

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

// TestEnvNotPrintedByAnyVerb: an Env (whose client holds its secret, and
// whose embedded Fief holds clients' secrets and passwords) shows none of
// them under any fmt verb or in slog.
func TestEnvNotPrintedByAnyVerb(t *testing.T) {
	const secret = "s3cr3t-MARKER-0123456789"
	srv := fieftest.NewServer()
	defer srv.Close()
	fc := srv.AddClient(fieftest.ClientConfig{Secret: secret})
	user := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: secret})
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ID, ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	env := Env{Client: client, Server: srv, User: user}
	for _, v := range []any{env, &env} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret[:12]) || strings.Contains(out, "7333637233742d4d") {
				t.Errorf("%T %s: %s", v, verb, out)
			}
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("env", "env", env)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("env", "env", &env)
	if strings.Contains(buf.String(), secret[:12]) {
		t.Errorf("slog: %s", buf.String())
	}
}
