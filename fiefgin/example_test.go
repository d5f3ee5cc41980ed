package fiefgin_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefgin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/gin-gonic/gin"
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

	gin.SetMode(gin.ReleaseMode)
	auth := fiefgin.New(fiefhttp.New(client, fiefhttp.Config{}), fiefgin.Config{})
	r := gin.New()
	r.GET("/castles", auth.Authenticated(fiefhttp.Permissions("castles:read")), func(c *gin.Context) {
		info, _ := fiefgin.AccessTokenInfo(c)
		c.JSON(http.StatusOK, gin.H{"user": info.ID == user.ID, "permissions": info.Permissions})
	})

	for _, token := range []string{"", srv.MintAccessToken(user.ID, fieftest.TokenOptions{})} {
		req := httptest.NewRequest(http.MethodGet, "/castles", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Printf("%d %s\n", w.Code, w.Body)
	}
	// Output:
	// 401 {"error":"Unauthorized"}
	// 200 {"permissions":["castles:read"],"user":true}
}
