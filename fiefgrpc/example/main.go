// Command example is a small gRPC service protected by Fief access tokens
// with fiefgrpc, and its client, which signs its user in with fiefcli
// through the browser and sends the access token with gRPC's own
// credentials/oauth.TokenSource.
//
//	go run ./example serve -demo [-socket PATH] [-port N]   # on an embedded demo Fief
//	go run ./example serve [-socket PATH]
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
// the temporary directory) until Ctrl-C. It trusts the tokens of the Fief at
// FIEF_BASE_URL issued to FIEF_CLIENT_ID. With -demo it starts an embedded
// demo Fief instead, with a public demo client allowing fiefcli's redirect
// URI http://127.0.0.1:N/callback (N is -port, 51562 by default), a user
// with the permission and one without, and prints the call command with the
// environment pointing at it. Without either, it stops.
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
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	fief "github.com/fief-dev/fief-go"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], system{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// configFromEnv is the configuration of the Fief client, from the
// environment: a public client (FIEF_CLIENT_SECRET only for a confidential
// one), so that no secret ships with the call command.
func configFromEnv(getenv func(string) string) fief.Config {
	return fief.Config{
		BaseURL:      getenv("FIEF_BASE_URL"), // https://fief.example.com, or .../my-tenant
		ClientID:     getenv("FIEF_CLIENT_ID"),
		ClientSecret: getenv("FIEF_CLIENT_SECRET"),
	}
}

// errNoFief stops a command without FIEF_BASE_URL.
var errNoFief = errors.New("FIEF_BASE_URL is not set: set FIEF_BASE_URL and FIEF_CLIENT_ID to those of your Fief client, " +
	"or run \"serve -demo\" to try the service on an embedded demo Fief (it prints them)")

// system is what the program takes from the outside world, so that its
// tests can give it another environment, other outputs and a browser.
type system struct {
	getenv         func(string) string
	stdout, stderr io.Writer              // stderr receives the sign-in's progress
	openBrowser    func(url string) error // nil: the system browser
}

// usageError is a mistake on the command line: main prints it as it is and
// exits with status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

const usage = `usage:
  example serve [-demo] [-socket PATH] [-port N]
  example call [-socket PATH] [-port N] [-credentials FILE] Ping|WhoAmI|ListCastles
  example logout [-credentials FILE]

serve runs the service (with -demo, on an embedded demo Fief) and prints
how to call it; call signs in through the browser if
needed and calls a method; logout deletes the stored credentials.`

// run runs one command until it is done, or until ctx is done for serve.
func run(ctx context.Context, args []string, sys system) error {
	if len(args) == 0 {
		return usageError(usage)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], sys)
	case "call":
		return call(ctx, args[1:], sys)
	case "logout":
		return logout(ctx, args[1:], sys)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(sys.stdout, usage)
		return nil
	}
	return usageError(fmt.Sprintf("unknown command %q\n%s", args[0], usage))
}
