// Package fiefconnect protects Connect (connectrpc.com/connect) services
// with Fief (https://docs.fief.dev) access tokens, and sends a token from
// Connect clients. It is a thin adapter of [fiefhttp]: the same
// [fiefhttp.Auth] makes the same decision
// ([fiefhttp.Auth.CheckAuthorization]) as the net/http middleware, on the
// "Authorization: Bearer <token>" header of each call, for the Connect,
// gRPC and gRPC-Web protocols alike.
//
//	auth := fiefhttp.New(client, fiefhttp.Config{})
//	ic := fiefconnect.New(auth, fiefconnect.Config{
//		Public:     []string{"/castles.v1.CastleService/Ping"},
//		Procedures: map[string][]fiefhttp.RouteOption{"/castles.v1.CastleService/Storm": {fiefhttp.Permissions("castles:write")}},
//	})
//	path, handler := castlesv1connect.NewCastleServiceHandler(svc, connect.WithInterceptors(ic))
//
// A refused call gets a *connect.Error: [connect.CodeUnauthenticated] (no
// token, or one that is not valid), [connect.CodePermissionDenied] (a valid
// token lacking a scope, the ACR or a permission) or
// [connect.CodeUnavailable] (Fief cannot be reached), with a fixed message
// that never carries internal details and, for the first two, RFC 6750's
// WWW-Authenticate challenge in the error's metadata, as fiefhttp sends it
// ([Error]; [Config.ErrorHandler] replaces it). A call refused because Fief
// could not be reached is logged once, by the fiefhttp.Auth's logger. A handler reads the token's
// info with [AccessTokenInfo] (and the user with [UserInfo] when its
// procedure has [fiefhttp.WithUser]).
//
// [Interceptor.Wrap] makes the same decision as HTTP middleware in front of
// the Connect handlers, in the manner of connectrpc.com/authn, so that a
// refused call is answered before its request is decompressed and
// unmarshalled.
//
// # Clients
//
// [NewClientInterceptor] adds "Authorization: Bearer <token>" to every call
// of a Connect client, unary and streaming, from an [oauth2.TokenSource]:
// fief.Client.TokenSource for a refresh token, or fiefcli's token source for
// a signed-in terminal user.
//
//	client := castlesv1connect.NewCastleServiceClient(http.DefaultClient, "https://castles.example",
//		connect.WithInterceptors(fiefconnect.NewClientInterceptor(src)))
package fiefconnect
