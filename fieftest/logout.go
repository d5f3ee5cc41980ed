package fieftest

import (
	"net/http"
	"net/url"
)

// handleLogout serves GET /logout: it ends the Fief session and redirects
// to any absolute redirect_uri (Fief has no allow-list).
func (s *Server) handleLogout(t *Tenant, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("redirect_uri") {
		t.htmlError(w, "invalid_request", "redirect_uri is missing.")
		return
	}
	raw := q.Get("redirect_uri")
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		write422(w, validationError{Type: "url_parsing", Loc: []any{"query", "redirect_uri"}, Msg: "Input should be a valid URL, relative URL without a base", Input: raw, Ctx: map[string]any{"error": "relative URL without a base"}})
		return
	}
	if u.Path == "" && u.Opaque == "" {
		u.Path = "/"
	}
	if tok := cookieValue(r, cookieSession); tok != "" {
		s.mu.Lock()
		delete(s.store.sessions, hashToken(tok))
		s.mu.Unlock()
	}
	s.clearCookie(w, cookieSession, true)
	redirect(w, u.String())
}
