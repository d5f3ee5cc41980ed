package fiefecho_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefecho"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/labstack/echo/v4"
)

func Example() {
	// A test Fief with a client and a user (use your own Fief's URL and
	// client credentials instead).
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		log.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture", Permissions: []string{"castles:read"}})
	if err != nil {
		log.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client()})
	if err != nil {
		panic(err)
	}

	auth := fiefecho.New(fiefhttp.New(client, fiefhttp.Config{}), fiefecho.Config{})
	e := echo.New()
	e.GET("/castles", func(c echo.Context) error {
		info, _ := fiefecho.AccessTokenInfo(c)
		return c.JSON(http.StatusOK, map[string]any{"permissions": info.Permissions})
	}, auth.Authenticated(fiefhttp.Permissions("castles:read")))

	for _, token := range []string{"", srv.MintAccessToken(user.ID, fieftest.TokenOptions{})} {
		req := httptest.NewRequest(http.MethodGet, "/castles", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		fmt.Printf("%d %q %s", w.Code, w.Header().Get("WWW-Authenticate"), w.Body)
	}
	// Output:
	// 401 "Bearer" {"message":"Unauthorized"}
	// 200 "" {"permissions":["castles:read"]}
}
