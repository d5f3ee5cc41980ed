// Package fiefgrpc protects gRPC (google.golang.org/grpc) services with
// Fief (https://docs.fief.dev) access tokens: unary and stream server
// interceptors reading "authorization: Bearer <token>" from the incoming
// metadata, with requirements per full method name. It is a thin adapter
// of [fiefhttp]: the same [fiefhttp.Auth] makes the same decision
// ([fiefhttp.Auth.CheckAuthorization]) as the net/http middleware.
//
//	auth := fiefhttp.New(client, fiefhttp.Config{})
//	ic := fiefgrpc.New(auth, fiefgrpc.Config{
//		Public:  []string{"/castles.Castles/Ping"},
//		Methods: map[string][]fiefhttp.RouteOption{"/castles.Castles/Storm": {fiefhttp.Permissions("castles:write")}},
//	})
//	srv := grpc.NewServer(ic.ServerOptions()...)
//
// [Interceptor.ServerOptions] installs both interceptors, so that no
// streaming method is left unchecked; [Interceptor.Unary] and
// [Interceptor.Stream] are there to chain them in an order of your own.
//
// Outcomes become status errors: codes.Unauthenticated (no token, or one
// that is not valid), codes.PermissionDenied (a valid token lacking a scope,
// the ACR or a permission) and codes.Unavailable (Fief cannot be reached);
// their messages never carry internal details ([Config.ErrorHandler]
// replaces them). A handler reads the token's info with [AccessTokenInfo]
// (and the user with [UserInfo] when its route has [fiefhttp.WithUser]).
//
// # Clients
//
// A client sends its token with gRPC's own per-RPC credentials,
// google.golang.org/grpc/credentials/oauth.TokenSource, fed with a token
// source of fief-go: fief.Client.TokenSource for a refresh token, or
// fiefcli.Auth.TokenSource for a signed-in terminal user. It refuses to send
// the token over a connection without transport security.
//
//	conn, err := grpc.NewClient(addr,
//		grpc.WithTransportCredentials(credentials.NewTLS(nil)),
//		grpc.WithPerRPCCredentials(oauth.TokenSource{TokenSource: cli.TokenSource()}))
package fiefgrpc

import (
	"context"
	"errors"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Config says what each method asks of a request.
type Config struct {
	// Default are the route options of the methods that are neither in
	// Methods nor in Public: nil means any valid token.
	Default []fiefhttp.RouteOption
	// Methods maps full method names ("/package.Service/Method") to their
	// route options, instead of Default.
	Methods map[string][]fiefhttp.RouteOption
	// Public lists the full method names that need no token: they are not
	// checked at all (use [fiefhttp.Optional] in Methods to read a token
	// when there is one).
	Public []string
	// ErrorHandler turns a refused request's error into the error the
	// client gets; nil means [StatusError], which is also used when
	// ErrorHandler returns nil: a refused call stays refused.
	ErrorHandler func(ctx context.Context, fullMethod string, err error) error
}

// Interceptor holds the resolved routes of a service. Make it with [New];
// it is safe for concurrent use.
type Interceptor struct {
	auth    *fiefhttp.Auth
	routes  *fiefhttp.RouteTable
	onError func(ctx context.Context, fullMethod string, err error) error
}

// New resolves cfg's routes once. It panics if auth is nil.
func New(auth *fiefhttp.Auth, cfg Config) *Interceptor {
	if auth == nil {
		panic("fiefgrpc: New with a nil *fiefhttp.Auth")
	}
	i := &Interceptor{
		auth:    auth,
		routes:  auth.RouteTable(cfg.Default, cfg.Methods, cfg.Public),
		onError: cfg.ErrorHandler,
	}
	if i.onError == nil {
		i.onError = func(_ context.Context, _ string, err error) error { return StatusError(err) }
	}
	return i
}

// Authenticate is the decision of the interceptors for one call, in the
// shape of go-grpc-middleware's auth.AuthFunc: it returns the context the
// handler gets, or the status error the client gets.
func (i *Interceptor) Authenticate(ctx context.Context, fullMethod string) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	out, err := i.auth.CheckAuthorization(ctx, md.Get("authorization"), i.routes.Lookup(fullMethod))
	if err != nil {
		if mapped := i.onError(ctx, fullMethod, err); mapped != nil {
			return nil, mapped
		}
		return nil, StatusError(err) // a refused call stays refused
	}
	return out, nil
}

// ServerOptions returns the options of grpc.NewServer that install both
// interceptors, unary and stream, chained after any installed before
// them (grpc.ChainUnaryInterceptor, grpc.ChainStreamInterceptor): every
// method of the server, unary or streaming, is checked.
//
//	srv := grpc.NewServer(ic.ServerOptions()...)
func (i *Interceptor) ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(i.Unary()),
		grpc.ChainStreamInterceptor(i.Stream()),
	}
}

// Unary returns the unary server interceptor. Install the stream
// interceptor too ([Interceptor.Stream]), or both with
// [Interceptor.ServerOptions]: a server given only this one leaves its
// streaming methods unchecked.
func (i *Interceptor) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := i.Authenticate(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// Stream returns the stream server interceptor.
func (i *Interceptor) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := i.Authenticate(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &stream{ServerStream: ss, ctx: ctx})
	}
}

// stream is a ServerStream with the authenticated context.
type stream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stream) Context() context.Context { return s.ctx }

// StatusError is the default [Config.ErrorHandler]: a status error of
// codes.Unauthenticated, codes.PermissionDenied or codes.Unavailable with a
// fixed message (the error's details stay on the server).
func StatusError(err error) error {
	switch fiefhttp.Classify(err) {
	case fiefhttp.OutcomeUnauthorized:
		if errors.Is(err, fiefhttp.ErrNoToken) {
			return status.Error(codes.Unauthenticated, "missing access token")
		}
		return status.Error(codes.Unauthenticated, "invalid access token")
	case fiefhttp.OutcomeForbidden:
		return status.Error(codes.PermissionDenied, "the access token lacks a required scope, ACR or permission")
	}
	return status.Error(codes.Unavailable, "authentication is unavailable, retry later")
}

// AccessTokenInfo returns the token info of an authenticated call; ok is
// false on a public method or an anonymous call of an optional route.
func AccessTokenInfo(ctx context.Context) (info fief.AccessTokenInfo, ok bool) {
	return fiefhttp.AccessTokenInfoFrom(ctx)
}

// UserInfo returns the user's claims of a call whose route has
// [fiefhttp.WithUser]. Treat the map as read-only.
func UserInfo(ctx context.Context) (user fief.UserInfo, ok bool) {
	return fiefhttp.UserInfoFrom(ctx)
}
