// A program using the root module alone: an API protected by fiefhttp.
package main

import (
	"log"
	"net/http"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
)

func main() {
	client, err := fief.New(fief.Config{BaseURL: "https://example.fief.dev", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	auth := fiefhttp.New(client, fiefhttp.Config{})
	mux := http.NewServeMux()
	mux.Handle("GET /me", auth.Authenticated(fiefhttp.Scopes("openid"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := fiefhttp.AccessTokenInfoFrom(r.Context())
		w.Write([]byte(info.ID))
	})))
	_ = mux
}
