package fiefgrpc_test

import (
	"context"
	"fmt"
	"log"
	"net"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefgrpc"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func Example() {
	// A test Fief with a client and a user (use your own Fief's URL and
	// client credentials instead).
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		log.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture", Permissions: []string{"castles:read"}})
	if err != nil {
		log.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client()})
	if err != nil {
		panic(err)
	}

	// The gRPC server: Ping is public, WhoAmI needs castles:read, Watch
	// (the default) any valid token.
	ic := fiefgrpc.New(fiefhttp.New(client, fiefhttp.Config{}), fiefgrpc.Config{
		Public:  []string{"/test.Castles/Ping"},
		Methods: map[string][]fiefhttp.RouteOption{"/test.Castles/WhoAmI": {fiefhttp.Permissions("castles:read")}},
	})
	gs := grpc.NewServer(ic.ServerOptions()...)
	gs.RegisterService(&serviceDesc, nil) // a service whose handlers answer fiefgrpc.AccessTokenInfo's user ID
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go gs.Serve(ln)
	defer gs.Stop()

	// A client (over TLS in production, with credentials/oauth.TokenSource).
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	token := srv.MintAccessToken(user.ID, fieftest.TokenOptions{})
	authed := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)

	for _, c := range []struct {
		ctx    context.Context
		method string
	}{
		{context.Background(), "/test.Castles/Ping"},
		{context.Background(), "/test.Castles/WhoAmI"},
		{authed, "/test.Castles/WhoAmI"},
	} {
		got, err := call(c.ctx, conn, c.method)
		fmt.Println(c.method, status.Code(err), got == user.ID)
	}
	// Output:
	// /test.Castles/Ping OK false
	// /test.Castles/WhoAmI Unauthenticated false
	// /test.Castles/WhoAmI OK true
}
