package fieftest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

const maxBodyBytes = 1 << 20

// readForm reads a form-encoded or multipart body; any other body reads as
// an empty form, as in FastAPI.
func readForm(w http.ResponseWriter, r *http.Request) url.Values {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if r.ParseForm() == nil {
			return r.PostForm
		}
	case "multipart/form-data":
		if r.ParseMultipartForm(maxBodyBytes) == nil {
			return r.MultipartForm.Value
		}
	}
	return url.Values{}
}

// formValue returns a form field; an empty value counts as absent, as in
// FastAPI's Form(None).
func formValue(f url.Values, k string) (string, bool) {
	v := f.Get(k)
	return v, v != ""
}

func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

// parseBasic reads client_secret_basic credentials. ok is false without a
// Basic header; malformed is true for a Basic header FastAPI rejects.
func parseBasic(r *http.Request) (id, secret string, ok, malformed bool) {
	h := r.Header.Get("Authorization")
	scheme, param, _ := strings.Cut(h, " ")
	if h == "" || !strings.EqualFold(scheme, "basic") {
		return "", "", false, false
	}
	// Python's b64decode drops characters outside the alphabet.
	clean := strings.Map(func(c rune) rune {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
			return c
		}
		return -1
	}, param)
	raw, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return "", "", false, true
	}
	for _, b := range raw {
		if b > 127 {
			return "", "", false, true
		}
	}
	id, secret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false, true
	}
	return id, secret, true, false
}

// authenticateClient applies client_secret_basic, client_secret_post and
// none, in this order. Callers hold s.mu.
func (t *Tenant) authenticateClientLocked(form url.Values, basicID, basicSecret string, basic bool) *Client {
	grantType := form.Get("grant_type")
	if basic {
		if c, ok := t.clients[basicID]; ok && c.Secret == basicSecret {
			return c
		}
	}
	id, hasID := formValue(form, "client_id")
	secret, hasSecret := formValue(form, "client_secret")
	if hasID && hasSecret {
		if c, ok := t.clients[id]; ok && c.Secret == secret {
			return c
		}
	}
	if hasID && !hasSecret {
		if c, ok := t.clients[id]; ok && c.public {
			if _, hasVerifier := formValue(form, "code_verifier"); grantType != "authorization_code" || hasVerifier {
				return c
			}
		}
	}
	return nil
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
	}
	s.mu.Unlock()

	p.key = key
	at := p.accessToken()
	resp := tokenResponse{
		AccessToken:  at,
		IDToken:      p.idToken(at),
		TokenType:    "bearer",
		ExpiresIn:    int64(client.tokenLifetime.Seconds()),
		RefreshToken: refresh,
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// grantParamsLocked prepares the tokens of a grant for user u.
func (s *Server) grantParamsLocked(t *Tenant, c *Client, u *User) *grantParams {
	p := &grantParams{
		issuer:      t.issuerLocked(),
		clientID:    c.ID,
		userID:      u.ID,
		userClaims:  u.claimsLocked(),
		permissions: slices.Clone(u.permissions),
		iat:         s.nowLocked(),
		lifetime:    c.tokenLifetime,
	}
	if c.encKey != nil {
		p.encKey = c
	}
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
