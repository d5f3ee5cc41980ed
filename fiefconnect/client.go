package fiefconnect

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"
)

// ClientInterceptor is the client interceptor: a [connect.Interceptor]
// adding "Authorization: <type> <token>" (normally "Bearer") from an
// [oauth2.TokenSource] to each unary and streaming call of a Connect client
// (handlers' calls go through untouched). Make it with
// [NewClientInterceptor].
//
// The token is sent in clear over a plain-HTTP URL: give the client an
// https URL, except on loopback.
type ClientInterceptor struct {
	src oauth2.TokenSource
}

var _ connect.Interceptor = (*ClientInterceptor)(nil)

// NewClientInterceptor returns the interceptor of src, asked for a token
// on every call: give it a source that caches and refreshes, such as
// fief.Client.TokenSource or oauth2.ReuseTokenSource. It panics if src is
// nil.
func NewClientInterceptor(src oauth2.TokenSource) *ClientInterceptor {
	if src == nil {
		panic("fiefconnect: NewClientInterceptor with a nil oauth2.TokenSource")
	}
	return &ClientInterceptor{src: src}
}

// authorization returns the Authorization header value of the source's
// current token. Its error is a *connect.Error of
// [connect.CodeUnauthenticated] wrapping the source's error (which
// errors.Is and errors.As still reach, such as fief.ErrRefreshTokenRejected).
func (c *ClientInterceptor) authorization() (string, error) {
	tok, err := c.src.Token()
	if err != nil {
		return "", connect.NewError(connect.CodeUnauthenticated, fmt.Errorf("fiefconnect: token source: %w", err))
	}
	if tok == nil || tok.AccessToken == "" {
		return "", connect.NewError(connect.CodeUnauthenticated, errors.New("fiefconnect: token source returned no access token"))
	}
	return tok.Type() + " " + tok.AccessToken, nil
}

// WrapUnary implements [connect.Interceptor]: it adds the token to the
// unary calls of a client.
func (c *ClientInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if !req.Spec().IsClient {
			return next(ctx, req)
		}
		h, err := c.authorization()
		if err != nil {
			return nil, err
		}
		req.Header().Set("Authorization", h)
		return next(ctx, req)
	}
}

// WrapStreamingClient implements [connect.Interceptor]: it adds the token
// to the streaming calls of a client. When the source fails, the stream
// sends nothing and its Send, Receive and CloseRequest return the error.
func (c *ClientInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		h, err := c.authorization()
		if err != nil {
			return &failedConn{StreamingClientConn: conn, err: err}
		}
		conn.RequestHeader().Set("Authorization", h)
		return conn
	}
}

// WrapStreamingHandler implements [connect.Interceptor]: handlers' calls go
// through untouched.
func (c *ClientInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// failedConn is a stream that could not get a token: it never reaches the
// network, every operation returning err.
type failedConn struct {
	connect.StreamingClientConn
	err error
}

func (f *failedConn) Send(any) error       { return f.err }
func (f *failedConn) CloseRequest() error  { return f.err }
func (f *failedConn) Receive(any) error    { return f.err }
func (f *failedConn) CloseResponse() error { return nil }
