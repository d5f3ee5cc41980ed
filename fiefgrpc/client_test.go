package fiefgrpc_test

import (
	"net"
	"path/filepath"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefgrpc"
	"github.com/fief-dev/fief-go/internal/authcases"
	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/credentials/local"
	"google.golang.org/grpc/credentials/oauth"
)

// TestClientWithOAuthTokenSource: a client sends its token with gRPC's own
// credentials/oauth.TokenSource fed with a fief token source; it refuses a
// connection without transport security.
func TestClientWithOAuthTokenSource(t *testing.T) {
	e := authcases.New(t)
	// credentials/local counts a Unix socket as a secure transport (and
	// loopback TCP as an insecure one).
	sock := filepath.Join(t.TempDir(), "grpc.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.Creds(local.NewCredentials()), grpc.UnaryInterceptor(fiefgrpc.New(e.Auth, fiefgrpc.Config{}).Unary()))
	srv.RegisterService(&serviceDesc, nil)
	go srv.Serve(ln)
	defer srv.Stop()

	// A token source as a signed-in program has one: a refresh token and
	// no valid access token yet.
	refresh := e.SignIn(t, "openid", "offline_access").RefreshToken
	src, err := e.Client.TokenSource(fief.TokenSourceConfig{Token: &oauth2.Token{RefreshToken: refresh, Expiry: time.Now().Add(-time.Minute)}})
	if err != nil {
		t.Fatal(err)
	}
	creds := grpc.WithPerRPCCredentials(oauth.TokenSource{TokenSource: src})

	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(local.NewCredentials()), creds)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got, err := call(t.Context(), conn, methodWhoAmI); err != nil || got != e.User.ID {
		t.Fatalf("call with the token source: %q, %v", got, err)
	}

	// Without transport security, grpc refuses the credentials: when the
	// connection is made, or else at the call.
	insecureConn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()), creds)
	if err == nil {
		defer insecureConn.Close()
		_, err = call(t.Context(), insecureConn, methodWhoAmI)
	}
	if err == nil {
		t.Fatal("the token was sent over a connection without transport security")
	}
}
