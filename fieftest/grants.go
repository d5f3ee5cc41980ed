package fieftest

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/url"
	"slices"
	"strings"
)

// grantParamsLocked prepares the tokens of a grant for user u.
func (s *Server) grantParamsLocked(t *Tenant, c *Client, u *User) *grantParams {
	p := &grantParams{
		issuer:      t.issuerLocked(),
		clientID:    c.ClientID,
		userID:      u.ID,
		userClaims:  u.claimsLocked(),
		permissions: u.permissionCodenamesLocked(),
		iat:         s.nowLocked(),
		lifetime:    c.tokenLifetime,
	}
	p.encKey = c.encryptionKeyLocked()
	return p
}

// codeGrantLocked checks an authorization_code grant and consumes the code.
func (s *Server) codeGrantLocked(t *Tenant, c *Client, form url.Values) (*grantParams, string) {
	code, ok := formValue(form, "code")
	if !ok {
		return nil, "invalid_request"
	}
	redirectURI, ok := formValue(form, "redirect_uri")
	if !ok {
		return nil, "invalid_request"
	}
	h := hashToken(code)
	ac, ok := s.store.codes[h]
	if !ok || ac.tenant != t || !s.nowLocked().Before(ac.expires) {
		return nil, "invalid_grant"
	}
	if ac.client != c || ac.redirectURI != redirectURI {
		return nil, "invalid_grant"
	}
	verifier, hasVerifier := formValue(form, "code_verifier")
	if ac.challenge != "" {
		if !hasVerifier || !checkPKCE(ac.challenge, ac.challengeMeth, verifier) {
			return nil, "invalid_grant"
		}
	} else if hasVerifier {
		return nil, "invalid_grant"
	}
	u, ok := t.users[ac.userID]
	if !ok {
		return nil, "invalid_grant"
	}
	delete(s.store.codes, h)
	p := s.grantParamsLocked(t, c, u)
	p.scope = slices.Clone(ac.scope)
	p.acr = ac.acr
	p.authTime = ac.authTime
	p.nonce = ac.nonce
	p.cHash = ac.cHash
	return p, ""
}

// checkPKCE compares a code_verifier with the stored challenge in constant
// time.
func checkPKCE(challenge, method, verifier string) bool {
	want := verifier
	if method == "S256" {
		h := sha256.Sum256([]byte(verifier))
		want = b64(h[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// refreshGrantLocked checks a refresh_token grant and rotates the token.
func (s *Server) refreshGrantLocked(t *Tenant, c *Client, form url.Values) (*grantParams, string) {
	tok, ok := formValue(form, "refresh_token")
	if !ok {
		return nil, "invalid_request"
	}
	h := hashToken(tok)
	rt, ok := s.store.refresh[h]
	if !ok || rt.tenant != t || !s.nowLocked().Before(rt.expires) || rt.client != c {
		return nil, "invalid_grant"
	}
	scope := rt.scope
	if vs, present := form["scope"]; present && len(vs) > 0 {
		scope = strings.Fields(vs[0])
		for _, sc := range scope {
			if !slices.Contains(rt.scope, sc) {
				return nil, "invalid_scope"
			}
		}
	}
	u, ok := t.users[rt.userID]
	if !ok {
		return nil, "invalid_grant"
	}
	delete(s.store.refresh, h)
	p := s.grantParamsLocked(t, c, u)
	p.scope = slices.Clone(scope)
	p.acr = "0"
	p.authTime = rt.authTime
	return p, ""
}
