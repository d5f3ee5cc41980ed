package fiefconnect

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"
	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
)

// Config says what each procedure asks of a call.
type Config struct {
	// Default are the route options of the procedures that are neither in
	// Procedures nor in Public: nil means any valid token.
	Default []fiefhttp.RouteOption
	// Procedures maps procedure names ("/package.Service/Method", as in
	// connect.Spec.Procedure) to their route options, instead of Default.
	Procedures map[string][]fiefhttp.RouteOption
	// Public lists the procedures that need no token: they are not checked
	// at all (use [fiefhttp.Optional] in Procedures to read a token when
	// there is one).
	Public []string
	// ErrorHandler turns a refused call's error (the decision's, to classify
	// with [fiefhttp.Classify] or errors.Is) into the error the client
	// gets; nil means [Error], and so does a nil result (the call stays
	// refused). A WWW-Authenticate value in the metadata of
	// the *connect.Error it returns is moved to the response's headers
	// (HTTP/2 forbids it in the trailers where gRPC puts error metadata), so
	// return a new error on each call.
	ErrorHandler func(ctx context.Context, procedure string, err error) error
}

// Interceptor is the server interceptor: a [connect.Interceptor] checking
// unary and streaming calls on the handler side (it lets a client's calls
// through untouched). Make it with [New]; it is safe for concurrent use.
type Interceptor struct {
	auth    *fiefhttp.Auth
	routes  *fiefhttp.RouteTable
	onError func(ctx context.Context, procedure string, err error) error
}

var _ connect.Interceptor = (*Interceptor)(nil)

// New resolves cfg's routes once. It panics if auth is nil.
func New(auth *fiefhttp.Auth, cfg Config) *Interceptor {
	if auth == nil {
		panic("fiefconnect: New with a nil *fiefhttp.Auth")
	}
	i := &Interceptor{
		auth:    auth,
		routes:  auth.RouteTable(cfg.Default, cfg.Procedures, cfg.Public),
		onError: cfg.ErrorHandler,
	}
	if i.onError == nil {
		i.onError = func(_ context.Context, _ string, err error) error { return Error(err) }
	}
	return i
}

// Authenticate is the decision for one call of procedure with the request
// header h: it returns the context the handler gets, or the error the
// client gets (from [Config.ErrorHandler]). A decision that could not be
// made (Fief unreachable), which the client sees only as CodeUnavailable,
// is logged once, by the [fiefhttp.Auth]'s logger (fiefhttp.Config.Logger;
// by default the client's, whose warnings go to slog.Default).
func (i *Interceptor) Authenticate(ctx context.Context, procedure string, h http.Header) (context.Context, error) {
	out, err := i.auth.CheckAuthorization(ctx, h.Values("Authorization"), i.routes.Lookup(procedure))
	if err != nil {
		if mapped := i.onError(ctx, procedure, err); mapped != nil {
			return nil, mapped
		}
		return nil, Error(err) // a refused call stays refused
	}
	return out, nil
}

// WrapUnary implements [connect.Interceptor]: it checks unary calls
// received by a handler.
func (i *Interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		out, err := i.Authenticate(ctx, req.Spec().Procedure, req.Header())
		if err != nil {
			if info, ok := connect.CallInfoForHandlerContext(ctx); ok {
				challengeToHeader(err, info.ResponseHeader())
			}
			return nil, err
		}
		return next(out, req)
	}
}

// WrapStreamingClient implements [connect.Interceptor]: client calls go
// through untouched.
func (i *Interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements [connect.Interceptor]: it checks
// streaming calls (client, server and bidirectional) before the handler
// reads or sends a message.
func (i *Interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := i.Authenticate(ctx, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			challengeToHeader(err, conn.ResponseHeader())
			return err
		}
		return next(ctx, conn)
	}
}

// challengeToHeader moves the WWW-Authenticate metadata of a
// *connect.Error to the response header h, where every protocol can carry
// it: gRPC sends error metadata as HTTP/2 trailers, which may not hold
// authentication headers (RFC 9110, section 6.5.1), and clients read
// response headers as error metadata too.
func challengeToHeader(err error, h http.Header) {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return
	}
	meta := ce.Meta()
	if v := meta.Values("WWW-Authenticate"); len(v) > 0 {
		h["Www-Authenticate"] = v
		meta.Del("WWW-Authenticate")
	}
}

// AccessTokenInfo returns the token info of an authenticated call; ok is
// false on a public procedure or an anonymous call of an optional one.
func AccessTokenInfo(ctx context.Context) (info fief.AccessTokenInfo, ok bool) {
	return fiefhttp.AccessTokenInfoFrom(ctx)
}

// UserInfo returns the user's claims of a call whose procedure has
// [fiefhttp.WithUser]. Treat the map as read-only.
func UserInfo(ctx context.Context) (user fief.UserInfo, ok bool) {
	return fiefhttp.UserInfoFrom(ctx)
}
