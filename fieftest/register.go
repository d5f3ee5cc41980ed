package fieftest

import (
	"net/http"
)

// handleRegister serves GET and POST /register: a form with email and
// password (no user fields). New users are unverified, so they continue
// with /verify-request and /verify.
func (s *Server) handleRegister(t *Tenant, w http.ResponseWriter, r *http.Request) {
	parsePostForm(w, r)
	s.mu.Lock()
	allowed := t.registrationAllowed
	ls, st := s.loginSessionLocked(r, t)
	s.mu.Unlock()
	if !allowed {
		t.htmlError(w, "registration_disabled", "Registration is disabled.")
		return
	}
	switch st {
	case lsInvalid:
		t.htmlError(w, "invalid_session", "Invalid login session.")
		return
	case lsExpired:
		redirectDetail(w, http.StatusSeeOther, reauthorizeURL(r, t, ls))
		return
	}
	d := pageData{Title: "Sign up", Prefix: t.prefix(), CSRF: s.csrfToken(w, r)}
	if r.Method != http.MethodPost {
		tok := randomToken()
		s.mu.Lock()
		s.store.regSessions[hashToken(tok)] = &regSession{tenant: t, expires: s.expireLocked(loginSessionLifetime)}
		s.store.insertedLocked(s.nowLocked())
		s.mu.Unlock()
		s.setCookie(w, cookieRegSession, tok, 0, false)
		t.renderPage(w, http.StatusOK, "register", d)
		return
	}
	if t.csrfRefused(w, r, "register", d) {
		return
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	d.Email = email
	regTok := cookieValue(r, cookieRegSession)
	s.mu.Lock()
	rs, ok := s.store.regSessions[hashToken(regTok)]
	valid := ok && rs.tenant == t && s.nowLocked().Before(rs.expires)
	s.mu.Unlock()
	switch {
	case regTok == "":
		t.htmlError(w, "missing_session", "Missing registration session.")
		return
	case !valid:
		t.htmlError(w, "invalid_session", "Invalid registration session.")
		return
	case !validEmail(email):
		d.Error = "The email address is not valid."
		t.renderPage(w, http.StatusBadRequest, "register", d)
		return
	}
	if reasons := passwordProblems(password); len(reasons) > 0 {
		d.Reasons = reasons
		t.renderPage(w, http.StatusBadRequest, "register", d)
		return
	}
	u, err := t.AddUser(UserConfig{Email: email, Password: password, Unverified: true})
	if err != nil {
		w.Header().Set("X-Fief-Error", "user_already_exists")
		d.Error = "A user with this email address already exists."
		t.renderPage(w, http.StatusBadRequest, "register", d)
		return
	}
	s.mu.Lock()
	s.sendWelcomeLocked(u)
	delete(s.store.regSessions, hashToken(regTok))
	tok := s.newSessionLocked(r, u)
	s.mu.Unlock()
	s.clearCookie(w, cookieRegSession, false)
	s.setCookie(w, cookieSession, tok, int(sessionLifetime.Seconds()), true)
	redirect(w, t.prefix()+"/verify-request")
}
