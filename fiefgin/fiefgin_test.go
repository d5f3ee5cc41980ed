package fiefgin_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fiefgin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/authcases"
	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.TestMode) }

// handler answers authcases.Body from the *gin.Context accessors.
func handler(c *gin.Context) {
	info, ok := fiefgin.AccessTokenInfo(c)
	user, uok := fiefgin.UserInfo(c)
	c.String(http.StatusOK, authcases.Body(info, ok, user, uok))
}

func serve(r *gin.Engine, header string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

// TestSameAnswersAsFiefhttp runs every case through gin, with the default
// JSONError and with AuthErrorHandler, and through fiefhttp's middleware:
// the same status and headers; the body in JSON by default, fiefhttp's own
// with AuthErrorHandler.
func TestSameAnswersAsFiefhttp(t *testing.T) {
	e := authcases.New(t)
	for _, c := range e.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			want := authcases.Reference(t, e.AuthOf(t, c), c)
			for _, mode := range []string{"JSONError", "AuthErrorHandler"} {
				auth := e.AuthOf(t, c) // a fresh one: the reference used up the fault
				cfg := fiefgin.Config{}
				if mode == "AuthErrorHandler" {
					cfg.ErrorHandler = fiefgin.AuthErrorHandler(auth)
				}
				r := gin.New()
				ran := false
				r.GET("/", fiefgin.New(auth, cfg).Middleware(auth.Route(c.Opts...)), func(c *gin.Context) { ran = true; handler(c) })
				got := serve(r, c.AuthorizationHeader())
				if got.Code != c.Status() || got.Code != want.Code {
					t.Fatalf("%s: status %d, want %d (fiefhttp: %d); body %q", mode, got.Code, c.Status(), want.Code, got.Body)
				}
				for _, h := range []string{"WWW-Authenticate", "Cache-Control"} {
					if g, w := got.Header().Get(h), want.Header().Get(h); g != w {
						t.Errorf("%s: %s %q, fiefhttp %q", mode, h, g, w)
					}
				}
				if ran != (c.Want == fiefhttp.OutcomeAllowed) {
					t.Errorf("%s: handler ran: %v, outcome %v", mode, ran, c.Want)
				}
				switch {
				case c.Want == fiefhttp.OutcomeAllowed:
					if got.Body.String() != e.WantBody(c) {
						t.Errorf("%s: body %q, want %q", mode, got.Body, e.WantBody(c))
					}
				case mode == "AuthErrorHandler":
					if got.Body.String() != want.Body.String() || !reflect.DeepEqual(got.Header(), want.Header()) {
						t.Errorf("%s: %v %q, fiefhttp %v %q", mode, got.Header(), got.Body, want.Header(), want.Body)
					}
				default:
					var body map[string]string
					if err := json.Unmarshal(got.Body.Bytes(), &body); err != nil || len(body) != 1 || body["error"] != http.StatusText(c.Status()) {
						t.Errorf("%s: body %q, want {\"error\":%q}", mode, got.Body, http.StatusText(c.Status()))
					}
					if ct := got.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
						t.Errorf("%s: Content-Type %q, want JSON", mode, ct)
					}
				}
			}
		})
	}
}

// TestCustomHandlers: Config.ErrorHandler answers, and the chain stops even
// when it does not abort; with AuthErrorHandler, the handlers replaced in
// fiefhttp.Config answer.
func TestCustomHandlers(t *testing.T) {
	e := authcases.New(t)
	r := gin.New()
	var seen error
	own := fiefgin.New(e.Auth, fiefgin.Config{ErrorHandler: func(c *gin.Context, err error) {
		seen = err
		c.JSON(http.StatusTeapot, gin.H{"sign_in": "/login"})
	}})
	r.GET("/own", own.Authenticated(), func(c *gin.Context) { c.String(200, "reached") })
	auth := fiefhttp.New(e.Client, fiefhttp.Config{
		Unauthorized: func(w http.ResponseWriter, r *http.Request, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"sign in"}`))
		},
	})
	r.GET("/fiefhttp", fiefgin.New(auth, fiefgin.Config{ErrorHandler: fiefgin.AuthErrorHandler(auth)}).Authenticated(), func(c *gin.Context) { c.String(200, "reached") })

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/own", nil))
	if w.Code != http.StatusTeapot || w.Body.String() != `{"sign_in":"/login"}` || !errors.Is(seen, fiefhttp.ErrNoToken) {
		t.Fatalf("own handler: %d %q, error %v", w.Code, w.Body, seen)
	}
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/fiefhttp", nil))
	if w.Code != 401 || w.Body.String() != `{"error":"sign in"}` {
		t.Fatalf("fiefhttp's handler: %d %q, want the custom answer", w.Code, w.Body)
	}
}

func TestCurrentUser(t *testing.T) {
	e := authcases.New(t)
	r := gin.New()
	r.GET("/", fiefgin.New(e.Auth, fiefgin.Config{}).CurrentUser(fiefhttp.Permissions(authcases.Permission)), handler)
	w := serve(r, "Bearer "+e.Token(fieftest.TokenOptions{}))
	if w.Code != 200 || w.Body.String() != e.User.ID+" "+authcases.Email {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
}
