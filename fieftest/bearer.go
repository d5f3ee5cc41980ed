package fieftest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// bearerLeeway is the clock skew allowed on exp and nbf, as jwcrypto's.
const bearerLeeway = 60 * time.Second

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

// bearerClaims are the claims the user API reads from an access token.
type bearerClaims struct {
	Sub string   `json:"sub"`
	ACR string   `json:"acr"`
	Exp *float64 `json:"exp"`
	Nbf *float64 `json:"nbf"`
}

// verifyAccessToken checks a bearer token as Fief does: RS256 signature
// with a key of the tenant's JWKS, exp and nbf (when present) with 60s of
// leeway, sub a UUID, acr "0" or "1". iss, aud, azp and scope are not
// checked.
func (t *Tenant) verifyAccessToken(token string, now time.Time) (*bearerClaims, bool) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, false
	}
	kid := jws.Signatures[0].Header.KeyID
	var payload []byte
	for _, k := range t.publicKeys() {
		if kid != "" && k.kid != kid {
			continue
		}
		if p, err := jws.Verify(&k.priv.PublicKey); err == nil {
			payload = p
			break
		}
	}
	if payload == nil {
		return nil, false
	}
	var c bearerClaims
	if json.Unmarshal(payload, &c) != nil {
		return nil, false
	}
	ts := float64(now.Unix())
	if c.Exp != nil && ts > *c.Exp+bearerLeeway.Seconds() {
		return nil, false
	}
	if c.Nbf != nil && ts < *c.Nbf-bearerLeeway.Seconds() {
		return nil, false
	}
	if !uuidPattern.MatchString(c.Sub) || (c.ACR != "0" && c.ACR != "1") {
		return nil, false
	}
	return &c, true
}

// authenticate resolves the request's bearer token to a user of t with at
// least ACR minACR. On failure it writes Fief's answer and returns nil: 401
// {"detail":"Unauthorized"} without WWW-Authenticate, 403 ACR_TOO_LOW, or
// a 500 when the token's subject is not a user of the tenant.
func (s *Server) authenticate(t *Tenant, w http.ResponseWriter, r *http.Request, minACR string) *User {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || token == "" {
		writeDetail(w, http.StatusUnauthorized, "Unauthorized")
		return nil
	}
	c, ok := t.verifyAccessToken(token, s.Now())
	if !ok {
		writeDetail(w, http.StatusUnauthorized, "Unauthorized")
		return nil
	}
	s.mu.Lock()
	u, ok := t.users[c.Sub]
	active := ok && u.active
	s.mu.Unlock()
	switch {
	case !ok:
		writeInternalError(w)
		return nil
	case !active:
		writeDetail(w, http.StatusUnauthorized, "Unauthorized")
		return nil
	case c.ACR < minACR:
		writeDetail(w, http.StatusForbidden, "ACR_TOO_LOW")
		return nil
	}
	return u
}
