package fiefdemo_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
)

// TestStart: the demo's configuration makes a working client, whose
// validation accepts the demo user's tokens with their permission and ACR.
func TestStart(t *testing.T) {
	d := fiefdemo.Start(fiefdemo.Config{Name: "Castles", RedirectURIs: []string{"http://localhost:8000/auth-callback"}})
	defer d.Close()
	client, err := fief.New(d.Config)
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.ValidateAccessToken(context.Background(), d.AccessToken("openid", "required_scope"), fief.Requirements{
		Scopes: []string{"required_scope"}, ACR: fief.ACRLevel1, Permissions: []string{fiefdemo.Permission},
	})
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != d.User.ID {
		t.Errorf("token of %s, want the demo user %s", info.ID, d.User.ID)
	}
	if d.Config.ClientID != fiefdemo.ClientID || d.Config.ClientSecret == "" {
		t.Errorf("client %q, secret set: %t", d.Config.ClientID, d.Config.ClientSecret != "")
	}
	want := []string{"http://localhost:8000/auth-callback", "http://127.0.0.1:8000/auth-callback"}
	if got := d.Client.RedirectURIs(); !slices.Equal(got, want) {
		t.Errorf("redirect URIs %q, want %q", got, want)
	}
	if !d.User.CheckPassword(fiefdemo.Password) || d.User.Email() != fiefdemo.Email {
		t.Error("the demo user does not sign in with the published account")
	}
	if name := d.Server.DefaultTenant().Name(); name != "Castles" {
		t.Errorf("tenant named %q, want the application's name", name)
	}
}

// TestStartPublic: a public demo client has no secret.
func TestStartPublic(t *testing.T) {
	d := fiefdemo.Start(fiefdemo.Config{Public: true})
	defer d.Close()
	if d.Config.ClientSecret != "" {
		t.Error("a public demo client has a secret")
	}
	if name := d.Server.DefaultTenant().Name(); name != fiefdemo.DefaultName {
		t.Errorf("tenant named %q, want %q", name, fiefdemo.DefaultName)
	}
}

// TestPrintAccount prints the URL and the account, and printing the Demo
// itself never shows the client's secret.
func TestPrintAccount(t *testing.T) {
	d := fiefdemo.Start(fiefdemo.Config{})
	defer d.Close()
	var out strings.Builder
	d.PrintAccount(&out)
	for _, want := range []string{d.Server.URL, "email:    " + fiefdemo.Email, "password: " + fiefdemo.Password} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	var buf strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		fmt.Fprintf(&buf, verb+"\n", d)
	}
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("demo", "demo", d)
	if strings.Contains(buf.String(), d.Config.ClientSecret) {
		t.Errorf("the client secret is printed:\n%s", buf.String())
	}
}

func ExampleStart() {
	d := fiefdemo.Start(fiefdemo.Config{Name: "Castles", RedirectURIs: []string{"http://localhost:8000/auth-callback"}})
	defer d.Close()
	client, err := fief.New(d.Config)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(client.BaseURL() == d.Server.URL, d.Config.ClientID)
	// Output: true demo
}
