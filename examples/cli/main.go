// Command cli is a terminal program whose user signs in with Fief through
// the browser and stays signed in between runs, the Go version of the
// command-line example of Fief's Python client.
//
//	go run ./examples/cli -demo                        # a tour on an embedded demo Fief
//	FIEF_BASE_URL=... FIEF_CLIENT_ID=... go run ./examples/cli login|whoami|logout|doctor
//
// Commands:
//
//	login   open the browser on Fief's sign-in page and store the credentials
//	whoami  print the user's email and permissions (the access token is
//	        renewed with the refresh token when it has expired)
//	logout  delete the stored credentials
//	doctor  check the configuration with Fief and print every finding
//	        (status 1 when something does not work)
//
// It talks to the Fief at FIEF_BASE_URL as the client FIEF_CLIENT_ID (a
// public client; FIEF_CLIENT_SECRET only for a confidential one), which
// must allow the redirect URI http://127.0.0.1:51562/callback (or the port of
// -port). The credentials stay in the user's configuration directory
// (fief-go-cli-example/credentials.json) until logout: each command is a
// separate run.
//
// With -demo and no command, it starts an embedded demo Fief, which lives
// only as long as the process, and tours the commands in one run: it keeps
// the credentials in a temporary file removed at exit, signs in through the
// browser (as the demo user it prints), and between two whoami it moves the
// demo Fief's clock a day forward, so that the second one shows the expired
// access token being renewed. With -auto, the demo Fief signs the demo user
// in without a form and the program itself plays the browser: a run without
// a person.
//
// Every command but logout first checks the configuration with Fief: it
// prints the report when something is not right, and stops with status 1
// when something does not work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
)

// appName names the directory of the credentials under the user's
// configuration directory.
const appName = "fief-go-cli-example"

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

const usage = `usage: cli [-port N] [-credentials FILE] login|whoami|logout|doctor
       cli -demo [-auto] [-port N]

  login   sign in through the browser and store the credentials
  whoami  print the signed-in user's email and permissions
  logout  delete the stored credentials
  doctor  check the configuration with Fief and print every finding

The commands use the Fief at FIEF_BASE_URL. With -demo, an embedded demo
Fief runs inside this process, and the program tours the commands in one
run, since the next run would not know its tokens.`

// run runs one command, or the tour of -demo.
func run(ctx context.Context, args []string, sys system) error {
	fs := flag.NewFlagSet("cli", flag.ContinueOnError)
	fs.SetOutput(sys.stderr)
	fs.Usage = func() { fmt.Fprintln(sys.stderr, usage); fs.PrintDefaults() }
	port := fs.Int("port", fiefcli.DefaultPort, "loopback port of the sign-in callback")
	credentials := fs.String("credentials", "", "credentials file (default: in the user's configuration directory)")
	demo := fs.Bool("demo", false, "tour the commands on an embedded demo Fief (anyone can sign in)")
	auto := fs.Bool("auto", false, "with -demo: sign the demo user in without a person")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError(err.Error())
	}
	cmd := fs.Arg(0)
	switch {
	case *demo && fs.NArg() != 0:
		return usageError("-demo takes no command: the demo Fief lives only for one run, so it tours them all\n" + usage)
	case !*demo && fs.NArg() != 1:
		return usageError(usage)
	case !*demo && commands[cmd] == nil && cmd != "doctor":
		return usageError(fmt.Sprintf("unknown command %q\n%s", cmd, usage))
	case *auto && !*demo:
		return usageError("-auto works only with -demo")
	}

	// The Fief client, configured from the environment: a public client,
	// so no secret ships with the program.
	cfg := fief.Config{
		BaseURL:      sys.getenv("FIEF_BASE_URL"), // https://fief.example.com, or .../my-tenant
		ClientID:     sys.getenv("FIEF_CLIENT_ID"),
		ClientSecret: sys.getenv("FIEF_CLIENT_SECRET"), // a confidential client only
	}
	cliCfg := fiefcli.Config{
		AppName:         appName, // credentials in <config dir>/fief-go-cli-example/
		CredentialsPath: *credentials,
		Port:            *port,
		OpenBrowser:     sys.openBrowser,
		Output:          sys.stderr,
	}
	var d *fiefdemo.Demo
	if *demo {
		redirectURI := fmt.Sprintf("http://127.0.0.1:%d%s", *port, fiefcli.DefaultRedirectPath)
		d = fiefdemo.Start(fiefdemo.Config{Name: appName, Public: true, RedirectURIs: []string{redirectURI}})
		defer d.Close()
		cfg = d.Config
		if cliCfg.CredentialsPath == "" { // the demo's credentials die with it
			dir, err := os.MkdirTemp("", "fiefcli-demo-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			cliCfg.CredentialsPath = filepath.Join(dir, fiefcli.CredentialsFileName)
		}
		if *auto {
			d.Server.SetAutoLogin(fiefdemo.Email)
			cliCfg.OpenBrowser = followWith(d.Server.Client())
		} else {
			d.PrintAccount(sys.stdout)
		}
	} else if cfg.BaseURL == "" {
		return errors.New("FIEF_BASE_URL is not set: set FIEF_BASE_URL and FIEF_CLIENT_ID " +
			"to those of your Fief client, or run with -demo to try the program on an embedded demo Fief")
	}
	client, err := fief.New(cfg) // checks the settings; no I/O
	if err != nil {
		return err
	}
	auth, err := fiefcli.New(client, cliCfg)
	if err != nil {
		return err
	}

	if cmd == "doctor" {
		return doctor(ctx, client, auth, sys.stdout)
	}
	if cmd != "logout" { // logout works offline
		// The startup check asks Fief whether this configuration works.
		checkCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		report := client.Check(checkCtx, auth.CheckOptions())
		cancel()
		if report.Failed() {
			return fmt.Errorf("the Fief configuration does not work:\n%s", strings.TrimSuffix(report.String(), "\n"))
		}
		if !report.OK() {
			fmt.Fprint(sys.stdout, report) // warnings
		}
	}
	if d != nil {
		return tour(ctx, auth, d, sys.stdout)
	}
	return commands[cmd](ctx, auth, sys.stdout)
}

// doctor runs the startup check and prints the whole report, whatever its
// verdict; it fails when a check failed.
func doctor(ctx context.Context, client *fief.Client, auth *fiefcli.Auth, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	report := client.Check(ctx, auth.CheckOptions())
	fmt.Fprint(stdout, report)
	if report.Failed() {
		return errors.New("the Fief configuration does not work: see the fixes above")
	}
	return nil
}

var commands = map[string]func(context.Context, *fiefcli.Auth, io.Writer) error{
	"login":  login,
	"whoami": whoami,
	"logout": logout,
}

func login(ctx context.Context, auth *fiefcli.Auth, stdout io.Writer) error {
	user, err := auth.Authorize(ctx)
	if err != nil {
		var ae *fiefcli.AuthorizationError
		if errors.As(err, &ae) && ae.Code == "access_denied" {
			return errors.New("sign-in refused in the browser")
		}
		return err
	}
	fmt.Fprintf(stdout, "Signed in as %s. Credentials saved in %s\n", user.Email(), auth.CredentialsPath())
	return nil
}

func whoami(ctx context.Context, auth *fiefcli.Auth, stdout io.Writer) error {
	info, err := auth.AccessTokenInfo(ctx)
	if errors.Is(err, fiefcli.ErrNotSignedIn) {
		return fmt.Errorf("not signed in: run \"cli login\" (%w)", err)
	}
	if err != nil {
		return err
	}
	user, err := auth.CurrentUser(ctx, false)
	if err != nil {
		return err
	}
	perms := "none"
	if len(info.Permissions) > 0 {
		perms = strings.Join(info.Permissions, ", ")
	}
	fmt.Fprintf(stdout, "Email:       %s\nPermissions: %s\nAccess token valid until %s\n",
		user.Email(), perms, info.ExpiresAt.Local().Format(time.DateTime))
	return nil
}

func logout(ctx context.Context, auth *fiefcli.Auth, stdout io.Writer) error {
	if err := auth.Logout(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Signed out: the stored credentials are deleted. (Your Fief session in the browser remains.)")
	return nil
}

// tour signs in, prints the user, renews the token after a day passes on
// the demo Fief, and signs out.
func tour(ctx context.Context, auth *fiefcli.Auth, d *fiefdemo.Demo, stdout io.Writer) error {
	if err := login(ctx, auth, stdout); err != nil {
		return err
	}
	if err := whoami(ctx, auth, stdout); err != nil {
		return err
	}
	before, err := auth.AccessTokenInfo(ctx)
	if err != nil {
		return err
	}
	d.Server.Advance(25 * time.Hour)
	fmt.Fprintln(stdout, "A day later (the demo Fief's clock moved forward), the access token has expired:")
	if err := whoami(ctx, auth, stdout); err != nil {
		return err
	}
	after, err := auth.AccessTokenInfo(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Renewed with the refresh token: %t\n", after.AccessToken != before.AccessToken)
	return logout(ctx, auth, stdout)
}

// followWith returns an OpenBrowser that follows the URL's redirects with
// c: with the embedded Fief's auto-login, they lead to the callback.
func followWith(c *http.Client) func(string) error {
	return func(url string) error {
		resp, err := c.Get(url)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
}
