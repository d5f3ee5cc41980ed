package fieftest

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// Endpoint names a group of routes of the server, for [Server.FailNext]
// and [Server.RequestCount]. An endpoint covers its route in every tenant.
type Endpoint string

// The endpoints of the server.
const (
	EndpointDiscovery     Endpoint = "discovery"      // GET /.well-known/openid-configuration
	EndpointJWKS          Endpoint = "jwks"           // GET /.well-known/jwks.json
	EndpointAuthorize     Endpoint = "authorize"      // GET /authorize
	EndpointLogin         Endpoint = "login"          // GET, POST /login
	EndpointRegister      Endpoint = "register"       // GET, POST /register
	EndpointVerifyRequest Endpoint = "verify_request" // GET /verify-request
	EndpointVerify        Endpoint = "verify"         // GET, POST /verify
	EndpointConsent       Endpoint = "consent"        // GET, POST /consent
	EndpointDashboard     Endpoint = "dashboard"      // GET /
	EndpointToken         Endpoint = "token"          // POST /api/token
	EndpointUserInfo      Endpoint = "userinfo"       // GET, POST /api/userinfo
	EndpointProfile       Endpoint = "profile"        // PATCH /api/profile
	EndpointPassword      Endpoint = "password"       // PATCH /api/password
	EndpointEmailChange   Endpoint = "email_change"   // PATCH /api/email/change
	EndpointEmailVerify   Endpoint = "email_verify"   // POST /api/email/verify
	EndpointLogout        Endpoint = "logout"         // GET /logout
	EndpointAdmin         Endpoint = "admin"          // every route of the admin API, /admin/api/...
	EndpointForgot        Endpoint = "forgot"         // GET, POST /forgot
	EndpointReset         Endpoint = "reset"          // GET, POST /reset
)

// Fault describes how the server misbehaves on a request; see
// [Server.FailNext].
type Fault struct {
	// Delay is how long the server waits before answering. The wait ends
	// early, and the request is abandoned, if the client goes away.
	Delay time.Duration
	// Status, if non-zero, is the status of the answer, with Body, instead
	// of what the real handler would answer.
	Status int
	// Body is the body sent with Status. If Status is zero and Body is not
	// empty, the server answers 200 with this body (a malformed answer). If
	// both are zero, the request proceeds normally after Delay (a slow
	// server).
	Body string
	// ContentType is the Content-Type of the fault answer; empty means
	// "application/json".
	ContentType string
}

type queuedFault struct {
	f Fault
	n int
}

// FailNext makes the next n requests to endpoint e, in any tenant, get
// fault f. Calls queue up: the faults of a second call apply after the n
// requests of the first.
func (s *Server) FailNext(e Endpoint, n int, f Fault) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[e] = append(s.faults[e], &queuedFault{f: f, n: n})
}

// RequestCount returns how many requests endpoint e has received so far, in
// any tenant, faulted ones included.
func (s *Server) RequestCount(e Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[e]
}

// observe counts a request to e and takes the fault for it, if any.
func (s *Server) observe(e Endpoint) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[e]++
	q := s.faults[e]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0].f
	q[0].n--
	if q[0].n == 0 {
		s.faults[e] = q[1:]
	}
	return f, true
}

// maxFaultBody bounds the request body read before a delay.
const maxFaultBody = 1 << 20

// applyFault runs f and reports whether it answered the request.
func applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if f.Delay > 0 {
		// net/http notices a client that went away (and cancels
		// r.Context) only once the request body has been read: read it
		// now, and give the real handler a copy.
		body, err := io.ReadAll(io.LimitReader(r.Body, maxFaultBody))
		if err != nil {
			return true
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.Status == 0 && f.Body == "" {
		return false
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	w.Write([]byte(f.Body))
	return true
}
