package fieftest

import (
	"net/http"
	"time"
)

// sessionLocked returns the valid (existing, unexpired) Fief session named
// by the request's fief_session cookie, in any tenant.
func (s *Server) sessionLocked(r *http.Request) *session {
	tok := cookieValue(r, cookieSession)
	if tok == "" {
		return nil
	}
	sess, ok := s.store.sessions[hashToken(tok)]
	if !ok || !s.nowLocked().Before(sess.expires) {
		return nil
	}
	return sess
}

// tenantUserLocked returns the user of the request's session if the
// session is valid and its user belongs to t.
func (s *Server) tenantUserLocked(r *http.Request, t *Tenant) *User {
	sess := s.sessionLocked(r)
	if sess == nil || sess.tenant != t {
		return nil
	}
	return t.users[sess.userID]
}

// newSessionLocked replaces the request's session (if any) by a new one
// for u and returns its token.
func (s *Server) newSessionLocked(r *http.Request, u *User) string {
	if old := cookieValue(r, cookieSession); old != "" {
		delete(s.store.sessions, hashToken(old))
	}
	tok := randomToken()
	now := s.nowLocked()
	s.store.sessions[hashToken(tok)] = &session{
		userID:  u.ID,
		tenant:  u.tenant,
		created: now,
		expires: now.Add(sessionLifetime),
	}
	s.store.insertedLocked(s.nowLocked())
	return tok
}

type loginSessionStatus int

const (
	lsMissing loginSessionStatus = iota
	lsInvalid
	lsExpired
	lsValid
)

// loginSessionLocked looks up the request's fief_login_session for t.
func (s *Server) loginSessionLocked(r *http.Request, t *Tenant) (*loginSession, loginSessionStatus) {
	tok := cookieValue(r, cookieLoginSession)
	if tok == "" {
		return nil, lsMissing
	}
	ls, ok := s.store.loginSessions[hashToken(tok)]
	if !ok || ls.tenant != t {
		return nil, lsInvalid
	}
	if !s.nowLocked().Before(ls.expires) {
		return ls, lsExpired
	}
	return ls, lsValid
}

// reauthorizeURL rebuilds the /authorize URL of an expired login session.
func reauthorizeURL(r *http.Request, t *Tenant, ls *loginSession) string {
	ps := []param{
		{"response_type", ls.responseType},
		{"client_id", ls.client.ClientID},
		{"redirect_uri", ls.redirectURI},
		{"scope", joinScope(ls.scope)},
	}
	if ls.state != nil {
		ps = append(ps, param{"state", *ls.state})
	}
	if ls.nonce != nil {
		ps = append(ps, param{"nonce", *ls.nonce})
	}
	if ls.challenge != "" {
		ps = append(ps, param{"code_challenge", ls.challenge}, param{"code_challenge_method", ls.challengeMeth})
	}
	ps = append(ps, param{"acr_values", ls.acr})
	return absoluteURL(r, t.prefix()+"/authorize?"+encodeParams(ps))
}

func (s *Server) loginURL(r *http.Request, t *Tenant) string {
	return absoluteURL(r, t.prefix()+"/login")
}

// expireLocked returns the server time d from now.
func (s *Server) expireLocked(d time.Duration) time.Time { return s.nowLocked().Add(d) }
