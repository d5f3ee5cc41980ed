package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
)

// Run is the body of an example server program: it parses the -addr flag
// (default localhost:8000) from args, listens, sets the Fief client up
// (from the environment or an embedded server), asks app for the handler,
// and serves it until ctx is done. -h prints the usage and returns nil. app
// runs the startup check ([Check]) before it prints anything.
func Run(ctx context.Context, name string, args []string, stdout io.Writer, app func(ctx context.Context, env *Env, appURL string) (http.Handler, error)) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "localhost:8000", "address to listen on")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	ln, appURL, err := Listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	env, err := Setup(ctx, os.Getenv, appURL)
	if err != nil {
		return err
	}
	defer env.Close()
	h, err := app(ctx, env, appURL)
	if err != nil {
		return err
	}
	return Serve(ctx, ln, h)
}
