package main

import (
	"context"
	"path"

	"github.com/fief-dev/fief-go/fiefgrpc"
	"github.com/fief-dev/fief-go/fiefhttp"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The full names of the service's methods.
const (
	methodPing        = "/castles.Castles/Ping"
	methodWhoAmI      = "/castles.Castles/WhoAmI"
	methodListCastles = "/castles.Castles/ListCastles"
)

// methods maps the method names of the command line to full names.
var methods = map[string]string{
	"Ping":        methodPing,
	"WhoAmI":      methodWhoAmI,
	"ListCastles": methodListCastles,
}

// interceptor protects the service: Ping is public, ListCastles needs the
// permission, and the other methods (WhoAmI) any valid access token.
func interceptor(auth *fiefhttp.Auth) *fiefgrpc.Interceptor {
	return fiefgrpc.New(auth, fiefgrpc.Config{
		Public:  []string{methodPing},
		Methods: map[string][]fiefhttp.RouteOption{methodListCastles: {fiefhttp.Permissions("castles:read")}},
	})
}

// serviceDesc describes the service to grpc, as protoc-gen-go-grpc would
// from a .proto file; the messages are protobuf's well-known types.
var serviceDesc = grpc.ServiceDesc{
	ServiceName: "castles.Castles",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		unary(methodPing, func(context.Context) string { return "pong" }),
		unary(methodWhoAmI, func(ctx context.Context) string {
			info, _ := fiefgrpc.AccessTokenInfo(ctx) // set: the method is protected
			return info.ID
		}),
		unary(methodListCastles, func(context.Context) string { return "Nantes, Suscinio, Josselin" }),
	},
}

// unary describes a method taking Empty and answering answer(ctx) as a
// StringValue, through the server's interceptor.
func unary(fullMethod string, answer func(context.Context) string) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: path.Base(fullMethod),
		Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			in := new(emptypb.Empty)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, _ any) (any, error) { return wrapperspb.String(answer(ctx)), nil }
			if ic == nil {
				return h(ctx, in)
			}
			return ic(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: fullMethod}, h)
		},
	}
}
