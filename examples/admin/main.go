// Command admin manages the users of a Fief workspace and their
// permissions through Fief's admin API, with the fiefadmin package.
//
//	go run ./examples/admin users list [QUERY]
//	go run ./examples/admin users create EMAIL PASSWORD
//	go run ./examples/admin users delete EMAIL
//	go run ./examples/admin grant PERMISSION EMAIL
//	go run ./examples/admin revoke PERMISSION EMAIL
//
// With FIEF_BASE_URL set, it works on that Fief (its root URL or a tenant's
// base URL) with the admin API key FIEF_ADMIN_API_KEY, created in Fief's
// dashboard; users are created in the default tenant.
//
// Without FIEF_BASE_URL, it works on an embedded test Fief that holds the
// demo user (anne@bretagne.duchy, permission castles:read) and a second
// permission, castles:write. That Fief lives only as long as the process:
// each run starts from the same demo state.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/demo"
)

func main() {
	demo.Main(func(ctx context.Context) error { return run(ctx, os.Args[1:], os.Getenv, os.Stdout) })
}

// usage is the command line the program takes.
const usage = `usage:
  admin users list [QUERY]
  admin users create EMAIL PASSWORD
  admin users delete EMAIL
  admin grant PERMISSION EMAIL
  admin revoke PERMISSION EMAIL`

// usageError is a mistake on the command line, followed by the usage.
func usageError(mistake string) error { return demo.UsageError(mistake + "\n" + usage) }

// run carries out the command of args on the Fief that getenv names, or on
// an embedded one.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd, err := parse(args)
	if err != nil {
		return err
	}
	admin, closeFief, err := connect(ctx, getenv, stdout)
	if err != nil {
		return err
	}
	defer closeFief()
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
		return nil, usageError("no command")
	}
	return nil, usageError(fmt.Sprintf("unknown command or wrong arguments: %q", args))
}

// connect returns an admin client of the Fief at FIEF_BASE_URL, or of an
// embedded demo Fief, and the function that stops the latter.
func connect(ctx context.Context, getenv func(string) string, stdout io.Writer) (*fiefadmin.Client, func(), error) {
	if base := getenv("FIEF_BASE_URL"); base != "" {
		key := getenv("FIEF_ADMIN_API_KEY")
		if key == "" {
			return nil, nil, errors.New("FIEF_ADMIN_API_KEY is not set (FIEF_BASE_URL is)")
		}
		admin, err := fiefadmin.New(fiefadmin.Config{ServerURL: base, APIKey: fiefadmin.APIKey(key)})
		return admin, func() {}, err
	}
	srv := fieftest.NewServer()
	srv.AddUser(fieftest.UserConfig{Email: demo.Email, Password: demo.Password, Permissions: []string{demo.Permission}})
	fmt.Fprintf(stdout, "(embedded Fief at %s: changes end with this run)\n", srv.URL)
	admin, err := fiefadmin.New(fiefadmin.Config{ServerURL: srv.URL, APIKey: fiefadmin.APIKey(srv.AdminAPIKey()), HTTPClient: srv.Client()})
	if err == nil {
		_, err = admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: "Castles write", Codename: "castles:write"})
	}
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return admin, srv.Close, nil
}
