package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/local"
	"google.golang.org/grpc/credentials/oauth"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// appName names the directory of the credentials under the user's
// configuration directory.
const appName = "fief-go-grpc-example"

// call calls one method of the service, signing in first for a protected
// one.
func call(ctx context.Context, args []string, sys system) error {
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	socket := fs.String("socket", defaultSocket(), "Unix socket of the service")
	port := fs.Int("port", fiefcli.DefaultPort, "loopback port of the sign-in callback")
	credentials := fs.String("credentials", "", "credentials file (default: in the user's configuration directory)")
	if err := parse(fs, args, 1, sys.stdout); err != nil {
		return ignoreHelp(err)
	}
	name := fs.Arg(0)
	fullMethod, ok := methods[name]
	if !ok {
		return usageError(fmt.Sprintf("unknown method %q: Ping, WhoAmI or ListCastles", name))
	}
	auth, err := cliAuth(sys, *port, *credentials)
	if err != nil {
		return err
	}
	socketPath, err := filepath.Abs(*socket)
	if err != nil {
		return err
	}

	// On one machine, a Unix socket with credentials/local; in production,
	// TCP with grpc.WithTransportCredentials(credentials.NewTLS(nil)).
	opts := []grpc.DialOption{grpc.WithTransportCredentials(local.NewCredentials())}
	if fullMethod != methodPing {
		if err := signIn(ctx, auth, sys); err != nil {
			return err
		}
		// Each call asks the token source for the access token: fiefcli
		// renews it with the refresh token when it has expired.
		opts = append(opts, grpc.WithPerRPCCredentials(oauth.TokenSource{TokenSource: auth.TokenSource()}))
	}
	conn, err := grpc.NewClient("unix://"+socketPath, opts...)
	if err != nil {
		return err
	}
	defer conn.Close()
	out := new(wrapperspb.StringValue)
	if err := conn.Invoke(ctx, fullMethod, new(emptypb.Empty), out); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(sys.stdout, "%s: %s\n", name, out.GetValue())
	return nil
}

// cliAuth returns the fiefcli Auth of the Fief at FIEF_BASE_URL.
func cliAuth(sys system, port int, credentials string) (*fiefcli.Auth, error) {
	cfg := configFromEnv(sys.getenv)
	if cfg.BaseURL == "" {
		return nil, errNoFief
	}
	client, err := fief.New(cfg) // checks the settings; no I/O
	if err != nil {
		return nil, err
	}
	return fiefcli.New(client, fiefcli.Config{
		AppName:         appName,
		CredentialsPath: credentials,
		Port:            port,
		OpenBrowser:     sys.openBrowser,
		Output:          sys.stderr,
	})
}

// signIn signs the user in through the browser unless the stored
// credentials are still good.
func signIn(ctx context.Context, auth *fiefcli.Auth, sys system) error {
	_, err := auth.AccessTokenInfo(ctx)
	if !errors.Is(err, fiefcli.ErrNotSignedIn) {
		return err // signed in, or a failure to report
	}
	user, err := auth.Authorize(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(sys.stdout, "Signed in as %s. Credentials saved in %s\n", user.Email(), auth.CredentialsPath())
	return nil
}

// logout deletes the stored credentials.
func logout(ctx context.Context, args []string, sys system) error {
	fs := flag.NewFlagSet("logout", flag.ContinueOnError)
	credentials := fs.String("credentials", "", "credentials file (default: in the user's configuration directory)")
	if err := parse(fs, args, 0, sys.stdout); err != nil {
		return ignoreHelp(err)
	}
	auth, err := cliAuth(sys, fiefcli.DefaultPort, *credentials)
	if err != nil {
		return err
	}
	if err := auth.Logout(ctx); err != nil {
		return err
	}
	fmt.Fprintln(sys.stdout, "Signed out: the stored credentials are deleted.")
	return nil
}
