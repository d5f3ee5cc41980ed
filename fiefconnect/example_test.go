package fiefconnect_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"connectrpc.com/connect"
	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefconnect"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"golang.org/x/oauth2"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
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

	// The server: one procedure asking for a permission. With generated
	// code, pass connect.WithInterceptors(ic) to NewXxxServiceHandler.
	const list = "/castles.v1.CastleService/List"
	ic := fiefconnect.New(fiefhttp.New(client, fiefhttp.Config{}), fiefconnect.Config{
		Procedures: map[string][]fiefhttp.RouteOption{list: {fiefhttp.Permissions("castles:read")}},
	})
	mux := http.NewServeMux()
	mux.Handle(list, connect.NewUnaryHandler(list, func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
		info, _ := fiefconnect.AccessTokenInfo(ctx)
		return connect.NewResponse(wrapperspb.String(fmt.Sprint("castles of the user: ", info.ID == user.ID))), nil
	}, connect.WithInterceptors(ic)))
	api := httptest.NewServer(mux)
	defer api.Close()

	// A client without a token is refused.
	anonymous := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](api.Client(), api.URL+list)
	_, err = anonymous.CallUnary(context.Background(), connect.NewRequest(&emptypb.Empty{}))
	fmt.Println(connect.CodeOf(err), err.(*connect.Error).Meta().Get("WWW-Authenticate"))

	// A client sending the token of a token source (use
	// client.TokenSource with a refresh token, or fiefcli's).
	src := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: srv.MintAccessToken(user.ID, fieftest.TokenOptions{}), TokenType: "Bearer"})
	signedIn := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](api.Client(), api.URL+list,
		connect.WithInterceptors(fiefconnect.NewClientInterceptor(src)))
	resp, err := signedIn.CallUnary(context.Background(), connect.NewRequest(&emptypb.Empty{}))
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Msg.GetValue())
	// Output:
	// unauthenticated Bearer
	// castles of the user: true
}
