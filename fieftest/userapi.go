package fieftest

import (
	"net/http"
	"net/mail"
	"strings"
)

// handleUserinfo serves GET and POST /api/userinfo.
func (s *Server) handleUserinfo(t *Tenant, w http.ResponseWriter, r *http.Request) {
	u := s.authenticate(t, w, r, "0")
	if u == nil {
		return
	}
	writeJSON(w, http.StatusOK, u.Claims())
}

// handleProfile serves PATCH /api/profile. Simplification: every field is
// updatable and accepts any JSON value; null leaves a field unchanged.
func (s *Server) handleProfile(t *Tenant, w http.ResponseWriter, r *http.Request) {
	v, ok := readJSONBody(w, r)
	if !ok {
		return
	}
	body, ok := objectBody(w, v)
	if !ok {
		return
	}
	var fields map[string]any
	if fv, present := body["fields"]; present && fv != nil {
		fields, ok = fv.(map[string]any)
		if !ok {
			write422(w, validationError{Type: "dict_type", Loc: []any{"body", "fields"}, Msg: "Input should be a valid dictionary", Input: fv})
			return
		}
	}
	u := s.authenticate(t, w, r, "0")
	if u == nil {
		return
	}
	update := copyFields(fields)
	s.mu.Lock()
	for k, v := range update {
		if v != nil {
			u.fields[k] = v
		}
	}
	s.userUpdatedLocked(u)
	claims := u.claimsLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, claims)
}

// handlePassword serves PATCH /api/password.
func (s *Server) handlePassword(t *Tenant, w http.ResponseWriter, r *http.Request) {
	u, pw, ok := s.acr1StringBody(t, w, r, "password")
	if !ok {
		return
	}
	if reasons := passwordProblems(pw); len(reasons) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "USER_UPDATE_INVALID_PASSWORD", "reason": reasons})
		return
	}
	s.mu.Lock()
	u.setPasswordLocked(pw)
	s.userUpdatedLocked(u)
	claims := u.claimsLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, claims)
}

// handleEmailChange serves PATCH /api/email/change: it "sends" a code to
// the new address and answers 202 with the unchanged claims.
func (s *Server) handleEmailChange(t *Tenant, w http.ResponseWriter, r *http.Request) {
	u, email, ok := s.acr1StringBody(t, w, r, "email")
	if !ok {
		return
	}
	if !validEmail(email) {
		write422(w, validationError{Type: "value_error", Loc: []any{"body", "email"}, Msg: "value is not a valid email address: The email address is not valid.", Input: email, Ctx: map[string]any{"reason": "The email address is not valid."}})
		return
	}
	s.mu.Lock()
	if other, taken := t.byEmail[strings.ToLower(email)]; taken && (other != u || u.email != email) {
		s.mu.Unlock()
		writeDetail(w, http.StatusBadRequest, "USER_UPDATE_EMAIL_ALREADY_EXISTS")
		return
	}
	s.sendCodeLocked(u, email)
	claims := u.claimsLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusAccepted, claims)
}

// handleEmailVerify serves POST /api/email/verify.
func (s *Server) handleEmailVerify(t *Tenant, w http.ResponseWriter, r *http.Request) {
	u, code, ok := s.acr1StringBody(t, w, r, "code")
	if !ok {
		return
	}
	s.mu.Lock()
	if !s.verifyCodeLocked(u, code) {
		s.mu.Unlock()
		writeDetail(w, http.StatusBadRequest, "USER_UPDATE_INVALID_EMAIL_VERIFICATION_CODE")
		return
	}
	claims := u.claimsLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, claims)
}

// validEmail is a simple syntactic check: one address, local@domain.tld.
func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(e, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// acr1StringBody does what the three ACR-1 endpoints do first, in Fief's
// order: read the JSON body (malformed JSON is a 422 even without a token),
// authenticate the bearer token with ACR 1 at least, then read the body's
// string field. It has answered the request when ok is false.
func (s *Server) acr1StringBody(t *Tenant, w http.ResponseWriter, r *http.Request, field string) (u *User, value string, ok bool) {
	v, ok := readJSONBody(w, r)
	if !ok {
		return nil, "", false
	}
	if u = s.authenticate(t, w, r, "1"); u == nil {
		return nil, "", false
	}
	body, ok := objectBody(w, v)
	if !ok {
		return nil, "", false
	}
	value, ok = stringField(w, body, field)
	return u, value, ok
}
