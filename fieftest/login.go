package fieftest

import (
	"net/http"
	"net/url"
	"strings"
)

// handleLogin serves GET and POST /login.
func (s *Server) handleLogin(t *Tenant, w http.ResponseWriter, r *http.Request) {
	parsePostForm(w, r)
	s.mu.Lock()
	ls, st := s.loginSessionLocked(r, t)
	regAllowed := t.registrationAllowed
	s.mu.Unlock()
	switch st {
	case lsInvalid:
		t.htmlError(w, "invalid_session", "Invalid login session.")
		return
	case lsExpired:
		redirectDetail(w, http.StatusSeeOther, reauthorizeURL(r, t, ls))
		return
	}
	hint, _ := url.QueryUnescape(cookieValue(r, cookieLoginHint))
	d := pageData{Title: "Sign in", Prefix: t.prefix(), CSRF: s.csrfToken(w, r), Email: hint, RegisterAllowed: regAllowed}
	if r.Method != http.MethodPost {
		t.renderPage(w, http.StatusOK, "login", d)
		return
	}
	if t.csrfRefused(w, r, "login", d) {
		return
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	d.Email = email

	s.mu.Lock()
	u, ok := t.byEmail[strings.ToLower(email)]
	if !ok || !u.checkPasswordLocked(password) || !u.active {
		s.mu.Unlock()
		w.Header().Set("X-Fief-Error", "bad_credentials")
		d.Error = "Invalid email or password."
		t.renderPage(w, http.StatusBadRequest, "login", d)
		return
	}
	tok := s.newSessionLocked(r, u)
	current := u.email
	s.mu.Unlock()

	s.setCookie(w, cookieSession, tok, int(sessionLifetime.Seconds()), true)
	s.setCookie(w, cookieLoginHint, url.QueryEscape(current), hintCookieMaxAge, true)
	redirect(w, t.prefix()+"/verify-request")
}

// afterVerification is where /verify-request and /verify send a verified
// user: the consent step if an authorization is in progress, else the
// dashboard.
func afterVerification(r *http.Request, t *Tenant) string {
	if cookieValue(r, cookieLoginSession) != "" {
		return t.prefix() + "/consent"
	}
	return t.prefix() + "/"
}

// handleVerifyRequest serves GET /verify-request: it "sends" a code to an
// unverified user.
func (s *Server) handleVerifyRequest(t *Tenant, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u := s.tenantUserLocked(r, t)
	if u == nil {
		s.mu.Unlock()
		redirectDetail(w, http.StatusTemporaryRedirect, s.loginURL(r, t))
		return
	}
	if u.verified {
		s.mu.Unlock()
		redirect(w, afterVerification(r, t))
		return
	}
	s.sendCodeLocked(u, u.email)
	s.mu.Unlock()
	redirect(w, t.prefix()+"/verify")
}

// sendCodeLocked replaces the user's pending verification by a new code
// for email and records it as sent.
func (s *Server) sendCodeLocked(u *User, email string) string {
	code := verificationCode()
	u.pendingCode = code
	u.pendingEmail = email
	s.store.sentCodes[u.ID] = code
	s.sendMailLocked(u.tenant, Mail{Type: MailVerifyEmail, UserID: u.ID, To: email, Code: code})
	return code
}

// handleVerify serves GET and POST /verify.
func (s *Server) handleVerify(t *Tenant, w http.ResponseWriter, r *http.Request) {
	parsePostForm(w, r)
	u, email, ok := s.sessionUser(t, w, r)
	if !ok {
		return
	}
	d := pageData{Title: "Verify your email", Prefix: t.prefix(), CSRF: s.csrfToken(w, r), Email: email}
	if r.Method != http.MethodPost {
		t.renderPage(w, http.StatusOK, "verify", d)
		return
	}
	if t.csrfRefused(w, r, "verify", d) {
		return
	}
	s.mu.Lock()
	ok = s.verifyCodeLocked(u, r.PostForm.Get("code"))
	s.mu.Unlock()
	if !ok {
		w.Header().Set("X-Fief-Error", "invalid_code")
		d.Error = "The verification code is invalid."
		t.renderPage(w, http.StatusBadRequest, "verify", d)
		return
	}
	redirect(w, afterVerification(r, t))
}

// verifyCodeLocked applies the user's pending verification if code matches
// it exactly.
func (s *Server) verifyCodeLocked(u *User, code string) bool {
	if u.pendingCode == "" || code != u.pendingCode {
		return false
	}
	before := u.stateLocked()
	if u.pendingEmail != u.email {
		u.setEmailLocked(u.pendingEmail)
	}
	u.verified = true
	u.pendingCode, u.pendingEmail = "", ""
	s.userUpdatedLocked(u, before)
	return true
}

// handleDashboard serves GET /: a page naming the logged-in user.
func (s *Server) handleDashboard(t *Tenant, w http.ResponseWriter, r *http.Request) {
	_, email, ok := s.sessionUser(t, w, r)
	if !ok {
		return
	}
	t.renderPage(w, http.StatusOK, "dashboard", pageData{Title: "Your account", Prefix: t.prefix(), Email: email})
}

// parsePostForm reads the form of a POST request, its body capped.
func parsePostForm(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		r.ParseForm()
	}
}

// sessionUser returns the user of the request's Fief session cookie in
// tenant t, with their current email; without one it has answered with
// Fief's 307 to the login page and ok is false.
func (s *Server) sessionUser(t *Tenant, w http.ResponseWriter, r *http.Request) (u *User, email string, ok bool) {
	s.mu.Lock()
	u = s.tenantUserLocked(r, t)
	if u != nil {
		email = u.email
	}
	s.mu.Unlock()
	if u == nil {
		redirectDetail(w, http.StatusTemporaryRedirect, s.loginURL(r, t))
		return nil, "", false
	}
	return u, email, true
}
