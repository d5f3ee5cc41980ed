package fiefgrpc_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fiefgrpc"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/authcases"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// serve starts a gRPC server with the interceptors (ServerOptions, after
// opts) on a loopback listener and returns a client connection to it.
func serve(t *testing.T, ic *fiefgrpc.Interceptor, opts ...grpc.ServerOption) *grpc.ClientConn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(append(opts, ic.ServerOptions()...)...)
	srv.RegisterService(&serviceDesc, nil)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func wantCode(o fiefhttp.Outcome) codes.Code {
	return map[fiefhttp.Outcome]codes.Code{
		fiefhttp.OutcomeAllowed:      codes.OK,
		fiefhttp.OutcomeUnauthorized: codes.Unauthenticated,
		fiefhttp.OutcomeForbidden:    codes.PermissionDenied,
		fiefhttp.OutcomeUnavailable:  codes.Unavailable,
	}[o]
}

// TestSameDecisionAsFiefhttp runs every case through a real gRPC server,
// unary and streaming, and through fiefhttp's middleware: the codes match
// the reference's statuses, and the handler sees the same token.
func TestSameDecisionAsFiefhttp(t *testing.T) {
	e := authcases.New(t)
	for _, c := range e.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			ref := authcases.Reference(t, e.AuthOf(t, c), c)
			if ref.Code != c.Status() {
				t.Fatalf("fiefhttp answered %d, want %d", ref.Code, c.Status())
			}
			for _, kind := range []string{"unary", "stream"} {
				auth := e.AuthOf(t, c) // fresh for each call: a fault is used up
				conn := serve(t, fiefgrpc.New(auth, fiefgrpc.Config{Default: c.Opts}))
				ctx := t.Context()
				if h := c.AuthorizationHeader(); h != "" {
					ctx = metadata.AppendToOutgoingContext(ctx, "authorization", h)
				}
				var got string
				var err error
				if kind == "unary" {
					got, err = call(ctx, conn, methodWhoAmI)
				} else {
					got, err = watch(ctx, conn)
				}
				if code := status.Code(err); code != wantCode(c.Want) {
					t.Fatalf("%s: code %v (%v), want %v", kind, code, err, wantCode(c.Want))
				}
				if c.Want == fiefhttp.OutcomeAllowed && got != e.WantBody(c) {
					t.Errorf("%s: handler saw %q, want %q", kind, got, e.WantBody(c))
				}
				if err != nil && (len(status.Convert(err).Message()) > 80 || containsAny(status.Convert(err).Message(), "stack trace", "fief:", c.Token)) {
					t.Errorf("%s: message %q carries details", kind, status.Convert(err).Message())
				}
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestPerMethodRequirements: public methods need nothing, listed methods
// their own options, others the default.
func TestPerMethodRequirements(t *testing.T) {
	e := authcases.New(t)
	ic := fiefgrpc.New(e.Auth, fiefgrpc.Config{
		Default: []fiefhttp.RouteOption{fiefhttp.Permissions(authcases.Permission)},
		Methods: map[string][]fiefhttp.RouteOption{methodWhoAmI: {fiefhttp.Permissions("castles:write")}},
		Public:  []string{methodPing},
	})
	conn := serve(t, ic)
	token := e.Token(fieftest.TokenOptions{})
	authed := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+token)

	if got, err := call(t.Context(), conn, methodPing); err != nil || got != "anonymous" {
		t.Errorf("public method without token: %q, %v", got, err)
	}
	if _, err := call(authed, conn, methodWhoAmI); status.Code(err) != codes.PermissionDenied {
		t.Errorf("listed method lacking its permission: %v, want PermissionDenied", err)
	}
	if got, err := watch(authed, conn); err != nil || got != e.User.ID {
		t.Errorf("default route with its permission: %q, %v", got, err)
	}
	if _, err := watch(t.Context(), conn); status.Code(err) != codes.Unauthenticated {
		t.Errorf("default route without token: %v, want Unauthenticated", err)
	}
}

// TestServerOptionsChain: ServerOptions checks unary and streaming methods
// and keeps the interceptors installed before it, which run first.
func TestServerOptionsChain(t *testing.T) {
	e := authcases.New(t)
	var seen []string
	conn := serve(t, fiefgrpc.New(e.Auth, fiefgrpc.Config{}),
		grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			seen = append(seen, info.FullMethod)
			return h(ctx, req)
		}),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			seen = append(seen, info.FullMethod)
			return h(srv, ss)
		}))
	if _, err := call(t.Context(), conn, methodWhoAmI); status.Code(err) != codes.Unauthenticated {
		t.Errorf("unary call without token: %v, want Unauthenticated", err)
	}
	if _, err := watch(t.Context(), conn); status.Code(err) != codes.Unauthenticated {
		t.Errorf("streaming call without token: %v, want Unauthenticated", err)
	}
	authed := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+e.Token(fieftest.TokenOptions{}))
	if got, err := watch(authed, conn); err != nil || got != e.User.ID {
		t.Errorf("streaming call with a token: %q, %v", got, err)
	}
	if want := []string{methodWhoAmI, methodWatch, methodWatch}; !slices.Equal(seen, want) {
		t.Errorf("the interceptors installed before ran for %q, want %q", seen, want)
	}
}

// TestErrorHandler: a replaced error mapper gets the decision's error.
func TestErrorHandler(t *testing.T) {
	e := authcases.New(t)
	var gotMethod string
	var gotErr error
	ic := fiefgrpc.New(e.Auth, fiefgrpc.Config{ErrorHandler: func(_ context.Context, method string, err error) error {
		gotMethod, gotErr = method, err
		return status.Error(codes.FailedPrecondition, "sign in first")
	}})
	_, err := call(t.Context(), serve(t, ic), methodWhoAmI)
	if status.Code(err) != codes.FailedPrecondition || status.Convert(err).Message() != "sign in first" {
		t.Fatalf("err %v, want the mapper's", err)
	}
	if gotMethod != methodWhoAmI || !errors.Is(gotErr, fiefhttp.ErrNoToken) {
		t.Errorf("mapper got %q, %v", gotMethod, gotErr)
	}
}

func TestStatusError(t *testing.T) {
	for _, c := range []struct {
		err  error
		want codes.Code
	}{
		{fiefhttp.ErrNoToken, codes.Unauthenticated},
		{fiefhttp.ErrMalformedToken, codes.Unauthenticated},
		{context.DeadlineExceeded, codes.Unavailable},
	} {
		if got := status.Code(fiefgrpc.StatusError(c.err)); got != c.want {
			t.Errorf("StatusError(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestErrorHandlerReturningNil: a mapper returning nil does not let the
// call through.
func TestErrorHandlerReturningNil(t *testing.T) {
	e := authcases.New(t)
	ic := fiefgrpc.New(e.Auth, fiefgrpc.Config{ErrorHandler: func(context.Context, string, error) error { return nil }})
	if _, err := call(t.Context(), serve(t, ic), methodWhoAmI); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("err %v, want Unauthenticated", err)
	}
}
