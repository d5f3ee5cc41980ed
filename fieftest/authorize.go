package fieftest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func joinScope(sc []string) string { return strings.Join(sc, " ") }

// handleAuthorize serves GET /authorize, validating in Fief's order.
func (s *Server) handleAuthorize(t *Tenant, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var maxAge *int
	if q.Has("max_age") {
		n, err := strconv.Atoi(q.Get("max_age"))
		if err != nil {
			writeDetail(w, http.StatusUnprocessableEntity, []map[string]any{{
				"type":  "int_parsing",
				"loc":   []string{"query", "max_age"},
				"msg":   "Input should be a valid integer, unable to parse string as an integer",
				"input": q.Get("max_age"),
			}})
			return
		}
		maxAge = &n
	}

	s.mu.Lock()
	client, ok := t.clients[q.Get("client_id")]
	if !ok {
		s.mu.Unlock()
		t.htmlError(w, "invalid_client", "Unknown client.")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !q.Has("redirect_uri") || !client.allowsRedirectLocked(redirectURI) {
		s.mu.Unlock()
		t.htmlError(w, "invalid_redirect_uri", "Invalid redirect URI.")
		return
	}
	sess := s.sessionLocked(r)
	var sessCreated time.Time
	if sess != nil {
		sessCreated = sess.created
	}
	now := s.nowLocked()
	autoLogin := s.autoLogin
	s.mu.Unlock()

	var state *string
	if q.Has("state") {
		v := q.Get("state")
		state = &v
	}
	fail := func(code, desc string, fragment bool) {
		ps := []param{{"error", code}, {"error_description", desc}}
		if state != nil {
			ps = append(ps, param{"state", *state})
		}
		redirect(w, withParams(redirectURI, ps, fragment))
	}

	responseType := q.Get("response_type")
	if !slices.Contains(responseTypes, responseType) {
		fail("invalid_request", "response_type is missing or invalid.", false)
		return
	}
	fragment := responseType != "code"
	if q.Has("request") {
		fail("request_not_supported", "request parameter is not supported.", fragment)
		return
	}
	if !q.Has("scope") {
		fail("invalid_request", "scope is missing.", fragment)
		return
	}
	scope := strings.Fields(q.Get("scope"))
	if !slices.Contains(scope, "openid") {
		fail("invalid_scope", "scope should contain openid.", fragment)
		return
	}
	prompt := q.Get("prompt")
	if q.Has("prompt") {
		switch prompt {
		case "none", "login", "consent":
		default:
			fail("invalid_request", "prompt is invalid.", fragment)
			return
		}
		if (prompt == "none" || prompt == "consent") && sess == nil {
			fail("login_required", "User is not logged in.", fragment)
			return
		}
	}
	screen := "login"
	if q.Has("screen") {
		screen = q.Get("screen")
		if screen != "login" && screen != "register" {
			fail("invalid_request", "screen is invalid.", fragment)
			return
		}
	}
	challenge, method := q.Get("code_challenge"), ""
	if challenge != "" {
		method = "plain"
		if q.Has("code_challenge_method") {
			method = q.Get("code_challenge_method")
		}
		if method != "plain" && method != "S256" {
			fail("invalid_request", "code_challenge_method is invalid.", fragment)
			return
		}
	}
	var nonce *string
	if q.Has("nonce") {
		v := q.Get("nonce")
		nonce = &v
	}
	if fragment && nonce == nil {
		fail("invalid_request", "nonce is required for this response_type.", fragment)
		return
	}
	acr := "0"
	for _, v := range strings.Fields(q.Get("acr_values")) {
		if v == "0" || v == "1" {
			acr = v
			break
		}
	}

	ls := &loginSession{
		tenant:        t,
		client:        client,
		responseType:  responseType,
		fragment:      fragment,
		redirectURI:   redirectURI,
		scope:         scope,
		state:         state,
		nonce:         nonce,
		challenge:     challenge,
		challengeMeth: method,
		expires:       now.Add(loginSessionLifetime),
	}

	if autoLogin != "" {
		if u, ok := t.User(autoLogin); ok && s.autoLoginAllowed(u) {
			ls.acr = "1"
			redirect(w, s.codeRedirect(ls, u, now))
			return
		}
	}

	reuse := sess != nil && prompt != "login" && acr == "0" &&
		(maxAge == nil || now.Sub(sessCreated) < time.Duration(*maxAge)*time.Second)
	next := t.prefix() + "/login"
	ls.acr = "1"
	switch {
	case reuse:
		next = t.prefix() + "/consent"
		ls.acr = "0"
	case screen == "register":
		next = t.prefix() + "/register"
	}
	tok := randomToken()
	s.mu.Lock()
	s.store.loginSessions[hashToken(tok)] = ls
	s.store.insertedLocked(now)
	s.mu.Unlock()
	s.setCookie(w, cookieLoginSession, tok, 0, false)
	if q.Has("login_hint") {
		s.setCookie(w, cookieLoginHint, url.QueryEscape(q.Get("login_hint")), hintCookieMaxAge, true)
	}
	if q.Has("lang") {
		s.setCookie(w, cookieLocale, q.Get("lang"), hintCookieMaxAge, true)
	}
	redirect(w, next)
}

func (s *Server) autoLoginAllowed(u *User) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return u.active && u.verified
}
