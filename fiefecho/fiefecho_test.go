package fiefecho_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/fief-dev/fief-go/fiefecho"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/authcases"
	"github.com/labstack/echo/v4"
)

func handler(c echo.Context) error {
	info, ok := fiefecho.AccessTokenInfo(c)
	user, uok := fiefecho.UserInfo(c)
	return c.String(http.StatusOK, authcases.Body(info, ok, user, uok))
}

func serve(e *echo.Echo, header string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

// TestSameAnswersAsFiefhttp runs every case through echo, with the default
// *echo.HTTPError and with AuthErrorHandler, and through fiefhttp's
// middleware.
func TestSameAnswersAsFiefhttp(t *testing.T) {
	env := authcases.New(t)
	for _, c := range env.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			want := authcases.Reference(t, env.AuthOf(t, c), c)
			for _, mode := range []string{"HTTPError", "AuthErrorHandler"} {
				auth := env.AuthOf(t, c)
				cfg := fiefecho.Config{}
				if mode == "AuthErrorHandler" {
					cfg.ErrorHandler = fiefecho.AuthErrorHandler(auth)
				}
				e := echo.New()
				ran := false
				e.GET("/", func(ec echo.Context) error { ran = true; return handler(ec) }, fiefecho.New(auth, cfg).Middleware(auth.Route(c.Opts...)))
				got := serve(e, c.AuthorizationHeader())
				if got.Code != c.Status() || got.Code != want.Code {
					t.Fatalf("%s: status %d, want %d (fiefhttp: %d); body %q", mode, got.Code, c.Status(), want.Code, got.Body)
				}
				if g, w := got.Header().Get("WWW-Authenticate"), want.Header().Get("WWW-Authenticate"); g != w {
					t.Errorf("%s: WWW-Authenticate %q, fiefhttp %q", mode, g, w)
				}
				if ran != (c.Want == fiefhttp.OutcomeAllowed) {
					t.Errorf("%s: handler ran: %v, outcome %v", mode, ran, c.Want)
				}
				switch {
				case c.Want == fiefhttp.OutcomeAllowed:
					if got.Body.String() != env.WantBody(c) {
						t.Errorf("%s: body %q, want %q", mode, got.Body, env.WantBody(c))
					}
				case mode == "AuthErrorHandler":
					if got.Body.String() != want.Body.String() {
						t.Errorf("%s: body %q, fiefhttp %q", mode, got.Body, want.Body)
					}
					if !reflect.DeepEqual(got.Header(), want.Header()) {
						t.Errorf("%s: headers %v, fiefhttp %v", mode, got.Header(), want.Header())
					}
				default: // echo's default error handler renders the HTTPError
					var m struct{ Message string }
					if err := json.Unmarshal(got.Body.Bytes(), &m); err != nil || m.Message != http.StatusText(c.Status()) {
						t.Errorf("%s: body %q, want echo's JSON of %q", mode, got.Body, http.StatusText(c.Status()))
					}
				}
			}
		})
	}
}

// TestHTTPErrorCarriesTheReason: a custom echo error handler gets the
// decision's error as the HTTPError's internal cause.
func TestHTTPErrorCarriesTheReason(t *testing.T) {
	env := authcases.New(t)
	e := echo.New()
	var got error
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		got = err
		c.NoContent(499)
	}
	e.GET("/", handler, fiefecho.New(env.Auth, fiefecho.Config{}).Authenticated(fiefhttp.Permissions("castles:write")))
	w := serve(e, "Bearer "+env.Token(fieftest.TokenOptions{}))
	var he *echo.HTTPError
	if w.Code != 499 || !errors.As(got, &he) || he.Code != 403 || fiefhttp.Classify(he.Internal) != fiefhttp.OutcomeForbidden {
		t.Fatalf("status %d, error %v", w.Code, got)
	}
}

func TestSkipperAndCurrentUser(t *testing.T) {
	env := authcases.New(t)
	e := echo.New()
	cfg := fiefecho.Config{Skipper: func(c echo.Context) bool { return c.Request().Header.Get("X-Health") != "" }}
	e.GET("/", handler, fiefecho.New(env.Auth, cfg).CurrentUser())
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Health", "1")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != "anonymous" {
		t.Fatalf("skipped request: %d %q", w.Code, w.Body)
	}
	w = serve(e, "Bearer "+env.Token(fieftest.TokenOptions{}))
	if w.Code != 200 || w.Body.String() != env.User.ID+" "+authcases.Email {
		t.Fatalf("current user: %d %q", w.Code, w.Body)
	}
}
