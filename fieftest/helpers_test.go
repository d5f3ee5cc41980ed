package fieftest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/go-jose/go-jose/v4"
)

const (
	redirectURI = "http://localhost:8080/callback"
	password    = "herminetincture"
)

// env is a started server with a first-party client and a verified user.
type env struct {
	srv    *fieftest.Server
	client *fieftest.Client
	user   *fieftest.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	client, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{
		Email:       "anne@bretagne.duchy",
		Password:    password,
		Fields:      map[string]any{"given_name": "Anne"},
		Permissions: []string{"castles:read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, client: client, user: user}
}

// noRedirect returns a client of srv that does not follow redirects.
func noRedirect(srv *fieftest.Server) *http.Client {
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// authorizeURL builds base/authorize with params (client_id,
// redirect_uri, response_type=code and scope=openid by default; an empty
// value removes a default).
func authorizeURL(base string, params map[string]string) string {
	v := url.Values{}
	for k, d := range map[string]string{"response_type": "code", "scope": "openid"} {
		v.Set(k, d)
	}
	for k, p := range params {
		if p == "" {
			v.Del(k)
		} else {
			v.Set(k, p)
		}
	}
	return base + "/authorize?" + v.Encode()
}

// get does a GET and fails the test on a transport error.
func get(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values) *http.Response {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// startLogin opens authURL in browser b and returns the login page's CSRF
// token, failing unless the flow lands on the login form.
func startLogin(t *testing.T, b *http.Client, authURL string) string {
	t.Helper()
	resp := get(t, b, authURL)
	page := browsertest.Body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/login") {
		t.Fatalf("authorize: %d at %s, want the login page", resp.StatusCode, resp.Request.URL)
	}
	for _, want := range []string{`name="email" id="email"`, `name="password" id="password"`, `id="submit"`} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	return browsertest.CSRF(t, page)
}

// callback checks that resp is the 302 back to the client and returns its
// Location.
func callback(t *testing.T, resp *http.Response) *url.URL {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("got %d at %s, want 302 to the client", resp.StatusCode, resp.Request.URL)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// tokenCall posts form to base/api/token and decodes the JSON answer.
func tokenCall(t *testing.T, c *http.Client, base string, form url.Values, basic ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(browsertest.Body(t, resp)), &body); err != nil {
		t.Fatalf("token answer is not JSON: %v", err)
	}
	return resp.StatusCode, body, resp.Header
}

// fetchJWKS reads a tenant's JWKS over HTTP.
func fetchJWKS(t *testing.T, c *http.Client, base string) jose.JSONWebKeySet {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(browsertest.Body(t, get(t, c, base+"/.well-known/jwks.json"))), &set); err != nil {
		t.Fatal(err)
	}
	return set
}

// verifyJWS checks a compact JWS independently of the server: header
// exactly {"alg":"RS256","kid"}, signature by the JWKS key with that kid.
// It returns the claims.
func verifyJWS(t *testing.T, token string, set jose.JSONWebKeySet) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", token)
	}
	var hdr map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
	json.Unmarshal(raw, &hdr)
	if len(hdr) != 2 || hdr["alg"] != "RS256" || hdr["kid"] == nil {
		t.Errorf("JWS header = %v, want exactly alg RS256 and kid", hdr)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in JWKS", jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(keys[0].Key)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// halfHash is the c_hash/at_hash of v, computed here independently.
func halfHash(v string) string {
	h := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

func s256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// bearer does an API call with a bearer token and a JSON body.
func bearer(t *testing.T, c *http.Client, method, u, token, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, u, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, browsertest.Body(t, resp)
}

// jsonEq reports whether two JSON texts are equal as values.
func jsonEq(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%v in %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%v in %s", err, want)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}
