package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"github.com/fief-dev/fief-go/internal/demotest"
)

func TestMain(m *testing.M) {
	demotest.MaybeRunMain(main)
	os.Exit(m.Run())
}

var routeNames = strings.Fields(demotest.APIRoutes)

// TestRunDemo runs the program as a user would, with -demo: the printed
// curl command works on every route.
func TestRunDemo(t *testing.T) {
	t.Setenv("FIEF_BASE_URL", "")
	appURL, output := demotest.Start(t, run, "-demo")
	demotest.CheckAPIEmbedded(t, appURL, output(), "Unauthorized\n")
}

// TestNoFiefNoDemo: without FIEF_BASE_URL and without -demo, the program
// stops with a message naming both, and starts no demo Fief.
func TestNoFiefNoDemo(t *testing.T) { demotest.CheckNoFiefNoDemo(t, "-addr", "localhost:0") }

// TestRoutes checks each route's requirements with tokens lacking them.
func TestRoutes(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: fiefdemo.Email})
	if err != nil {
		t.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	h := routes(fiefhttp.New(client, fiefhttp.Config{}))
	plain := srv.MintAccessToken(user.ID, fieftest.TokenOptions{}) // openid, ACR 0, no permission
	want := map[string]int{
		"/authenticated":             200,
		"/authenticated-scope":       403,
		"/authenticated-permissions": 403,
		"/authenticated-acr":         403,
		"/authenticated-optional":    200,
	}
	for _, route := range routeNames {
		r := httptest.NewRequest("GET", route, nil)
		r.Header.Set("Authorization", "Bearer "+plain)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want[route] {
			t.Errorf("%s: %d, want %d", route, w.Code, want[route])
		}
	}
}

// TestRunWithFiefFromEnvironment points the program at a Fief through the
// environment variables.
func TestRunWithFiefFromEnvironment(t *testing.T) { demotest.CheckAPIFromEnvironment(t, run) }

// TestBadConfiguration: a mistake on the command line is one line; an
// invalid configuration, or one Fief refuses, stops the program with the
// report of the startup check.
func TestBadConfiguration(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		env    []string
		args   []string
		report bool
		wants  []string
	}{
		{"wrong secret", []string{"FIEF_BASE_URL=" + srv.URL, "FIEF_CLIENT_ID=" + fc.ClientID, "FIEF_CLIENT_SECRET=wrong-secret-1234"}, nil, true,
			[]string{"FAILURE  client_credentials", "FIEF_CLIENT_SECRET", "skipped  redirect_uri        an API has no sign-in callback"}},
		{"wrong tenant", []string{"FIEF_BASE_URL=" + srv.URL + "/nope", "FIEF_CLIENT_ID=" + fc.ClientID, "FIEF_CLIENT_SECRET=" + fc.ClientSecret}, nil, true,
			[]string{"FAILURE  discovery", "check the tenant slug"}},
		{"unreachable Fief", []string{"FIEF_BASE_URL=http://127.0.0.1:1", "FIEF_CLIENT_ID=x"}, nil, true, []string{"FAILURE  reachable"}},
		{"malformed URL", []string{"FIEF_BASE_URL=ftp//nope", "FIEF_CLIENT_ID=x"}, nil, false, []string{"BaseURL", "has no scheme"}},
		{"missing client ID", []string{"FIEF_BASE_URL=http://127.0.0.1:1", "FIEF_CLIENT_ID="}, nil, false, []string{"ClientID: is empty"}},
		{"bad address", []string{"FIEF_BASE_URL="}, []string{"-demo", "-addr", "nowhere"}, false, []string{"-addr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if args == nil {
				args = []string{"-addr", "localhost:0"}
			}
			_, stderr, code := demotest.RunMain(t, tt.env, args...)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if tt.report != strings.HasPrefix(stderr, "the Fief configuration does not work:\nFief check of ") {
				t.Errorf("stderr, report %v:\n%s", tt.report, stderr)
			}
			if !tt.report && (strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n")) {
				t.Errorf("stderr %q, want one line", stderr)
			}
			for _, want := range tt.wants {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr, "wrong-secret-1234") {
				t.Errorf("the secret is shown:\n%s", stderr)
			}
		})
	}
}

// TestStartupWarning: a configuration that works but needs attention (a
// public client given a secret that is not its own) prints the report of
// the startup check, and the API starts anyway.
func TestStartupWarning(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{Public: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FIEF_BASE_URL", srv.URL)
	t.Setenv("FIEF_CLIENT_ID", fc.ClientID)
	t.Setenv("FIEF_CLIENT_SECRET", "wrong-secret-1234")
	appURL, output := demotest.Start(t, run)
	out := output()
	for _, want := range []string{
		"Fief check of " + srv.URL,
		"): warning\n",
		"WARNING  client_credentials",
		"fix: remove FIEF_CLIENT_SECRET",
		"skipped  redirect_uri",
		"Listening on " + appURL,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "WARNING") > strings.Index(out, "Listening on") {
		t.Errorf("the report comes after the server starts:\n%s", out)
	}
	if strings.Contains(out, "wrong-secret-1234") {
		t.Errorf("the secret is shown:\n%s", out)
	}
	resp, err := http.Get(appURL + "/authenticated")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /authenticated without a token: %d, want 401", resp.StatusCode)
	}
}
