// Command admin manages the users of a Fief workspace and their
// permissions through Fief's admin API, with the fiefadmin package.
//
//	go run ./examples/admin [-demo] users list [QUERY]
//	go run ./examples/admin [-demo] users create EMAIL PASSWORD
//	go run ./examples/admin [-demo] users delete EMAIL
//	go run ./examples/admin [-demo] grant PERMISSION EMAIL
//	go run ./examples/admin [-demo] revoke PERMISSION EMAIL
//
// It works on the Fief at FIEF_BASE_URL (its root URL or a tenant's base
// URL) with the admin API key FIEF_ADMIN_API_KEY, created in Fief's
// dashboard; users are created in the default tenant.
//
// With -demo, it works on an embedded demo Fief that holds the demo user
// (anne@bretagne.duchy, permission castles:read) and a second permission,
// castles:write. That Fief lives only as long as the process: each run
// starts from the same demo state. Without FIEF_BASE_URL and without -demo,
// it stops.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
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

// usage is the command line the program takes.
const usage = `usage:
  admin [-demo] users list [QUERY]
  admin [-demo] users create EMAIL PASSWORD
  admin [-demo] users delete EMAIL
  admin [-demo] grant PERMISSION EMAIL
  admin [-demo] revoke PERMISSION EMAIL`

// usageError is a mistake on the command line: main prints it as it is and
// exits with status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

// run carries out the command of args on the Fief that getenv names, or on
// a demo Fief with -demo.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	flags := flag.NewFlagSet("admin", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	demo := flags.Bool("demo", false, "work on an embedded demo Fief")
	if err := flags.Parse(args); err != nil {
		return usageError(err.Error() + "\n" + usage)
	}
	cmd, err := parse(flags.Args())
	if err != nil {
		return err
	}

	// The admin client, configured from the environment.
	cfg := fiefadmin.Config{
		ServerURL: getenv("FIEF_BASE_URL"),
		APIKey:    fiefadmin.APIKey(getenv("FIEF_ADMIN_API_KEY")), // created in Fief's dashboard
	}
	if *demo {
		d := fiefdemo.Start(fiefdemo.Config{})
		defer d.Close()
		cfg = fiefadmin.Config{ServerURL: d.Server.URL, APIKey: fiefadmin.APIKey(d.Server.AdminAPIKey()), HTTPClient: d.Server.Client()}
		fmt.Fprintf(stdout, "(demo Fief at %s: changes end with this run)\n", d.Server.URL)
		if err := addDemoPermission(ctx, cfg); err != nil {
			return err
		}
	} else if cfg.ServerURL == "" || cfg.APIKey == "" {
		return errors.New("FIEF_BASE_URL or FIEF_ADMIN_API_KEY is not set: set them to your Fief's URL and an admin API key, " +
			"or run with -demo to try the program on an embedded demo Fief")
	}
	admin, err := fiefadmin.New(cfg) // checks the settings; no I/O
	if err != nil {
		return err
	}
	return cmd(ctx, &app{admin: admin, out: stdout})
}

// parse turns the command line into the command to run.
func parse(args []string) (func(context.Context, *app) error, error) {
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch {
	case arg(0) == "users" && arg(1) == "list" && len(args) <= 3:
		return func(ctx context.Context, a *app) error { return a.listUsers(ctx, arg(2)) }, nil
	case arg(0) == "users" && arg(1) == "create" && len(args) == 4:
		return func(ctx context.Context, a *app) error { return a.createUser(ctx, args[2], args[3]) }, nil
	case arg(0) == "users" && arg(1) == "delete" && len(args) == 3:
		return func(ctx context.Context, a *app) error { return a.deleteUser(ctx, args[2]) }, nil
	case arg(0) == "grant" && len(args) == 3:
		return func(ctx context.Context, a *app) error { return a.grant(ctx, args[1], args[2]) }, nil
	case arg(0) == "revoke" && len(args) == 3:
		return func(ctx context.Context, a *app) error { return a.revoke(ctx, args[1], args[2]) }, nil
	case len(args) == 0:
		return nil, usageError("no command\n" + usage)
	}
	return nil, usageError(fmt.Sprintf("unknown command or wrong arguments: %q\n%s", args, usage))
}

// addDemoPermission adds castles:write to the demo Fief, for grant and
// revoke to try.
func addDemoPermission(ctx context.Context, cfg fiefadmin.Config) error {
	admin, err := fiefadmin.New(cfg)
	if err != nil {
		return err
	}
	_, err = admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: "Castles write", Codename: "castles:write"})
	return err
}
