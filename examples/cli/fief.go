package main

import (
	"fmt"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/demo"
)

// fiefEnv is the Fief the program talks to.
type fiefEnv struct {
	client *fief.Client
	server *fieftest.Server // the embedded Fief, nil with FIEF_BASE_URL
}

func (e *fiefEnv) close() {
	if e.server != nil {
		e.server.Close()
	}
}

// setup returns a client of the Fief at FIEF_BASE_URL (reached only when a
// command needs it: logout works offline), or of an embedded test Fief with
// a public demo client allowing the callback on port and the demo user.
func setup(getenv func(string) string, port int) (*fiefEnv, error) {
	if getenv("FIEF_BASE_URL") != "" {
		client, err := demo.ClientFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		return &fiefEnv{client: client}, nil
	}
	srv := fieftest.NewServer()
	c := srv.AddClient(fieftest.ClientConfig{
		ID:           demo.ClientID,
		Public:       true,
		RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/callback", port)},
	})
	srv.AddUser(fieftest.UserConfig{Email: demo.Email, Password: demo.Password, Permissions: []string{demo.Permission}})
	client, err := fief.New(fief.Config{
		BaseURL:    srv.URL,
		ClientID:   c.ID,
		HTTPClient: srv.Client(),
		Clock:      srv.Now, // so that the demo can move time forward
	})
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &fiefEnv{client: client, server: srv}, nil
}
