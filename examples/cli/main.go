// Command cli is a terminal program whose user signs in with Fief through
// the browser and stays signed in between runs, the Go version of the
// command-line example of Fief's Python client.
//
//	go run ./examples/cli [flags] login|whoami|logout|demo|doctor
//
// Commands:
//
//	login   open the browser on Fief's sign-in page and store the credentials
//	whoami  print the user's email and permissions (the access token is
//	        renewed with the refresh token when it has expired)
//	logout  delete the stored credentials
//	demo    login, whoami, and logout in one run
//	doctor  check the configuration with Fief and print every finding
//	        (status 1 when something does not work)
//
// With FIEF_BASE_URL set, it talks to that Fief as the client FIEF_CLIENT_ID
// (a public client; FIEF_CLIENT_SECRET only for a confidential one), which
// must allow the redirect URI http://127.0.0.1:51562/callback (or the port of
// -port). The credentials stay in the user's configuration directory
// (fief-go-cli-example/credentials.json) until logout: each command is a
// separate run.
//
// Without FIEF_BASE_URL, it starts an embedded test Fief, which lives only as
// long as the process: credentials it issues mean nothing to the next run.
// Then only demo works. It keeps the credentials in a temporary file removed
// at exit, signs in through the browser (as the demo user it prints), and
// between two whoami it moves the embedded Fief's clock a day forward, so
// that the second one shows the expired access token being renewed. With
// -auto, the embedded Fief signs the demo user in without a form and the
// program itself plays the browser: a run without a person.
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
	"strings"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/internal/demo"
)

// appName names the directory of the credentials under the user's
// configuration directory.
const appName = "fief-go-cli-example"

func main() {
	demo.Main(func(ctx context.Context) error {
		return run(ctx, os.Args[1:], demo.OS())
	})
}

const usage = `usage: cli [-port N] [-credentials FILE] [-auto] login|whoami|logout|demo|doctor

  login   sign in through the browser and store the credentials
  whoami  print the signed-in user's email and permissions
  logout  delete the stored credentials
  demo    login, whoami, logout in one run
  doctor  check the configuration with Fief and print every finding

Without FIEF_BASE_URL, an embedded test Fief runs inside this process and
only demo works, since the next run would not know its tokens.`

// run runs one command.
func run(ctx context.Context, args []string, sys demo.System) error {
	fs := flag.NewFlagSet("cli", flag.ContinueOnError)
	fs.SetOutput(sys.Stderr)
	fs.Usage = func() { fmt.Fprintln(sys.Stderr, usage); fs.PrintDefaults() }
	port := fs.Int("port", fiefcli.DefaultPort, "loopback port of the sign-in callback")
	credentials := fs.String("credentials", "", "credentials file (default: in the user's configuration directory)")
	auto := fs.Bool("auto", false, "embedded Fief only: sign the demo user in without a person")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return demo.UsageError(err.Error())
	}
	if fs.NArg() != 1 {
		return demo.UsageError(usage)
	}
	cmd := fs.Arg(0)
	if _, ok := commands[cmd]; !ok && cmd != "demo" && cmd != "doctor" {
		return demo.UsageError(fmt.Sprintf("unknown command %q\n%s", cmd, usage))
	}

	// A client of the Fief at FIEF_BASE_URL (reached only when a command
	// needs it: logout works offline), or of an embedded test Fief.
	env, err := demo.SetupPublic(sys.Getenv, fmt.Sprintf("http://127.0.0.1:%d%s", *port, fiefcli.DefaultRedirectPath))
	if err != nil {
		return err
	}
	defer env.Close()
	cfg := fiefcli.Config{
		AppName:         appName,
		CredentialsPath: *credentials,
		Port:            *port,
		OpenBrowser:     sys.OpenBrowser,
		Output:          sys.Stderr,
	}
	if env.Server != nil {
		if cmd != "demo" && cmd != "doctor" {
			return demo.UsageError(fmt.Sprintf("%q needs FIEF_BASE_URL: the embedded test Fief lives only for one run, so use \"demo\"", cmd))
		}
		if cfg.CredentialsPath == "" {
			dir, err := os.MkdirTemp("", "fiefcli-demo-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			cfg.CredentialsPath = dir + string(os.PathSeparator) + fiefcli.CredentialsFileName
		}
		if *auto {
			env.Server.SetAutoLogin(demo.Email)
			cfg.OpenBrowser = followWith(env.Server.Client())
		} else {
			fmt.Fprintf(sys.Stdout, "Embedded test Fief at %s: sign in as %s, password %s\n", env.Client.BaseURL(), demo.Email, demo.Password)
		}
	} else if *auto {
		return demo.UsageError("-auto works only with the embedded test Fief (FIEF_BASE_URL unset)")
	}
	auth, err := fiefcli.New(env.Client, cfg)
	if err != nil {
		return err
	}
	if cmd == "doctor" {
		return doctor(ctx, env.Client, auth, sys.Stdout)
	}
	if cmd != "logout" { // logout works offline
		if err := demo.Check(ctx, env.Client, auth.CheckOptions(), sys.Stdout); err != nil {
			return err
		}
	}
	if cmd == "demo" {
		return runDemo(ctx, auth, env, sys.Stdout)
	}
	return commands[cmd](ctx, auth, sys.Stdout)
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

// runDemo signs in, prints the user, renews the token after a day passes
// on the embedded Fief, and signs out.
func runDemo(ctx context.Context, auth *fiefcli.Auth, env *demo.Env, stdout io.Writer) error {
	if err := login(ctx, auth, stdout); err != nil {
		return err
	}
	if err := whoami(ctx, auth, stdout); err != nil {
		return err
	}
	if env.Server != nil {
		before, err := auth.AccessTokenInfo(ctx)
		if err != nil {
			return err
		}
		env.Server.Advance(25 * time.Hour)
		fmt.Fprintln(stdout, "A day later (the embedded Fief's clock moved forward), the access token has expired:")
		if err := whoami(ctx, auth, stdout); err != nil {
			return err
		}
		after, err := auth.AccessTokenInfo(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Renewed with the refresh token: %t\n", after.AccessToken != before.AccessToken)
	}
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
