package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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
		return serveHTTP(b, ginEngine(fiefgin.New(auth, fiefgin.Config{}).Authenticated()), token)
	}},
	{"echo-bare", func(b *testing.B, _ *fiefhttp.Auth, token string) func() { return serveHTTP(b, echoServer(), token) }},
	{"fiefecho", func(b *testing.B, auth *fiefhttp.Auth, token string) func() {
		return serveHTTP(b, echoServer(fiefecho.New(auth, fiefecho.Config{}).Authenticated()), token)
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
	auth, token := adapterAuth(b)
	for _, ac := range adapterCases {
		b.Run(fmt.Sprintf("rsa=2048/%s", ac.name), func(b *testing.B) {
			op := ac.setup(b, auth, token)
			op()
			loop(b, op)
		})
	}
}

// BenchmarkAdapterOverhead measures each adapter's overhead against its
// bare framework in pairs: every iteration serves one request without
// authentication and one through the adapter (in alternating order), each
// timed, so that both see the same machine load. It reports the median,
// over batches of 64 pairs, of the per-request difference as
// "overhead-ns/op" (wall time; a preempted batch moves one sample, not the
// median) and the bare request's time as "bare-ns/op"; ns/op is the pair's.
// Names are AdapterOverhead/rsa=2048/ADAPTER.
func BenchmarkAdapterOverhead(b *testing.B) {
	auth, token := adapterAuth(b)
	for i := 0; i+1 < len(adapterCases); i += 2 {
		bareCase, withCase := adapterCases[i], adapterCases[i+1]
		b.Run(fmt.Sprintf("rsa=2048/%s", withCase.name), func(b *testing.B) {
			bare, with := bareCase.setup(b, auth, token), withCase.setup(b, auth, token)
			bare()
			with()
			const batch = 64
			var overhead, bareNs []float64
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += batch {
				n := min(batch, b.N-done)
				var tBare, tWith time.Duration
				for j := range n {
					first, second := bare, with
					if j%2 == 1 {
						first, second = with, bare
					}
					t0 := time.Now()
					first()
					t1 := time.Now()
					second()
					t2 := time.Now()
					if j%2 == 1 {
						tWith, tBare = tWith+t1.Sub(t0), tBare+t2.Sub(t1)
					} else {
						tBare, tWith = tBare+t1.Sub(t0), tWith+t2.Sub(t1)
					}
				}
				overhead = append(overhead, float64(tWith-tBare)/float64(n))
				bareNs = append(bareNs, float64(tBare)/float64(n))
			}
			b.StopTimer()
			b.ReportMetric(medianOf(overhead), "overhead-ns/op")
			b.ReportMetric(medianOf(bareNs), "bare-ns/op")
		})
	}
}

// medianOf returns the median of v.
func medianOf(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// adapterAuth returns the Auth of the adapter benchmarks, its client
// warmed with the RSA-2048 token it returns.
func adapterAuth(b *testing.B) (*fiefhttp.Auth, string) {
	gin.SetMode(gin.ReleaseMode)
	s := signers(b)[2048]
	srv := newKeyServer(b, s)
	token := s.sign(b, newClaims(time.Now()))
	c := newClient(b, srv, 0, nil)
	warm(b, c, token)
	return fiefhttp.New(c, fiefhttp.Config{}), token
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
