// A program using fiefgrpc alone: a gRPC server with Fief's interceptors.
package main

import (
	"log"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefgrpc"
	"github.com/fief-dev/fief-go/fiefhttp"
	"google.golang.org/grpc"
)

func main() {
	client, err := fief.New(fief.Config{BaseURL: "https://example.fief.dev", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	auth := fiefhttp.New(client, fiefhttp.Config{})
	in := fiefgrpc.New(auth, fiefgrpc.Config{})
	srv := grpc.NewServer(in.ServerOptions()...)
	defer srv.Stop()
}
