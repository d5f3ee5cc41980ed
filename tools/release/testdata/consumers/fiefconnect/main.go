// A program using fiefconnect alone: a Connect handler protected by Fief.
package main

import (
	"log"
	"net/http"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefconnect"
	"github.com/fief-dev/fief-go/fiefhttp"
)

func main() {
	client, err := fief.New(fief.Config{BaseURL: "https://example.fief.dev", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	auth := fiefhttp.New(client, fiefhttp.Config{})
	in := fiefconnect.New(auth, fiefconnect.Config{})
	mux := http.NewServeMux()
	mux.Handle("/", in.Wrap(http.NotFoundHandler()))
}
