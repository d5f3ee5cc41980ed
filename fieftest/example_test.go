package fieftest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/go-jose/go-jose/v4"
)

// The whole authorization-code flow, with auto-login standing in for the
// browser.
func Example() {
	srv := fieftest.NewServer()
	defer srv.Close()
	client, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{"http://localhost:8080/callback"}})
	if err != nil {
		log.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"})
	if err != nil {
		log.Fatal(err)
	}
	srv.SetAutoLogin(user.Email())

	// The browser goes to the authorization URL and comes back with a code.
	hc := srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(srv.URL + "/authorize?" + url.Values{
		"response_type": {"code"},
		"client_id":     {client.ClientID},
		"redirect_uri":  {"http://localhost:8080/callback"},
		"scope":         {"openid offline_access"},
		"state":         {"xyz"},
	}.Encode())
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	back, _ := resp.Location()
	fmt.Println("state:", back.Query().Get("state"))

	// The application exchanges the code.
	resp, err = srv.Client().PostForm(srv.URL+"/api/token", url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {back.Query().Get("code")},
		"redirect_uri":  {"http://localhost:8080/callback"},
		"client_id":     {client.ClientID},
		"client_secret": {client.ClientSecret},
	})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var tok map[string]any
	json.NewDecoder(resp.Body).Decode(&tok)
	fmt.Println(resp.StatusCode, tok["token_type"], tok["expires_in"], tok["refresh_token"] != nil)
	// Output:
	// state: xyz
	// 200 bearer 86400 true
}

func ExampleServer_MintAccessToken() {
	srv := fieftest.NewUnstartedServer()
	srv.Domain = "fief.example.com"
	srv.SetClock(func() time.Time { return time.Unix(1700000000, 0) })
	srv.Start()
	defer srv.Close()
	if _, err := srv.AddClient(fieftest.ClientConfig{ClientID: "my-app"}); err != nil {
		log.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{
		ID:          "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		Email:       "anne@bretagne.duchy",
		Permissions: []string{"castles:read"},
	})
	if err != nil {
		log.Fatal(err)
	}

	token := srv.MintAccessToken(user.ID, fieftest.TokenOptions{ACR: "1", Lifetime: time.Hour})

	// Anyone can check it against the JWKS.
	var set jose.JSONWebKeySet
	json.Unmarshal(srv.DefaultTenant().PublicJWKS(), &set)
	jws, _ := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	payload, err := jws.Verify(set.Keys[0].Key)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(payload))
	// Output:
	// {"iss":"https://fief.example.com","sub":"3fa85f64-5717-4562-b3fc-2c963f66afa6","aud":["my-app"],"exp":1700003600,"iat":1700000000,"auth_time":1700000000,"acr":"1","azp":"my-app","scope":"openid","permissions":["castles:read"]}
}

func ExampleServer_FailNext() {
	srv := fieftest.NewServer()
	defer srv.Close()
	srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Status: 503, Body: `{"detail":"SERVER_DATABASE_NOT_AVAILABLE"}`})

	for range 2 {
		resp, err := srv.Client().Get(srv.URL + "/.well-known/openid-configuration")
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println(srv.RequestCount(fieftest.EndpointDiscovery), "requests")
	// Output:
	// 503
	// 200
	// 2 requests
}

func ExampleServer_AddTenant() {
	srv := fieftest.NewUnstartedServer()
	srv.Domain = "fief.example.com"
	srv.Start()
	defer srv.Close()
	secondary, err := srv.AddTenant("secondary")
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(srv.Issuer())
	fmt.Println(secondary.Issuer())
	fmt.Println(strings.TrimPrefix(secondary.BaseURL(), srv.URL))
	// Output:
	// https://fief.example.com
	// https://fief.example.com/secondary
	// /secondary
}

// Driving the login form like a browser would.
func ExampleServer_BrowserClient() {
	srv := fieftest.NewServer()
	defer srv.Close()
	client, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{"http://localhost:8080/callback"}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"}); err != nil {
		log.Fatal(err)
	}

	browser := srv.BrowserClient()
	resp, err := browser.Get(srv.URL + "/authorize?" + url.Values{
		"response_type": {"code"},
		"client_id":     {client.ClientID},
		"redirect_uri":  {"http://localhost:8080/callback"},
		"scope":         {"openid"},
	}.Encode())
	if err != nil {
		panic(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Request.URL.Path)
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(string(page))[1]

	resp, err = browser.PostForm(srv.URL+"/login", url.Values{
		"email":      {"anne@bretagne.duchy"},
		"password":   {"herminetincture"},
		"csrf_token": {csrf},
	})
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	back, _ := resp.Location()
	fmt.Println(resp.StatusCode, back.Host+back.Path, back.Query().Has("code"))
	// Output:
	// /login
	// 302 localhost:8080/callback true
}

func ExampleServer_EmailVerificationCode() {
	srv := fieftest.NewServer()
	defer srv.Close()
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		log.Fatal(err)
	}
	token := srv.MintAccessToken(user.ID, fieftest.TokenOptions{ACR: "1"})

	call := func(method, path, body string) int {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(call("PATCH", "/api/email/change", `{"email":"duchess@bretagne.duchy"}`))
	code, _ := srv.EmailVerificationCode(user.ID)
	fmt.Println(call("POST", "/api/email/verify", `{"code":"`+code+`"}`))
	fmt.Println(user.Email())
	// Output:
	// 202
	// 200
	// duchess@bretagne.duchy
}
