// Command example is a small gRPC service protected by Fief access tokens
// with fiefgrpc, and its client, which signs its user in with fiefcli
// through the browser and sends the access token with gRPC's own
// credentials/oauth.TokenSource.
//
//	go run ./example serve [-socket PATH] [-port N]
//	go run ./example call [-socket PATH] [-port N] [-credentials FILE] Ping|WhoAmI|ListCastles
//	go run ./example logout [-credentials FILE]
//
// (from the fiefgrpc directory, in two terminals). The service,
// castles.Castles, has three methods, each taking google.protobuf.Empty and
// answering a google.protobuf.StringValue:
//
//	Ping         public: answers "pong" to anyone
//	WhoAmI       any valid access token: answers the user's ID
//	ListCastles  permission castles:read: answers the castles
//
// serve listens on a Unix socket (PATH, by default fief-grpc-example.sock in
// the temporary directory) until Ctrl-C. With FIEF_BASE_URL set, it trusts
// the tokens of that Fief issued to FIEF_CLIENT_ID. Without FIEF_BASE_URL
// it starts an embedded test Fief with a public demo client allowing
// fiefcli's redirect URI http://127.0.0.1:N/callback (N is -port, 51562 by
// default), a user with the permission and one without, and prints the call
// command with the environment pointing at it.
//
// call and logout need FIEF_BASE_URL and FIEF_CLIENT_ID (a public Fief client
// allowing the redirect URI above). For a protected method, it signs the
// user in through the browser unless they are already, keeps the
// credentials in the user's configuration directory
// (fief-go-grpc-example/credentials.json, or -credentials) so that later
// calls need no browser, and calls with the access token, renewed with the
// refresh token when it expires. logout deletes the credentials.
//
// # Transport security
//
// gRPC's oauth.TokenSource refuses to send a token over a connection
// without transport security. This example runs on one machine, over a
// Unix socket with google.golang.org/grpc/credentials/local, which gRPC
// counts as secure. In production, serve over TCP with TLS:
// grpc.Creds(credentials.NewTLS(serverTLSConfig)) on the server, and
// grpc.WithTransportCredentials(credentials.NewTLS(nil)) on the client.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/fief-dev/fief-go/internal/demo"
)

func main() {
	demo.Main(func(ctx context.Context) error {
		return run(ctx, os.Args[1:], demo.OS())
	})
}

const usage = `usage:
  example serve [-socket PATH] [-port N]
  example call [-socket PATH] [-port N] [-credentials FILE] Ping|WhoAmI|ListCastles
  example logout [-credentials FILE]

serve runs the service (with an embedded test Fief when FIEF_BASE_URL is
unset) and prints how to call it; call signs in through the browser if
needed and calls a method; logout deletes the stored credentials.`

// run runs one command until it is done, or until ctx is done for serve.
func run(ctx context.Context, args []string, sys demo.System) error {
	if len(args) == 0 {
		return demo.UsageError(usage)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], sys)
	case "call":
		return call(ctx, args[1:], sys)
	case "logout":
		return logout(ctx, args[1:], sys)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(sys.Stdout, usage)
		return nil
	}
	return demo.UsageError(fmt.Sprintf("unknown command %q\n%s", args[0], usage))
}
