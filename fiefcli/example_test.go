package fiefcli_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
)

// accessToken returns an access token for the program's API, signing the
// user in first when needed: the usual shape of a command that calls an
// API.
func accessToken(ctx context.Context, auth *fiefcli.Auth) (fief.AccessTokenInfo, error) {
	info, err := auth.AccessTokenInfo(ctx) // refreshed when expired
	if errors.Is(err, fiefcli.ErrNotSignedIn) {
		if _, err := auth.Authorize(ctx); err != nil {
			return fief.AccessTokenInfo{}, err
		}
		fmt.Println("(signed in through the browser)")
		info, err = auth.AccessTokenInfo(ctx)
	}
	return info, err
}

func Example() {
	// An in-process Fief server with a public client and a user stands in for
	// a real Fief here; its auto-login skips the sign-in form.
	srv := fieftest.NewServer()
	defer srv.Close()
	port := freePort()
	fc, err := srv.AddClient(fieftest.ClientConfig{
		Public:       true,
		RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/callback", port)},
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "anne@example.com", Permissions: []string{"castles:read"}}); err != nil {
		log.Fatal(err)
	}
	srv.SetAutoLogin("anne@example.com")
	dir, err := os.MkdirTemp("", "fiefcli-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID})
	if err != nil {
		log.Fatal(err)
	}
	auth, err := fiefcli.New(client, fiefcli.Config{
		// A real program sets AppName: "mytool" to keep its credentials
		// in the user's configuration directory.
		CredentialsPath: filepath.Join(dir, "credentials.json"),
		Port:            port, // default 51562
		Output:          io.Discard,
		// A real program leaves OpenBrowser nil, to open the user's browser;
		// here an HTTP client plays the browser.
		OpenBrowser: func(url string) error {
			resp, err := srv.Client().Get(url)
			if err != nil {
				return err
			}
			return resp.Body.Close()
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	for range 2 { // the second run finds the stored credentials
		info, err := accessToken(ctx, auth)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("permissions:", info.Permissions)
	}
	user, err := auth.CurrentUser(ctx, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("user:", user.Email())

	if err := auth.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	_, err = auth.AccessTokenInfo(ctx)
	fmt.Println("signed out:", errors.Is(err, fiefcli.ErrNotSignedIn))
	// Output:
	// (signed in through the browser)
	// permissions: [castles:read]
	// permissions: [castles:read]
	// user: anne@example.com
	// signed out: true
}
