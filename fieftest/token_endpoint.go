package fieftest

import (
	"net/http"
	"slices"
)

func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

// tokenResponse is the body of a successful /api/token answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// handleToken serves POST /api/token.
func (s *Server) handleToken(t *Tenant, w http.ResponseWriter, r *http.Request) {
	bid, bsecret, basic, malformed := parseBasic(r)
	if malformed {
		w.Header().Set("WWW-Authenticate", "Basic")
		writeDetail(w, http.StatusUnauthorized, "Invalid authentication credentials")
		return
	}
	form := readForm(w, r)
	grantType, ok := formValue(form, "grant_type")
	if !ok {
		tokenError(w, "invalid_request")
		return
	}
	key := t.currentKey()
	s.mu.Lock()
	client := t.authenticateClientLocked(form, bid, bsecret, basic)
	if client == nil {
		s.mu.Unlock()
		tokenError(w, "invalid_client")
		return
	}
	var (
		p       *grantParams
		errCode string
	)
	switch grantType {
	case "authorization_code":
		p, errCode = s.codeGrantLocked(t, client, form)
	case "refresh_token":
		p, errCode = s.refreshGrantLocked(t, client, form)
	default:
		errCode = "unsupported_grant_type"
	}
	if errCode != "" {
		s.mu.Unlock()
		tokenError(w, errCode)
		return
	}
	var refresh string
	if slices.Contains(p.scope, "offline_access") {
		refresh = randomToken()
		s.store.refresh[hashToken(refresh)] = &refreshToken{
			tenant:   t,
			client:   client,
			userID:   p.userID,
			scope:    slices.Clone(p.scope),
			authTime: p.authTime,
			expires:  p.iat.Add(client.refreshLifetime),
		}
		s.store.insertedLocked(s.nowLocked())
	}
	s.mu.Unlock()

	p.key = key
	at := p.accessToken()
	resp := tokenResponse{
		AccessToken:  at,
		IDToken:      p.idToken(at),
		TokenType:    "bearer",
		ExpiresIn:    int64(p.lifetime.Seconds()),
		RefreshToken: refresh,
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}
