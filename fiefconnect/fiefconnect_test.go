package fiefconnect_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/fief-dev/fief-go/fiefconnect"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/authcases"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

const (
	whoami = "/castles.v1.CastleService/Whoami"
	ping   = "/castles.v1.CastleService/Ping"
	storm  = "/castles.v1.CastleService/Storm"
	watch  = "/castles.v1.CastleService/Watch"
)

// protocols are the client options of the three protocols Connect serves.
var protocols = map[string][]connect.ClientOption{
	"connect": nil,
	"grpc":    {connect.WithGRPC()},
	"grpcweb": {connect.WithGRPCWeb()},
}

// service is a Connect service on a real loopback listener (TLS and HTTP/2,
// so that gRPC works), whose procedures answer authcases.Body. ran counts
// the calls that reached a handler.
type service struct {
	srv *httptest.Server
	ran int
}

func body(ctx context.Context) string {
	info, ok := fiefconnect.AccessTokenInfo(ctx)
	user, uok := fiefconnect.UserInfo(ctx)
	return authcases.Body(info, ok, user, uok)
}

// newService serves whoami, ping, storm (unary) and watch (server streaming: the
// body, twice) behind opts; wrap, when set, wraps the mux.
func newService(t *testing.T, wrap func(http.Handler) http.Handler, opts ...connect.HandlerOption) *service {
	t.Helper()
	s := &service{}
	unary := func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
		s.ran++
		return connect.NewResponse(wrapperspb.String(body(ctx))), nil
	}
	mux := http.NewServeMux()
	mux.Handle(whoami, connect.NewUnaryHandler(whoami, unary, opts...))
	mux.Handle(ping, connect.NewUnaryHandler(ping, unary, opts...))
	mux.Handle(storm, connect.NewUnaryHandler(storm, unary, opts...))
	mux.Handle(watch, connect.NewServerStreamHandler(watch, func(ctx context.Context, _ *connect.Request[emptypb.Empty], st *connect.ServerStream[wrapperspb.StringValue]) error {
		s.ran++
		for range 2 {
			if err := st.Send(wrapperspb.String(body(ctx))); err != nil {
				return err
			}
		}
		return nil
	}, opts...))
	var h http.Handler = mux
	if wrap != nil {
		h = wrap(mux)
	}
	s.srv = httptest.NewUnstartedServer(h)
	s.srv.EnableHTTP2 = true
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	return s
}

// call calls a unary procedure with the Authorization header (none for "").
func (s *service) call(t *testing.T, procedure, authorization string, opts ...connect.ClientOption) (string, error) {
	t.Helper()
	c := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](s.srv.Client(), s.srv.URL+procedure, opts...)
	req := connect.NewRequest(&emptypb.Empty{})
	if authorization != "" {
		req.Header().Set("Authorization", authorization)
	}
	resp, err := c.CallUnary(context.Background(), req)
	if err != nil {
		return "", err
	}
	return resp.Msg.GetValue(), nil
}

// wantError checks a refused call's error: the code of the case's outcome,
// the fixed message, and fiefhttp's WWW-Authenticate challenge.
func wantError(t *testing.T, where string, err error, code connect.Code, challenge string) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%s: err = %v, want a *connect.Error", where, err)
	}
	if ce.Code() != code {
		t.Fatalf("%s: code %v (%q), want %v", where, ce.Code(), ce.Message(), code)
	}
	switch ce.Message() {
	case "missing access token", "invalid access token", "the access token lacks a required scope, ACR or permission", "authentication is unavailable, retry later":
	default:
		t.Errorf("%s: message %q, want one of fiefconnect's fixed messages", where, ce.Message())
	}
	if got := ce.Meta().Get("WWW-Authenticate"); got != challenge {
		t.Errorf("%s: WWW-Authenticate %q, fiefhttp %q", where, got, challenge)
	}
}

var codes = map[fiefhttp.Outcome]connect.Code{
	fiefhttp.OutcomeUnauthorized: connect.CodeUnauthenticated,
	fiefhttp.OutcomeForbidden:    connect.CodePermissionDenied,
	fiefhttp.OutcomeUnavailable:  connect.CodeUnavailable,
}

// TestSameAnswersAsFiefhttp runs every case through a Connect service over
// loopback, in the three protocols, with the interceptor and with Wrap, and
// through fiefhttp's middleware: same outcome, same challenge, same body.
func TestSameAnswersAsFiefhttp(t *testing.T) {
	env := authcases.New(t)
	for _, c := range env.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			want := authcases.Reference(t, env.AuthOf(t, c), c)
			if want.Code != c.Status() {
				t.Fatalf("fiefhttp answered %d, the case wants %d", want.Code, c.Status())
			}
			for _, mode := range []string{"interceptor", "Wrap"} {
				for proto, copts := range protocols {
					auth := env.AuthOf(t, c) // a fresh one: a fault is used up by each call
					ic := fiefconnect.New(auth, fiefconnect.Config{Procedures: map[string][]fiefhttp.RouteOption{whoami: c.Opts}})
					var s *service
					if mode == "Wrap" {
						s = newService(t, func(h http.Handler) http.Handler { return ic.Wrap(h) })
					} else {
						s = newService(t, nil, connect.WithInterceptors(ic))
					}
					got, err := s.call(t, whoami, c.AuthorizationHeader(), copts...)
					if c.Want == fiefhttp.OutcomeAllowed {
						if err != nil {
							t.Fatalf("%s/%s: %v, want %q", mode, proto, err, env.WantBody(c))
						}
						if got != env.WantBody(c) || got != want.Body.String() {
							t.Errorf("%s/%s: body %q, want %q (fiefhttp %q)", mode, proto, got, env.WantBody(c), want.Body)
						}
					} else {
						wantError(t, mode+"/"+proto, err, codes[c.Want], want.Header().Get("WWW-Authenticate"))
					}
					if ran := s.ran == 1; ran != (c.Want == fiefhttp.OutcomeAllowed) {
						t.Errorf("%s/%s: handler ran %d times, outcome %v", mode, proto, s.ran, c.Want)
					}
				}
			}
		})
	}
}

// TestProcedures: Public procedures are not checked, Procedures override
// Default, and Default applies to the others, with the interceptor and
// with Wrap.
func TestProcedures(t *testing.T) {
	env := authcases.New(t)
	basic := "Bearer " + env.Token(fieftest.TokenOptions{})
	ic := fiefconnect.New(env.Auth, fiefconnect.Config{
		Default:    []fiefhttp.RouteOption{fiefhttp.Permissions("castles:write")},
		Procedures: map[string][]fiefhttp.RouteOption{whoami: {fiefhttp.Permissions(authcases.Permission)}},
		Public:     []string{ping},
	})
	for _, s := range []*service{
		newService(t, nil, connect.WithInterceptors(ic)),
		newService(t, func(h http.Handler) http.Handler { return ic.Wrap(h) }),
	} {
		testProcedures(t, env, s, basic)
	}
}

func testProcedures(t *testing.T, env *authcases.Env, s *service, basic string) {
	t.Helper()
	for _, tc := range []struct {
		procedure, authorization string
		want                     connect.Code // 0: allowed
		body                     string
	}{
		{ping, "", 0, "anonymous"},
		{ping, "Bearer not-a-token", 0, "anonymous"},
		{whoami, basic, 0, env.User.ID},
		{whoami, "", connect.CodeUnauthenticated, ""},
		{storm, basic, connect.CodePermissionDenied, ""},
		{storm, "", connect.CodeUnauthenticated, ""},
	} {
		got, err := s.call(t, tc.procedure, tc.authorization)
		if tc.want == 0 {
			if err != nil || got != tc.body {
				t.Errorf("%s with %q: %q, %v; want %q", tc.procedure, tc.authorization, got, err, tc.body)
			}
			continue
		}
		if connect.CodeOf(err) != tc.want {
			t.Errorf("%s with %q: %v, want %v", tc.procedure, tc.authorization, err, tc.want)
		}
	}
}

// TestStreaming: a server stream is refused before the handler runs, with
// the code and challenge of a unary call, and an accepted one sees the
// token in its context.
func TestStreaming(t *testing.T) {
	env := authcases.New(t)
	basic := env.Token(fieftest.TokenOptions{})
	for _, mode := range []string{"interceptor", "Wrap"} {
		for proto, copts := range protocols {
			ic := fiefconnect.New(env.Auth, fiefconnect.Config{Procedures: map[string][]fiefhttp.RouteOption{watch: {fiefhttp.Permissions(authcases.Permission)}}})
			var s *service
			if mode == "Wrap" {
				s = newService(t, func(h http.Handler) http.Handler { return ic.Wrap(h) })
			} else {
				s = newService(t, nil, connect.WithInterceptors(ic))
			}
			c := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](s.srv.Client(), s.srv.URL+watch, copts...)
			for _, tc := range []struct {
				authorization string
				want          []string
				code          connect.Code
				challenge     string
			}{
				{"", nil, connect.CodeUnauthenticated, "Bearer"},
				{"Bearer " + authcases.Tamper(basic), nil, connect.CodeUnauthenticated, `Bearer error="invalid_token"`},
				{"Bearer " + basic, []string{env.User.ID, env.User.ID}, 0, ""},
			} {
				ran := s.ran
				req := connect.NewRequest(&emptypb.Empty{})
				if tc.authorization != "" {
					req.Header().Set("Authorization", tc.authorization)
				}
				st, err := c.CallServerStream(context.Background(), req)
				if err != nil {
					t.Fatalf("%s/%s: %v", mode, proto, err)
				}
				var got []string
				for st.Receive() {
					got = append(got, st.Msg().GetValue())
				}
				err = st.Err()
				st.Close()
				if tc.code != 0 {
					wantError(t, mode+"/"+proto, err, tc.code, tc.challenge)
					if len(got) != 0 || s.ran != ran {
						t.Errorf("%s/%s: refused stream reached the handler, got %q", mode, proto, got)
					}
					continue
				}
				if err != nil || len(got) != 2 || got[0] != tc.want[0] || got[1] != tc.want[1] {
					t.Errorf("%s/%s: got %q, %v; want %q", mode, proto, got, err, tc.want)
				}
			}
		}
	}
}

// TestErrorHandler: a custom handler chooses the error, gets the procedure
// and the decision's error, and the handler does not run.
func TestErrorHandler(t *testing.T) {
	env := authcases.New(t)
	var gotProcedure string
	var gotErr error
	ic := fiefconnect.New(env.Auth, fiefconnect.Config{
		Default: []fiefhttp.RouteOption{fiefhttp.Permissions("castles:write")},
		ErrorHandler: func(_ context.Context, procedure string, err error) error {
			gotProcedure, gotErr = procedure, err
			return connect.NewError(connect.CodeNotFound, errors.New("no such castle"))
		},
	})
	s := newService(t, nil, connect.WithInterceptors(ic))
	_, err := s.call(t, whoami, "Bearer "+env.Token(fieftest.TokenOptions{}))
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeNotFound || ce.Message() != "no such castle" {
		t.Fatalf("err = %v, want the mapper's NotFound", err)
	}
	if ce.Meta().Get("WWW-Authenticate") != "" {
		t.Errorf("the mapper's error got a challenge %q", ce.Meta().Get("WWW-Authenticate"))
	}
	if gotProcedure != whoami || fiefhttp.Classify(gotErr) != fiefhttp.OutcomeForbidden {
		t.Errorf("mapper got %q, %v; want %q and a forbidden error", gotProcedure, gotErr, whoami)
	}
	if s.ran != 0 {
		t.Errorf("handler ran %d times", s.ran)
	}
}

// TestErrorHidesDetails: the default errors carry fixed messages, never
// the cause (here Fief's answer body), and the failure is logged once, by
// the fiefhttp.Auth's logger.
func TestErrorHidesDetails(t *testing.T) {
	env := authcases.New(t)
	env.Server.FailNext(fieftest.EndpointJWKS, 1, fieftest.Fault{Status: 500, Body: "internal stack trace"})
	var logs bytes.Buffer
	ic := fiefconnect.New(fiefhttp.New(env.NewClient(t), fiefhttp.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}), fiefconnect.Config{})
	s := newService(t, nil, connect.WithInterceptors(ic))
	token := env.Token(fieftest.TokenOptions{})
	_, err := s.call(t, whoami, "Bearer "+token)
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 || !strings.Contains(logs.String(), "Fief unavailable") {
		t.Errorf("log %q: %d warnings, want the unavailable decision once", logs.String(), n)
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the token was logged")
	}
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeUnavailable || ce.Message() != "authentication is unavailable, retry later" {
		t.Fatalf("err = %v, want Unavailable with the fixed message", err)
	}
	if len(ce.Details()) != 0 {
		t.Errorf("error has %d details", len(ce.Details()))
	}
}

// TestErrorHandlerNil: a handler returning nil does not let the call through.
func TestErrorHandlerNil(t *testing.T) {
	env := authcases.New(t)
	ic := fiefconnect.New(env.Auth, fiefconnect.Config{
		ErrorHandler: func(context.Context, string, error) error { return nil },
	})
	s := newService(t, nil, connect.WithInterceptors(ic))
	_, err := s.call(t, whoami, "")
	wantError(t, "nil mapper", err, connect.CodeUnauthenticated, "Bearer")
	if s.ran != 0 {
		t.Errorf("handler ran %d times", s.ran)
	}
}
