package fieftest

import (
	"net/http"
	"slices"
	"strings"
)

// handlerFunc handles a request routed to tenant t.
type handlerFunc func(s *Server, t *Tenant, w http.ResponseWriter, r *http.Request)

type route struct {
	path     string // relative to the tenant base URL
	endpoint Endpoint
	methods  []string
	handle   handlerFunc
}

// routes is the auth app: every route exists at the root (default tenant)
// and under "/{slug}" (other tenants).
var routes = []route{
	{"/.well-known/openid-configuration", EndpointDiscovery, []string{"GET"}, (*Server).handleDiscovery},
	{"/.well-known/jwks.json", EndpointJWKS, []string{"GET"}, (*Server).handleJWKS},
	{"/authorize", EndpointAuthorize, []string{"GET"}, (*Server).handleAuthorize},
	{"/login", EndpointLogin, []string{"GET", "POST"}, (*Server).handleLogin},
	{"/register", EndpointRegister, []string{"GET", "POST"}, (*Server).handleRegister},
	{"/verify-request", EndpointVerifyRequest, []string{"GET"}, (*Server).handleVerifyRequest},
	{"/verify", EndpointVerify, []string{"GET", "POST"}, (*Server).handleVerify},
	{"/forgot", EndpointForgot, []string{"GET", "POST"}, (*Server).handleForgot},
	{"/reset", EndpointReset, []string{"GET", "POST"}, (*Server).handleReset},
	{"/consent", EndpointConsent, []string{"GET", "POST"}, (*Server).handleConsent},
	{"/logout", EndpointLogout, []string{"GET"}, (*Server).handleLogout},
	{"/", EndpointDashboard, []string{"GET"}, (*Server).handleDashboard},
	{"/api/token", EndpointToken, []string{"POST"}, (*Server).handleToken},
	{"/api/userinfo", EndpointUserInfo, []string{"GET", "POST"}, (*Server).handleUserinfo},
	{"/api/profile", EndpointProfile, []string{"PATCH"}, (*Server).handleProfile},
	{"/api/password", EndpointPassword, []string{"PATCH"}, (*Server).handlePassword},
	{"/api/email/change", EndpointEmailChange, []string{"PATCH"}, (*Server).handleEmailChange},
	{"/api/email/verify", EndpointEmailVerify, []string{"POST"}, (*Server).handleEmailVerify},
}

func findRoute(path string) *route {
	for i := range routes {
		if routes[i].path == path {
			return &routes[i]
		}
	}
	return nil
}

// ServeHTTP serves the Fief auth app and, under /admin/api/, the admin
// API. Root routes are matched first; any other path is read as
// "/{slug}/{route}". Every answer's Date header is the server's clock
// ([Server.Now]). Start serves it on its own
// listener; it can also be mounted in another server, in which case set
// [Server.Domain] first: without Start, the issuer has no default domain.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	// Fief's Date header is its own clock's: here the server's, moved by
	// SetClock and Advance, so that a client can see a skewed clock.
	w.Header().Set("Date", s.Now().UTC().Format(http.TimeFormat))
	if r.URL.Path == "/healthz" {
		s.handleHealth(w, r)
		return
	}
	if handleCORS(w, r) {
		return
	}
	if r.URL.Path == adminPrefix || strings.HasPrefix(r.URL.Path, adminPrefix+"/") {
		if f, ok := s.observe(EndpointAdmin); ok && applyFault(w, r, f) {
			return
		}
		s.serveAdmin(w, r)
		return
	}
	slug, rt := "", findRoute(r.URL.Path)
	if rt == nil {
		rest := strings.TrimPrefix(r.URL.Path, "/")
		if i := strings.IndexByte(rest, '/'); i > 0 {
			slug, rt = rest[:i], findRoute(rest[i:])
		}
	}
	if rt == nil {
		writeDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	if f, ok := s.observe(rt.endpoint); ok && applyFault(w, r, f) {
		return
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if !slices.Contains(rt.methods, method) {
		w.Header().Set("Allow", strings.Join(rt.methods, ", "))
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	t, ok := s.Tenant(slug)
	if !ok {
		writeDetail(w, http.StatusBadRequest, "Bad Request")
		return
	}
	rt.handle(s, t, w, r)
}

// handleHealth serves Fief's GET /healthz, at the root only: what a
// deployment polls until the server is ready. fieftest has no database or
// Redis to lose, so it is ready as soon as it listens.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Everything is ready, my lord 🏰"})
}

// setSecurityHeaders sets the headers Fief puts on every auth-app response.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
}

var corsAllowedHeaders = []string{"Accept", "Accept-Language", "Authorization", "Content-Language", "Content-Type", "X-Requested-With"}

// handleCORS applies Fief's CORS policy (paths containing /api or
// /.well-known) and reports whether it answered a preflight request.
func handleCORS(w http.ResponseWriter, r *http.Request) bool {
	if !strings.Contains(r.URL.Path, "/api") && !strings.Contains(r.URL.Path, "/.well-known") {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
		h.Set("Access-Control-Allow-Headers", strings.Join(corsAllowedHeaders, ", "))
		h.Set("Access-Control-Max-Age", "600")
		h.Set("Content-Type", "text/plain; charset=utf-8")
		for _, hdr := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
			hdr = strings.TrimSpace(hdr)
			if hdr != "" && !slices.ContainsFunc(corsAllowedHeaders, func(a string) bool { return strings.EqualFold(a, hdr) }) {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte("Disallowed CORS headers"))
				return true
			}
		}
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("OK"))
		return true
	}
	if r.Header.Get("Cookie") != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	return false
}
