package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/fief-dev/fief-go/fiefconnect"
	"github.com/fief-dev/fief-go/fiefecho"
	"github.com/fief-dev/fief-go/fiefgin"
	"github.com/fief-dev/fief-go/fiefgrpc"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// adapterProcedure is the procedure (gRPC full method) of the adapter
// benchmarks.
const adapterProcedure = "/castles.v1.CastleService/List"

// adapterCase is one framework, without authentication ("bare") or behind
// fief-go's adapter on the cached path: op serves one request and fails
// the benchmark unless it succeeds.
type adapterCase struct {
	name  string
	setup func(b *testing.B, auth *fiefhttp.Auth, token string) (op func())
}

var adapterCases = []adapterCase{
	{"http-bare", func(b *testing.B, _ *fiefhttp.Auth, token string) func() { return serveHTTP(b, okHandler, token) }},
	{"fiefhttp", func(b *testing.B, auth *fiefhttp.Auth, token string) func() {
		return serveHTTP(b, auth.Authenticated()(okHandler), token)
	}},
	{"gin-bare", func(b *testing.B, _ *fiefhttp.Auth, token string) func() { return serveHTTP(b, ginEngine(), token) }},
	{"fiefgin", func(b *testing.B, auth *fiefhttp.Auth, token string) func() {
		return serveHTTP(b, ginEngine(fiefgin.Authenticated(auth)), token)
	}},
	{"echo-bare", func(b *testing.B, _ *fiefhttp.Auth, token string) func() { return serveHTTP(b, echoServer(), token) }},
	{"fiefecho", func(b *testing.B, auth *fiefhttp.Auth, token string) func() {
		return serveHTTP(b, echoServer(fiefecho.Authenticated(auth, fiefecho.Config{})), token)
	}},
	{"grpc-bare", func(b *testing.B, _ *fiefhttp.Auth, token string) func() { return callGRPC(b, nil, token) }},
	{"fiefgrpc", func(b *testing.B, auth *fiefhttp.Auth, token string) func() {
		return callGRPC(b, fiefgrpc.New(auth, fiefgrpc.Config{}).Unary(), token)
	}},
	{"connect-bare", func(b *testing.B, _ *fiefhttp.Auth, token string) func() {
		return serveConnect(b, connectHandler(), token)
	}},
	{"fiefconnect", func(b *testing.B, auth *fiefhttp.Auth, token string) func() {
		return serveConnect(b, connectHandler(connect.WithInterceptors(fiefconnect.New(auth, fiefconnect.Config{}))), token)
	}},
}

// BenchmarkAdapters measures the cached-token path of every adapter of
// fief-go next to its framework without authentication and next to
// fiefhttp's middleware, in the same run: the overhead of an adapter is
// its row minus its "-bare" row. gin, echo and net/http serve a GET built
// with httptest.NewRequest into a new httptest.ResponseRecorder (as
// BenchmarkMiddleware); Connect serves a unary POST of the Connect
// protocol (an empty protobuf message) the same way, through its real
// handler; gRPC calls the unary server interceptor in process with a new
// incoming-metadata context (what grpc-go hands it after parsing the
// HTTP/2 headers): a loopback connection would add tens of microseconds of
// network and HTTP/2 work to both rows and bury the difference. Names are
// Adapters/rsa=2048/CASE.
func BenchmarkAdapters(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	s := signers(b)[2048]
	srv := newKeyServer(b, s)
	token := s.sign(b, newClaims(time.Now()))
	c := newClient(b, srv, 0, nil)
	warm(b, c, token)
	auth := fiefhttp.New(c, nil)
	for _, ac := range adapterCases {
		b.Run(fmt.Sprintf("rsa=2048/%s", ac.name), func(b *testing.B) {
			op := ac.setup(b, auth, token)
			op()
			loop(b, op)
		})
	}
}

// serveHTTP serves a GET /orders with the token to h.
func serveHTTP(b *testing.B, h http.Handler, token string) func() {
	return func() {
		req := httptest.NewRequest(http.MethodGet, "/orders", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func ginEngine(mw ...gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.GET("/orders", append(mw, func(c *gin.Context) { c.String(http.StatusOK, "ok") })...)
	return r
}

func echoServer(mw ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.GET("/orders", func(c echo.Context) error { return c.String(http.StatusOK, "ok") }, mw...)
	return e
}

// callGRPC calls a unary handler through the interceptor ic (none for
// nil), with the token in the incoming metadata.
func callGRPC(b *testing.B, ic grpc.UnaryServerInterceptor, token string) func() {
	info := &grpc.UnaryServerInfo{FullMethod: adapterProcedure}
	handler := func(context.Context, any) (any, error) { return wrapperspb.String("ok"), nil }
	req := &emptypb.Empty{}
	return func() {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+token))
		var err error
		if ic == nil {
			_, err = handler(ctx, req)
		} else {
			_, err = ic(ctx, req, info, handler)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func connectHandler(opts ...connect.HandlerOption) http.Handler {
	return connect.NewUnaryHandler(adapterProcedure, func(context.Context, *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
		return connect.NewResponse(wrapperspb.String("ok")), nil
	}, opts...)
}

// serveConnect serves a unary call of the Connect protocol with the token
// to h.
func serveConnect(b *testing.B, h http.Handler, token string) func() {
	return func() {
		req := httptest.NewRequest(http.MethodPost, adapterProcedure, strings.NewReader(""))
		req.Header.Set("Content-Type", "application/proto")
		req.Header.Set("Connect-Protocol-Version", "1")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
