package fiefcli_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
)

// A program's own page for a successful sign-in; the other pages keep the
// default.
func ExampleConfig_page() {
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
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "anne@example.com"}); err != nil {
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
		CredentialsPath: filepath.Join(dir, "credentials.json"),
		Port:            port,
		Output:          io.Discard,
		Page: func(w http.ResponseWriter, r *http.Request, p fiefcli.Page) {
			if p.Kind != fiefcli.PageSignedIn {
				fiefcli.DefaultPage(w, r, p)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(p.Status)
			fmt.Fprint(w, "Welcome to mytool! You can close this tab.")
		},
		// An HTTP client plays the browser, and prints the page it lands on.
		OpenBrowser: func(url string) error {
			resp, err := srv.Client().Get(url)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			page, err := io.ReadAll(resp.Body)
			fmt.Println(resp.StatusCode, string(page))
			return err
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := auth.Authorize(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 200 Welcome to mytool! You can close this tab.
}
