package fiefconnect_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefconnect"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"golang.org/x/oauth2"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

const redirectURI = "http://app.localhost/callback"

// signedIn is a fieftest server, a client of it, and the tokens of its
// user after the authorization code flow with offline_access.
type signedIn struct {
	srv    *fieftest.Server
	client *fief.Client
	user   *fieftest.User
	first  *fief.TokenResponse
}

func signIn(t *testing.T) *signedIn {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client(), Clock: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	verifier := fief.GenerateCodeVerifier()
	challenge := fief.CodeChallenge(verifier)
	authURL, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI, State: "st", Scopes: []string{"openid", "offline_access"}, CodeChallenge: challenge})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetAutoLogin(user.Email())
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI) {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, _, err := c.ExchangeCode(ctx, fief.ExchangeParams{Code: loc.Query().Get("code"), RedirectURI: redirectURI, CodeVerifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	return &signedIn{srv: srv, client: c, user: user, first: tok}
}

// TestClientInterceptor: a Connect client with fief's token source sends
// the token on unary and streaming calls; the expired token it starts from
// is refreshed once, and the server sees the new one.
func TestClientInterceptor(t *testing.T) {
	si := signIn(t)
	src, err := si.client.TokenSource(fief.TokenSourceConfig{Token: &oauth2.Token{
		AccessToken: si.first.AccessToken, RefreshToken: si.first.RefreshToken, Expiry: si.srv.Now().Add(-time.Second),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string // access tokens the handlers got
	ic := fiefconnect.New(fiefhttp.New(si.client, fiefhttp.Config{}), fiefconnect.Config{})
	s := newService(t, nil, connect.WithInterceptors(ic), connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if info, ok := fiefconnect.AccessTokenInfo(ctx); ok {
				seen = append(seen, info.AccessToken)
			}
			return next(ctx, req)
		}
	})))
	cli := fiefconnect.NewClientInterceptor(src)
	before := si.srv.RequestCount(fieftest.EndpointToken)
	for proto, copts := range protocols {
		copts = append(copts, connect.WithInterceptors(cli))
		for range 2 {
			got, err := s.call(t, whoami, "", copts...)
			if err != nil || got != si.user.ID {
				t.Fatalf("%s unary: %q, %v; want %q", proto, got, err, si.user.ID)
			}
		}
		c := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](s.srv.Client(), s.srv.URL+watch, copts...)
		st, err := c.CallServerStream(context.Background(), connect.NewRequest(&emptypb.Empty{}))
		if err != nil {
			t.Fatalf("%s stream: %v", proto, err)
		}
		n := 0
		for st.Receive() {
			if st.Msg().GetValue() != si.user.ID {
				t.Errorf("%s stream: got %q", proto, st.Msg().GetValue())
			}
			n++
		}
		if err := st.Err(); err != nil || n != 2 {
			t.Errorf("%s stream: %d messages, %v", proto, n, err)
		}
		st.Close()
	}
	if n := si.srv.RequestCount(fieftest.EndpointToken) - before; n != 1 {
		t.Errorf("%d refreshes, want 1 (the expired starting token)", n)
	}
	if len(seen) != 6 {
		t.Fatalf("handlers saw %d tokens, want 6", len(seen))
	}
	for _, tok := range seen {
		if tok == si.first.AccessToken || tok != seen[0] {
			t.Fatalf("handlers saw the expired token or several tokens")
		}
	}
}

// TestClientInterceptorSourceFails: a token source that fails (a revoked
// refresh token) stops the call before it reaches the network, with
// CodeUnauthenticated wrapping the source's error.
func TestClientInterceptorSourceFails(t *testing.T) {
	si := signIn(t)
	if _, _, err := si.client.Refresh(context.Background(), si.first.RefreshToken, nil); err != nil { // rotates it out
		t.Fatal(err)
	}
	src, err := si.client.TokenSource(fief.TokenSourceConfig{Token: &oauth2.Token{RefreshToken: si.first.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	requests := 0
	s := newService(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests++; h.ServeHTTP(w, r) })
	})
	for proto, copts := range protocols {
		copts = append(copts, connect.WithInterceptors(fiefconnect.NewClientInterceptor(src)))
		_, err := s.call(t, whoami, "", copts...)
		wantSourceError(t, proto+" unary", err)
		c := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](s.srv.Client(), s.srv.URL+watch, copts...)
		st, err := c.CallServerStream(context.Background(), connect.NewRequest(&emptypb.Empty{}))
		if err == nil {
			for st.Receive() {
				t.Errorf("%s stream: received a message", proto)
			}
			err = st.Err()
			st.Close()
		}
		wantSourceError(t, proto+" stream", err)
	}
	if requests != 0 {
		t.Errorf("%d requests reached the server", requests)
	}
}

func wantSourceError(t *testing.T, where string, err error) {
	t.Helper()
	if connect.CodeOf(err) != connect.CodeUnauthenticated || !errors.Is(err, fief.ErrRefreshTokenRejected) {
		t.Errorf("%s: err = %v, want CodeUnauthenticated matching fief.ErrRefreshTokenRejected", where, err)
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Errorf("%s: err = %v, want an *oauth2.RetrieveError", where, err)
	}
}
