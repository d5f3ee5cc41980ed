package fieftest

import (
	"slices"
	"strings"
	"time"
)

// codeRedirect issues an authorization code for u from login session ls
// and returns the redirect_uri carrying it (and, for hybrid response types,
// the tokens), as in the redirect back to the client.
func (s *Server) codeRedirect(ls *loginSession, u *User, authTime time.Time) string {
	t := ls.tenant
	key := t.currentKey()
	code := randomToken()
	cHash := halfHash(code)

	s.mu.Lock()
	now := s.nowLocked()
	s.store.codes[hashToken(code)] = &authCode{
		tenant:        t,
		client:        ls.client,
		userID:        u.ID,
		redirectURI:   ls.redirectURI,
		scope:         slices.Clone(ls.scope),
		authTime:      authTime,
		nonce:         ls.nonce,
		acr:           ls.acr,
		challenge:     ls.challenge,
		challengeMeth: ls.challengeMeth,
		cHash:         cHash,
		expires:       now.Add(ls.client.codeLifetime),
	}
	s.store.insertedLocked(s.nowLocked())
	p := s.grantParamsLocked(t, ls.client, u)
	s.mu.Unlock()

	ps := []param{{"code", code}}
	if ls.state != nil {
		ps = append(ps, param{"state", *ls.state})
	}
	p.key = key
	p.scope = slices.Clone(ls.scope)
	p.acr = ls.acr
	p.authTime = authTime
	p.nonce = ls.nonce
	p.cHash = cHash
	var at string
	types := strings.Fields(ls.responseType)
	if slices.Contains(types, "token") {
		at = p.accessToken()
		ps = append(ps, param{"access_token", at}, param{"token_type", "bearer"})
	}
	if slices.Contains(types, "id_token") {
		ps = append(ps, param{"id_token", p.idToken(at)})
	}
	return withParams(ls.redirectURI, ps, ls.fragment)
}
