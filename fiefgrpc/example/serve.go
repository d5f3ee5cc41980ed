package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/local"
)

// squireEmail is the embedded Fief's user without the permission.
const squireEmail = "squire@bretagne.duchy"

// defaultSocket is the path of the Unix socket unless -socket says
// otherwise.
func defaultSocket() string { return filepath.Join(os.TempDir(), "fief-grpc-example.sock") }

// serve runs the service until ctx is done.
func serve(ctx context.Context, args []string, sys system) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	socket := fs.String("socket", defaultSocket(), "Unix socket to listen on")
	demo := fs.Bool("demo", false, "run on an embedded demo Fief (anyone can sign in) instead of FIEF_BASE_URL")
	port := fs.Int("port", fiefcli.DefaultPort, "with -demo: loopback port of the client's sign-in callback to allow")
	if err := parse(fs, args, 0, sys.stdout); err != nil {
		return ignoreHelp(err)
	}
	socketPath, err := filepath.Abs(*socket)
	if err != nil {
		return err
	}

	cfg := configFromEnv(sys.getenv)
	var d *fiefdemo.Demo
	if *demo {
		redirectURI := fmt.Sprintf("http://127.0.0.1:%d%s", *port, fiefcli.DefaultRedirectPath)
		d = fiefdemo.Start(fiefdemo.Config{Name: appName, Public: true, RedirectURIs: []string{redirectURI}})
		defer d.Close()
		if _, err := d.Server.AddUser(fieftest.UserConfig{Email: squireEmail, Password: fiefdemo.Password}); err != nil {
			return err
		}
		cfg = d.Config
	} else if cfg.BaseURL == "" {
		return errNoFief
	}
	client, err := fief.New(cfg) // checks the settings; no I/O
	if err != nil {
		return err
	}
	ln, err := listenUnix(socketPath)
	if err != nil {
		return err
	}
	defer ln.Close()

	ic := interceptor(fiefhttp.New(client, fiefhttp.Config{}))
	gs := grpc.NewServer(append(ic.ServerOptions(), grpc.Creds(local.NewCredentials()))...)
	gs.RegisterService(&serviceDesc, nil)
	printInstructions(sys.stdout, client, d, socketPath, *port)

	errc := make(chan error, 1)
	go func() { errc <- gs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Calls in flight get five seconds to finish.
	stopped := make(chan struct{})
	go func() { gs.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		gs.Stop()
	}
	return nil
}

// listenUnix listens on the Unix socket at path, replacing the socket file
// a server that did not stop cleanly left there, but not a live one.
func listenUnix(path string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if conn, err := net.Dial("unix", path); err == nil {
			conn.Close()
			return nil, fmt.Errorf("another server listens on %s: stop it or choose another -socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	return net.Listen("unix", path)
}

// printInstructions tells how to call the service: the call command, with
// the demo Fief's environment and accounts when d is not nil.
func printInstructions(w io.Writer, client *fief.Client, d *fiefdemo.Demo, socket string, port int) {
	fmt.Fprintf(w, "Listening on unix://%s\n", socket)
	args := ""
	if socket != defaultSocket() {
		args += " -socket " + strconv.Quote(socket)
	}
	if port != fiefcli.DefaultPort {
		args += " -port " + strconv.Itoa(port)
	}
	if d == nil {
		fmt.Fprintf(w, "Fief: %s\nCall it from another terminal in this directory, with the same FIEF_BASE_URL and FIEF_CLIENT_ID\n", client.BaseURL())
		fmt.Fprintf(w, "(a public client allowing the redirect URI http://127.0.0.1:%d%s), signing in as a user of this Fief:\n\n", port, fiefcli.DefaultRedirectPath)
		fmt.Fprintf(w, "  go run ./example call%s WhoAmI\n\n", args)
	} else {
		d.PrintAccount(w)
		fmt.Fprintf(w, "(permission %s), or %s without it, same password.\n", fiefdemo.Permission, squireEmail)
		fmt.Fprintf(w, "Call it from another terminal in this directory:\n\n")
		fmt.Fprintf(w, "  FIEF_BASE_URL=%s FIEF_CLIENT_ID=%s go run ./example call%s WhoAmI\n\n", client.BaseURL(), d.Config.ClientID, args)
	}
	fmt.Fprintln(w, "Methods: Ping (public), WhoAmI (any signed-in user), ListCastles (permission castles:read)")
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

// parse parses args into fs, and wants nargs arguments after the flags.
// -h prints the usage and the flags, and returns flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string, nargs int, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return usageError(err.Error() + "\n" + usage)
	}
	if fs.NArg() != nargs {
		return usageError(usage)
	}
	return nil
}

// ignoreHelp returns nil for flag.ErrHelp: -h is no failure.
func ignoreHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
