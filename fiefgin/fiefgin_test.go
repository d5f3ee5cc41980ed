package fiefgin_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefgin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/authcases"
	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.TestMode) }

// handler answers authcases.Body from the *gin.Context accessors, and
// checks that the request context says the same.
func handler(c *gin.Context) {
	info, ok := fiefgin.AccessTokenInfo(c)
	user, uok := fiefgin.UserInfo(c)
	if v, set := c.Get(fiefgin.AccessTokenInfoKey); set != ok || (ok && v.(fief.AccessTokenInfo).ID != info.ID) {
		c.String(500, "c.Get disagrees with the request context")
		return
	}
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

// TestSameAnswersAsFiefhttp runs every case through gin and through
// fiefhttp's middleware: same status, challenge and body.
func TestSameAnswersAsFiefhttp(t *testing.T) {
	e := authcases.New(t)
	for _, c := range e.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			auth := e.AuthOf(t, c)
			want := authcases.Reference(t, auth, c)
			if c.Auth != nil {
				auth = e.AuthOf(t, c) // a fresh one: the reference used up the fault
			}
			r := gin.New()
			ran := false
			r.GET("/", fiefgin.Middleware(auth, auth.Route(c.Opts...)), func(c *gin.Context) { ran = true; handler(c) })
			got := serve(r, c.AuthorizationHeader())
			if got.Code != c.Status() || got.Code != want.Code {
				t.Fatalf("status %d, want %d (fiefhttp: %d); body %q", got.Code, c.Status(), want.Code, got.Body)
			}
			if g, w := got.Header().Get("WWW-Authenticate"), want.Header().Get("WWW-Authenticate"); g != w {
				t.Errorf("WWW-Authenticate %q, fiefhttp %q", g, w)
			}
			if got.Body.String() != want.Body.String() {
				t.Errorf("body %q, fiefhttp %q", got.Body, want.Body)
			}
			if c.Want != fiefhttp.OutcomeAllowed && !reflect.DeepEqual(got.Header(), want.Header()) {
				t.Errorf("headers %v, fiefhttp %v", got.Header(), want.Header())
			}
			if c.Want == fiefhttp.OutcomeAllowed && got.Body.String() != e.WantBody(c) {
				t.Errorf("body %q, want %q", got.Body, e.WantBody(c))
			}
			if ran != (c.Want == fiefhttp.OutcomeAllowed) {
				t.Errorf("handler ran: %v, outcome %v", ran, c.Want)
			}
		})
	}
}

// TestCustomHandler: the Auth's replaced handlers answer, and the chain
// stops.
func TestCustomHandler(t *testing.T) {
	e := authcases.New(t)
	auth := fiefhttp.New(e.Client, fiefhttp.Config{
		Unauthorized: func(w http.ResponseWriter, r *http.Request, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"sign in"}`))
		},
	})
	r := gin.New()
	r.GET("/", fiefgin.Authenticated(auth), func(c *gin.Context) { c.String(200, "reached") })
	w := serve(r, "")
	if w.Code != 401 || w.Body.String() != `{"error":"sign in"}` {
		t.Fatalf("got %d %q, want the custom answer", w.Code, w.Body)
	}
}

func TestCurrentUser(t *testing.T) {
	e := authcases.New(t)
	r := gin.New()
	r.GET("/", fiefgin.CurrentUser(e.Auth, fiefhttp.Permissions(authcases.Permission)), handler)
	w := serve(r, "Bearer "+e.Token(fieftest.TokenOptions{}))
	if w.Code != 200 || w.Body.String() != e.User.ID+" "+authcases.Email {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
}
