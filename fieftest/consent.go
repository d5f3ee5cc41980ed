package fieftest

import (
	"net/http"
	"slices"
)

// handleConsent serves GET and POST /consent: it skips the page for
// first-party clients and already-granted scopes, and redirects back to the
// client with a code or access_denied.
func (s *Server) handleConsent(t *Tenant, w http.ResponseWriter, r *http.Request) {
	parsePostForm(w, r)
	s.mu.Lock()
	sess := s.sessionLocked(r)
	u := s.tenantUserLocked(r, t)
	if u == nil {
		s.mu.Unlock()
		redirectDetail(w, http.StatusTemporaryRedirect, s.loginURL(r, t))
		return
	}
	if !u.verified {
		s.mu.Unlock()
		redirectDetail(w, http.StatusTemporaryRedirect, absoluteURL(r, t.prefix()+"/verify-request"))
		return
	}
	ls, st := s.loginSessionLocked(r, t)
	if st == lsMissing {
		s.mu.Unlock()
		t.htmlError(w, "missing_session", "Missing login session.")
		return
	}
	if st != lsValid {
		s.mu.Unlock()
		t.htmlError(w, "invalid_session", "Invalid login session.")
		return
	}
	granted := s.store.grants[grantKey{u.ID, ls.client.ClientID}]
	skip := !ls.client.thirdParty || allIn(ls.scope, granted)
	email, authTime := u.email, sess.created
	s.mu.Unlock()

	d := pageData{Title: "Authorize", Prefix: t.prefix(), CSRF: s.csrfToken(w, r), Email: email, Client: ls.client.ClientID, Scopes: ls.scope}
	switch {
	case skip:
	case r.Method != http.MethodPost:
		t.renderPage(w, http.StatusOK, "consent", d)
		return
	case t.csrfRefused(w, r, "consent", d):
		return
	case r.PostForm.Has("allow"):
		s.mu.Lock()
		s.store.grants[grantKey{u.ID, ls.client.ClientID}] = slices.Clone(ls.scope)
		s.mu.Unlock()
	case r.PostForm.Has("deny"):
		s.endLoginSession(w, r)
		ps := []param{{"error", "access_denied"}, {"error_description", "The user denied access."}}
		if ls.state != nil {
			ps = append(ps, param{"state", *ls.state})
		}
		redirect(w, withParams(ls.redirectURI, ps, ls.fragment))
		return
	default:
		t.renderPage(w, http.StatusBadRequest, "consent", d)
		return
	}
	s.endLoginSession(w, r)
	redirect(w, s.codeRedirect(ls, u, authTime))
}

// endLoginSession deletes the request's login session and its cookie.
func (s *Server) endLoginSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delete(s.store.loginSessions, hashToken(cookieValue(r, cookieLoginSession)))
	s.mu.Unlock()
	s.clearCookie(w, cookieLoginSession, false)
}

func allIn(want, have []string) bool {
	if have == nil {
		return false
	}
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
