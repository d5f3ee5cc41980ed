package fiefhttp_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// exampleFief starts a test Fief with a client and a user, and returns a
// fief.Client for it.
func exampleFief() (*fieftest.Server, *fieftest.Client, *fieftest.User, *fief.Client) {
	srv := fieftest.NewServer()
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
	return srv, fc, user, client
}

func ExampleAuth_Authenticated() {
	srv, _, user, client := exampleFief()
	defer srv.Close()

	auth := fiefhttp.New(client, fiefhttp.Config{TokenGetter: fiefhttp.AuthorizationHeader("Bearer")})
	mux := http.NewServeMux()
	mux.Handle("GET /castles", auth.Authenticated(fiefhttp.Permissions("castles:read"))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info, _ := fiefhttp.AccessTokenInfoFrom(r.Context())
			fmt.Fprintf(w, "castles for a token with scope %v", info.Scope)
		})))
	api := httptest.NewServer(mux)
	defer api.Close()

	for _, token := range []string{"", "not-a-jwt", srv.MintAccessToken(user.ID, fieftest.TokenOptions{})} {
		req, _ := http.NewRequest("GET", api.URL+"/castles", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %q %s\n", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	// Output:
	// 401 "Bearer" Unauthorized
	//
	// 401 "Bearer error=\"invalid_token\"" Unauthorized
	//
	// 200 "" castles for a token with scope [openid]
}

func ExampleAuth_CurrentUser() {
	srv, _, user, client := exampleFief()
	defer srv.Close()

	auth := fiefhttp.New(client, fiefhttp.Config{UserInfoCache: fiefhttp.NewMemoryUserInfoCache(1000, 0)})
	h := auth.CurrentUser()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := fiefhttp.UserInfoFrom(r.Context())
		fmt.Fprintf(w, "Hello %s", u.Email())
	}))

	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+srv.MintAccessToken(user.ID, fieftest.TokenOptions{}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)
	// Output: 200 Hello anne@bretagne.duchy
}

func ExampleConfig_forbidden() {
	srv, _, user, client := exampleFief()
	defer srv.Close()

	auth := fiefhttp.New(client, fiefhttp.Config{
		Forbidden: func(w http.ResponseWriter, r *http.Request, err error) {
			switch {
			case errors.Is(err, fief.ErrACRTooLow):
				http.Error(w, "please sign in again", http.StatusForbidden)
			default:
				fiefhttp.Forbidden(w, r, err)
			}
		},
	})
	h := auth.Authenticated(fiefhttp.MinACR(fief.ACRLevel1))(http.NotFoundHandler())

	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+srv.MintAccessToken(user.ID, fieftest.TokenOptions{ACR: "0"}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body)
	// Output: 403 please sign in again
}

func ExampleFirstOf() {
	getter := fiefhttp.FirstOf(fiefhttp.AuthorizationHeader("Bearer"), fiefhttp.Cookie("session"))

	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "from-cookie"})
	token, err := getter(req)
	fmt.Println(token, err)

	req.Header.Set("Authorization", "Bearer from-header")
	token, err = getter(req)
	fmt.Println(token, err)

	req.Header.Set("Authorization", "Bearer two parts")
	_, err = getter(req)
	fmt.Println(errors.Is(err, fiefhttp.ErrMalformedToken))
	// Output:
	// from-cookie <nil>
	// from-header <nil>
	// true
}

func ExampleNewWebFlow() {
	srv, fc, _, client := exampleFief()
	defer srv.Close()
	srv.SetAutoLogin("anne@bretagne.duchy") // skip Fief's login form

	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{
		InsecureCookies: true, // plain-http test server; never in production
	})
	if err != nil {
		panic(err)
	}
	auth := flow.Auth()
	mux := http.NewServeMux()
	mux.Handle("GET /protected", auth.CurrentUser()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := fiefhttp.UserInfoFrom(r.Context())
		fmt.Fprintf(w, "You are authenticated. Your user email is %s", u.Email())
	})))
	mux.HandleFunc("GET /auth-callback", flow.Callback)
	mux.HandleFunc("POST /logout", flow.Logout)
	app := httptest.NewServer(mux)
	defer app.Close()
	fc.AddRedirectURI(app.URL + "/auth-callback")

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(app.URL + "/protected") // to Fief and back
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Request.URL.Path, string(body))
	// Output: 200 /protected You are authenticated. Your user email is anne@bretagne.duchy
}
