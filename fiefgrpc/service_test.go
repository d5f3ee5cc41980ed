package fiefgrpc_test

import (
	"context"
	"io"

	"github.com/fief-dev/fief-go/fiefgrpc"
	"github.com/fief-dev/fief-go/internal/authcases"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// A small service without generated code: the methods take and return
// protobuf's StringValue, and answer authcases.Body of their context.
const (
	serviceName  = "test.Castles"
	methodWhoAmI = "/test.Castles/WhoAmI"
	methodPing   = "/test.Castles/Ping"
	methodWatch  = "/test.Castles/Watch"
)

func body(ctx context.Context) string {
	info, ok := fiefgrpc.AccessTokenInfo(ctx)
	user, uok := fiefgrpc.UserInfo(ctx)
	return authcases.Body(info, ok, user, uok)
}

func unary(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor, method string) (any, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	h := func(ctx context.Context, _ any) (any, error) { return wrapperspb.String(body(ctx)), nil }
	if ic == nil {
		return h(ctx, in)
	}
	return ic(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: method}, h)
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "WhoAmI", Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			return unary(srv, ctx, dec, ic, methodWhoAmI)
		}},
		{MethodName: "Ping", Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			return unary(srv, ctx, dec, ic, methodPing)
		}},
	},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Watch",
		ServerStreams: true,
		Handler: func(srv any, ss grpc.ServerStream) error {
			in := new(wrapperspb.StringValue)
			if err := ss.RecvMsg(in); err != nil && err != io.EOF {
				return err
			}
			return ss.SendMsg(wrapperspb.String(body(ss.Context())))
		},
	}},
}

// call invokes a unary method with a generic client connection.
func call(ctx context.Context, conn *grpc.ClientConn, method string) (string, error) {
	out := new(wrapperspb.StringValue)
	if err := conn.Invoke(ctx, method, wrapperspb.String("hi"), out); err != nil {
		return "", err
	}
	return out.GetValue(), nil
}

// watch opens the server stream and reads its one message.
func watch(ctx context.Context, conn *grpc.ClientConn) (string, error) {
	st, err := conn.NewStream(ctx, &serviceDesc.Streams[0], methodWatch)
	if err != nil {
		return "", err
	}
	if err := st.SendMsg(wrapperspb.String("hi")); err != nil {
		return "", err
	}
	if err := st.CloseSend(); err != nil {
		return "", err
	}
	out := new(wrapperspb.StringValue)
	if err := st.RecvMsg(out); err != nil {
		return "", err
	}
	return out.GetValue(), nil
}
