package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"github.com/fief-dev/fief-go/internal/demotest"
	"github.com/gin-gonic/gin"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	demotest.MaybeRunMain(main)
	os.Exit(m.Run())
}

var routeNames = strings.Fields(demotest.APIRoutes)

// TestRunDemo runs the program as a user would, with -demo: the printed
// curl command works on every route, and an anonymous request gets
// examples/api's answer.
func TestRunDemo(t *testing.T) {
	t.Setenv("FIEF_BASE_URL", "")
	appURL, output := demotest.Start(t, run, "-demo")
	demotest.CheckAPIEmbedded(t, appURL, output(), `{"error":"Unauthorized"}`)
}

// apiRoutes are the routes of examples/api (net/http and fiefhttp), the
// reference the gin routes must answer like.
func apiRoutes(auth *fiefhttp.Auth) http.Handler {
	tokenInfo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		info, ok := fiefhttp.AccessTokenInfoFrom(r.Context())
		if !ok {
			io.WriteString(w, "{}\n")
			return
		}
		json.NewEncoder(w).Encode(info)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /authenticated", auth.Authenticated()(tokenInfo))
	mux.Handle("GET /authenticated-scope", auth.Authenticated(fiefhttp.Scopes("openid", "required_scope"))(tokenInfo))
	mux.Handle("GET /authenticated-permissions", auth.Authenticated(fiefhttp.Permissions(fiefdemo.Permission))(tokenInfo))
	mux.Handle("GET /authenticated-acr", auth.Authenticated(fiefhttp.MinACR(fief.ACRLevel1))(tokenInfo))
	mux.Handle("GET /authenticated-optional", auth.Authenticated(fiefhttp.Optional())(tokenInfo))
	return mux
}

// TestSameAnswersAsAPI: for every route and every kind of token (none,
// malformed, expired, lacking the scope, ACR and permission, meeting every
// requirement), the gin routes answer the status and headers of
// examples/api's routes, its body when allowed and gin's JSON when refused.
func TestSameAnswersAsAPI(t *testing.T) {
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
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client(), Clock: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	auth := fiefhttp.New(client, fiefhttp.Config{TokenGetter: fiefhttp.AuthorizationHeader("Bearer")})
	ginRoutes, reference := routes(auth), apiRoutes(auth)
	tokens := map[string]string{
		"none":      "",
		"malformed": "not-a-jwt",
		"expired":   srv.MintAccessToken(user.ID, fieftest.TokenOptions{Lifetime: -time.Minute}),
		"plain":     srv.MintAccessToken(user.ID, fieftest.TokenOptions{}), // openid, ACR 0, no permission
		"full": srv.MintAccessToken(user.ID, fieftest.TokenOptions{
			Scopes:      []string{"openid", "required_scope"},
			Permissions: []string{fiefdemo.Permission},
			ACR:         string(fief.ACRLevel1),
		}),
	}
	statuses := map[int]int{}
	for kind, token := range tokens {
		for _, route := range routeNames {
			get := func(h http.Handler) *httptest.ResponseRecorder {
				r := httptest.NewRequest("GET", route, nil)
				if token != "" {
					r.Header.Set("Authorization", "Bearer "+token)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w
			}
			got, want := get(ginRoutes), get(reference)
			statuses[want.Code]++
			headers := []string{"Content-Type", "WWW-Authenticate", "Cache-Control"}
			wantBody := want.Body.String()
			if want.Code != http.StatusOK { // refusals: the same status and headers, gin's JSON body
				headers = headers[1:]
				wantBody = `{"error":"` + http.StatusText(want.Code) + `"}`
			}
			if got.Code != want.Code || got.Body.String() != wantBody {
				t.Errorf("%s token, %s: gin %d %q, api %d %q", kind, route, got.Code, got.Body, want.Code, wantBody)
			}
			for _, h := range headers {
				if got.Header().Get(h) != want.Header().Get(h) {
					t.Errorf("%s token, %s: %s %q, api %q", kind, route, h, got.Header().Get(h), want.Header().Get(h))
				}
			}
		}
	}
	// Every outcome was compared: allowed, unauthorized and forbidden.
	if statuses[200] == 0 || statuses[401] == 0 || statuses[403] == 0 {
		t.Errorf("statuses compared: %v", statuses)
	}
}

// TestRunWithFiefFromEnvironment points the program at a Fief through the
// environment variables.
// TestNoFiefNoDemo: without FIEF_BASE_URL and without -demo, the program
// stops with a message naming both, and starts no demo Fief.
func TestNoFiefNoDemo(t *testing.T) { demotest.CheckNoFiefNoDemo(t, "-addr", "localhost:0") }

func TestRunWithFiefFromEnvironment(t *testing.T) { demotest.CheckAPIFromEnvironment(t, run) }

// TestBadConfiguration: the program stops with status 1 and says what is
// wrong.
func TestBadConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		args    []string
		wantErr string
	}{
		{"unreachable Fief", []string{"FIEF_BASE_URL=http://127.0.0.1:1", "FIEF_CLIENT_ID=x"}, nil, "http://127.0.0.1:1"},
		{"missing client ID", []string{"FIEF_BASE_URL=http://127.0.0.1:1", "FIEF_CLIENT_ID="}, nil, "ClientID: is empty"},
		{"bad address", []string{"FIEF_BASE_URL="}, []string{"-demo", "-addr", "nowhere"}, "-addr"},
		{"unknown flag", []string{"FIEF_BASE_URL="}, []string{"-port", "1"}, "-port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if args == nil {
				args = []string{"-addr", "localhost:0"}
			}
			_, stderr, code := demotest.RunMain(t, tt.env, args...)
			if code != 1 || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("exit code %d, stderr %q; want 1 and %q", code, stderr, tt.wantErr)
			}
		})
	}
}
