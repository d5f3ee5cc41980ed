package security_test

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/go-jose/go-jose/v4"
)

// outcome is the category of the answer to a token, as documented by
// fief.Client.ValidateAccessToken and the fiefhttp middleware.
type outcome int

const (
	valid       outcome = iota // no error; 200
	invalid                    // ErrInvalidToken but not ErrTokenExpired; 401
	expired                    // ErrTokenExpired (also ErrInvalidToken); 401
	forbidden                  // ErrForbidden; 403
	unavailable                // ErrUnavailable; 503
	unknown
)

func (o outcome) String() string {
	return [...]string{"valid", "invalid", "expired", "forbidden", "unavailable", "unknown"}[o]
}

// status is the middleware's answer to the outcome.
func (o outcome) status() int {
	return [...]int{http.StatusOK, http.StatusUnauthorized, http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable, 0}[o]
}

// classify returns the outcome of an error of ValidateAccessToken.
func classify(err error) outcome {
	switch {
	case err == nil:
		return valid
	case errors.Is(err, fief.ErrTokenExpired):
		return expired
	case errors.Is(err, fief.ErrInvalidToken):
		return invalid
	case errors.Is(err, fief.ErrForbidden):
		return forbidden
	case errors.Is(err, fief.ErrUnavailable):
		return unavailable
	}
	return unknown
}

// tokenCase is one forged or malformed token with its expected outcome.
type tokenCase struct {
	name string
	// own: the token is for the own tenant (whose key the test holds), so
	// that its claims reach the claim checks; otherwise for the fieftest
	// tenant.
	own   bool
	token func(t *testing.T, e *env) string
	req   fief.Requirements
	// client, if set, gives the client to validate with (default: the
	// env's client of the token's tenant).
	client func(t *testing.T, e *env) *fief.Client
	want   outcome
	// cookieWant, if set, is the outcome through the cookie getter when it
	// differs: net/http trims the whitespace around a cookie value.
	cookieWant *outcome
	// check, if set, inspects the info of a valid token.
	check func(t *testing.T, e *env, info fief.AccessTokenInfo)
}

// fiefTok returns a token function minting a fieftest token.
func fiefTok(o fieftest.TokenOptions) func(*testing.T, *env) string {
	return func(_ *testing.T, e *env) string { return e.token(o) }
}

// ownTok returns a token function signing the own tenant's valid claims,
// changed by mod, with RS256 under kid "own".
func ownTok(mod func(c map[string]any)) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string {
		c := ownClaims()
		if mod != nil {
			mod(c)
		}
		return forge(t, map[string]any{"alg": "RS256", "kid": "own"}, c, rsaPKCS1(keys(t).own, crypto.SHA256))
	}
}

// ownRaw signs a raw payload for the own tenant.
func ownRaw(payload string) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string {
		return forge(t, map[string]any{"alg": "RS256", "kid": "own"}, []byte(payload), rsaPKCS1(keys(t).own, crypto.SHA256))
	}
}

// ownDupRaw signs a payload with a duplicated claim: the valid claims, then
// extra raw members appended (so that they come last).
func ownDup(extra string) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string {
		b := rawJSON(t, ownClaims())
		payload := string(b[:len(b)-1]) + "," + extra + "}"
		return forge(t, map[string]any{"alg": "RS256", "kid": "own"}, []byte(payload), rsaPKCS1(keys(t).own, crypto.SHA256))
	}
}

// set and del build claim modifications.
func set(k string, v any) func(map[string]any) { return func(c map[string]any) { c[k] = v } }
func del(k string) func(map[string]any)        { return func(c map[string]any) { delete(c, k) } }

// resigned returns a fieftest token whose header or payload was modified
// while its signature was kept.
func resigned(modHeader, modPayload func(map[string]any)) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string {
		p := segments(e.token(fieftest.TokenOptions{}))
		h, c := decodeSegment(t, p[0]), decodeSegment(t, p[1])
		if modHeader != nil {
			modHeader(h)
		}
		if modPayload != nil {
			modPayload(c)
		}
		return b64(rawJSON(t, h)) + "." + b64(rawJSON(t, c)) + "." + p[2]
	}
}

// withHeader returns a fieftest token's payload under a new header, with
// the given signer.
func withHeader(header func(e *env) map[string]any, sign func(t *testing.T, e *env) signer) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string {
		p := segments(e.token(fieftest.TokenOptions{}))
		payload, err := base64.RawURLEncoding.DecodeString(p[1])
		if err != nil {
			t.Fatal(err)
		}
		return forge(t, header(e), payload, sign(t, e))
	}
}

func tenantKID(t *testing.T, e *env) string { return e.tenantJWK(t).KeyID }

func attackerSigner(t *testing.T, _ *env) signer { return rsaPKCS1(keys(t).attacker, crypto.SHA256) }

// attackerCert returns a self-signed certificate of the attacker's key.
func attackerCert(t *testing.T) []byte {
	k := keys(t).attacker
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fief.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func tokenCases() []tokenCase {
	minted := fieftest.TokenOptions{}
	cases := []tokenCase{
		// Controls: what a genuine token gets.
		{name: "control: genuine token", token: fiefTok(minted), want: valid,
			check: func(t *testing.T, e *env, info fief.AccessTokenInfo) {
				if info.ID != e.user.ID {
					t.Errorf("ID %q, want %q", info.ID, e.user.ID)
				}
			}},
		{name: "control: own tenant's genuine token", own: true, token: ownTok(nil), want: valid},
		{name: "genuine token lacking a required scope", token: fiefTok(minted), req: fief.Requirements{Scopes: []string{"admin"}}, want: forbidden},
		{name: "genuine token of ACR 0 where 1 is required", token: fiefTok(minted), req: fief.Requirements{ACR: fief.ACRLevel1}, want: forbidden},
		{name: "genuine token lacking a required permission", token: fiefTok(minted), req: fief.Requirements{Permissions: []string{"castles:write"}}, want: forbidden},
		{name: "genuine token expired beyond the leeway", token: fiefTok(fieftest.TokenOptions{Lifetime: -2 * time.Minute}), want: expired},
		{name: "genuine token expired within the 60s leeway", token: fiefTok(fieftest.TokenOptions{Lifetime: -20 * time.Second}), want: valid},
		{name: "token of another client of the tenant (audience off by default)", token: func(t *testing.T, e *env) string {
			other, err := e.srv.AddClient(fieftest.ClientConfig{})
			if err != nil {
				t.Fatal(err)
			}
			return e.token(fieftest.TokenOptions{ClientID: other.ClientID})
		}, want: valid},
		{name: "token of another client with AccessTokenAudiences set", token: func(t *testing.T, e *env) string {
			other, err := e.srv.AddClient(fieftest.ClientConfig{})
			if err != nil {
				t.Fatal(err)
			}
			return e.token(fieftest.TokenOptions{ClientID: other.ClientID})
		}, client: func(t *testing.T, e *env) *fief.Client {
			return e.newClient(t, func(c *fief.Config) { c.AccessTokenAudiences = []string{e.fc.ClientID} })
		}, want: invalid},
		{name: "token of another tenant of the same server", token: func(t *testing.T, e *env) string {
			tn, err := e.srv.AddTenant("other")
			if err != nil {
				t.Fatal(err)
			}
			u, err := tn.AddUser(fieftest.UserConfig{Email: "x@other.test"})
			if err != nil {
				t.Fatal(err)
			}
			return tn.MintAccessToken(u.ID, fieftest.TokenOptions{})
		}, want: invalid},

		// alg none, and the HMAC confusion with the public key.
		{name: "alg none, no signature", token: withHeader(func(e *env) map[string]any { return map[string]any{"alg": "none"} }, func(*testing.T, *env) signer { return noSignature }), want: invalid},
		{name: "alg None under the tenant's kid", token: func(t *testing.T, e *env) string {
			return withHeader(func(e *env) map[string]any { return map[string]any{"alg": "None", "kid": tenantKID(t, e)} }, func(*testing.T, *env) signer { return noSignature })(t, e)
		}, want: invalid},
		{name: "alg NONE", token: withHeader(func(e *env) map[string]any { return map[string]any{"alg": "NONE"} }, func(*testing.T, *env) signer { return noSignature }), want: invalid},
		{name: "alg none keeping the genuine signature", token: resigned(func(h map[string]any) { h["alg"] = "none" }, nil), want: invalid},
	}
	for _, a := range hmacAlgs {
		for _, form := range []string{"PEM", "PKCS1 PEM", "DER", "JWK n"} {
			cases = append(cases, tokenCase{
				name: a.alg + " signed with the tenant's public key as " + form,
				token: func(t *testing.T, e *env) string {
					jwk := e.tenantJWK(t)
					key := publicKeyForms(t, jwk)[form]
					return withHeader(func(*env) map[string]any { return map[string]any{"alg": a.alg, "kid": jwk.KeyID} },
						func(*testing.T, *env) signer { return hmacSigner(a.h, key) })(t, e)
				},
				want: invalid,
			})
		}
	}
	cases = append(cases, []tokenCase{
		// Other algorithms, by keys the client knows.
		{name: "RS384 by the tenant's key", own: true, token: ownSigned("RS384", "own", func(t *testing.T) signer { return rsaPKCS1(keys(t).own, crypto.SHA384) }), want: invalid},
		{name: "RS512 by the tenant's key", own: true, token: ownSigned("RS512", "own", func(t *testing.T) signer { return rsaPKCS1(keys(t).own, crypto.SHA512) }), want: invalid},
		{name: "PS256 by the tenant's key", own: true, token: ownSigned("PS256", "own", func(t *testing.T) signer { return rsaPSS(keys(t).own) }), want: invalid},
		{name: "ES256 by an EC key of the JWKS", own: true, token: ownSigned("ES256", "ec", func(t *testing.T) signer { return es256(keys(t).ec) }), want: invalid},
		{name: "RS256 claimed, ES256 key's kid", own: true, token: ownSigned("RS256", "ec", func(t *testing.T) signer { return es256(keys(t).ec) }), want: invalid},

		// Signatures that do not match.
		{name: "payload modified (sub), signature kept", token: resigned(nil, set("sub", "00000000-0000-4000-8000-000000000000")), want: invalid},
		{name: "payload modified (scope widened), signature kept", token: resigned(nil, set("scope", "openid admin")), want: invalid},
		{name: "payload modified (exp extended), signature kept", token: resigned(nil, set("exp", time.Now().Add(365*24*time.Hour).Unix())), want: invalid},
		{name: "header modified (typ added), signature kept", token: resigned(func(h map[string]any) { h["typ"] = "JWT" }, nil), want: invalid},
		{name: "header modified (kid removed), signature kept", token: resigned(func(h map[string]any) { delete(h, "kid") }, nil), want: invalid},
		{name: "signature of another key under the tenant's kid", token: func(t *testing.T, e *env) string {
			return withHeader(func(e *env) map[string]any { return map[string]any{"alg": "RS256", "kid": tenantKID(t, e)} }, attackerSigner)(t, e)
		}, want: invalid},
		{name: "unknown kid", token: withHeader(func(*env) map[string]any { return map[string]any{"alg": "RS256", "kid": "attacker"} }, attackerSigner), want: invalid},
		{name: "no kid, another key", token: withHeader(func(*env) map[string]any { return map[string]any{"alg": "RS256"} }, attackerSigner), want: invalid},
		{name: "genuine signature with its last base64 character changed", token: func(t *testing.T, e *env) string {
			tok := e.token(minted)
			return tok[:len(tok)-2] + flipChar(tok[len(tok)-2]) + tok[len(tok)-1:]
		}, want: invalid},

		// Headers that point elsewhere: never followed, never trusted.
		{name: "jku to the attacker's key set", token: func(t *testing.T, e *env) string {
			return withHeader(func(e *env) map[string]any {
				return map[string]any{"alg": "RS256", "kid": "attacker", "jku": e.attacker.URL + "/jwks.json"}
			}, attackerSigner)(t, e)
		}, want: invalid},
		{name: "x5u to the attacker's certificate", token: func(t *testing.T, e *env) string {
			return withHeader(func(e *env) map[string]any {
				return map[string]any{"alg": "RS256", "kid": "attacker", "x5u": e.attacker.URL + "/cert.pem"}
			}, attackerSigner)(t, e)
		}, want: invalid},
		{name: "jwk header embedding the attacker's key", token: func(t *testing.T, e *env) string {
			return withHeader(func(e *env) map[string]any {
				return map[string]any{"alg": "RS256", "jwk": jose.JSONWebKey{Key: &keys(t).attacker.PublicKey, Use: "sig"}}
			}, attackerSigner)(t, e)
		}, want: invalid},
		{name: "x5c header with the attacker's certificate", token: func(t *testing.T, e *env) string {
			return withHeader(func(e *env) map[string]any {
				return map[string]any{"alg": "RS256", "x5c": []string{base64.StdEncoding.EncodeToString(attackerCert(t))}}
			}, attackerSigner)(t, e)
		}, want: invalid},
		{name: "jku on a token of the trusted key: ignored", own: true, token: func(t *testing.T, e *env) string {
			return forge(t, map[string]any{"alg": "RS256", "kid": "own", "jku": e.attacker.URL}, ownClaims(), rsaPKCS1(keys(t).own, crypto.SHA256))
		}, want: valid},
		{name: "crit header naming an unknown extension", own: true, token: func(t *testing.T, e *env) string {
			return forge(t, map[string]any{"alg": "RS256", "kid": "own", "crit": []string{"exp"}, "exp": 1}, ownClaims(), rsaPKCS1(keys(t).own, crypto.SHA256))
		}, want: invalid},
		{name: "crit b64=false (unencoded payload)", own: true, token: func(t *testing.T, e *env) string {
			return forge(t, map[string]any{"alg": "RS256", "kid": "own", "crit": []string{"b64"}, "b64": false}, ownClaims(), rsaPKCS1(keys(t).own, crypto.SHA256))
		}, want: invalid},

		// Structure and encoding.
		{name: "JWE where a JWS is expected", token: func(t *testing.T, e *env) string {
			enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &keys(t).attacker.PublicKey}, nil)
			if err != nil {
				t.Fatal(err)
			}
			obj, err := enc.Encrypt([]byte(e.token(minted)))
			if err != nil {
				t.Fatal(err)
			}
			s, _ := obj.CompactSerialize()
			return s
		}, want: invalid},
		{name: "two segments", token: func(t *testing.T, e *env) string { p := segments(e.token(minted)); return p[0] + "." + p[1] }, want: invalid},
		{name: "four segments", token: func(t *testing.T, e *env) string { return e.token(minted) + ".e30" }, want: invalid},
		{name: "one segment", token: func(t *testing.T, e *env) string { return segments(e.token(minted))[1] }, want: invalid},
		{name: "base64 padding on the payload", token: func(t *testing.T, e *env) string {
			p := segments(e.token(minted))
			return p[0] + "." + p[1] + "==." + p[2]
		}, want: invalid},
		{name: "standard base64 alphabet (+/)", token: func(t *testing.T, e *env) string {
			tok := e.token(minted)
			std := strings.NewReplacer("-", "+", "_", "/").Replace(tok)
			if std == tok {
				t.Fatal("token has no - or _ to change")
			}
			return std
		}, want: invalid},
		{name: "whitespace inside the token", token: func(t *testing.T, e *env) string {
			tok := e.token(minted)
			return tok[:40] + " " + tok[40:]
		}, want: invalid},
		{name: "trailing newline", token: func(t *testing.T, e *env) string { return e.token(minted) + "\n" }, want: invalid, cookieWant: ptr(valid)},
		{name: "newline inside the payload segment", token: func(t *testing.T, e *env) string {
			p := segments(e.token(minted))
			return p[0] + "." + p[1][:10] + "\n" + p[1][10:] + "." + p[2]
		}, want: invalid},
		{name: "CR LF inside the signature", token: func(t *testing.T, e *env) string {
			p := segments(e.token(minted))
			return p[0] + "." + p[1] + "." + p[2][:10] + "\r\n" + p[2][10:]
		}, want: invalid},
		{name: "non-zero padding bits in the signature's last character", token: func(t *testing.T, e *env) string {
			tok := e.token(minted)
			return tok[:len(tok)-1] + string(setLowBit(tok[len(tok)-1]))
		}, want: invalid},
		{name: "empty token", token: func(*testing.T, *env) string { return "" }, want: invalid},
		{name: "1 MiB token", token: func(t *testing.T, e *env) string {
			p := segments(e.token(minted))
			return p[0] + "." + strings.Repeat("A", 1<<20) + "." + p[2]
		}, want: invalid},
		{name: "one byte over MaxTokenSize", token: func(t *testing.T, e *env) string {
			tok := e.token(minted)
			return tok[:len(tok)-1] + strings.Repeat("A", fief.MaxTokenSize+1-len(tok)) + tok[len(tok)-1:]
		}, want: invalid},

		// Payloads.
		{name: "payload not JSON", own: true, token: ownRaw(`not json`), want: invalid},
		{name: "payload a JSON array", own: true, token: ownRaw(`[{"iss":"https://own.fief.test"}]`), want: invalid},
		{name: "payload a JSON string", own: true, token: ownRaw(`"claims"`), want: invalid},
		{name: "payload null", own: true, token: ownRaw(`null`), want: invalid},
		{name: "payload a number", own: true, token: ownRaw(`42`), want: invalid},
		{name: "payload with trailing data", own: true, token: func(t *testing.T, e *env) string {
			return ownRaw(string(rawJSON(t, ownClaims()))+`{}`)(t, e)
		}, want: invalid},
		{name: "duplicate sub: the last wins", own: true, token: ownDup(`"sub":"0f0e0d0c-0b0a-4908-8706-050403020100"`), want: valid,
			check: func(t *testing.T, _ *env, info fief.AccessTokenInfo) {
				if info.ID != "0f0e0d0c-0b0a-4908-8706-050403020100" {
					t.Errorf("ID %q, want the last sub", info.ID)
				}
			}},
		{name: "duplicate exp: the last (past) wins", own: true, token: ownDup(`"exp":1000000000`), want: expired},
		{name: "duplicate iss: the last (foreign) wins", own: true, token: ownDup(`"iss":"https://evil.test"`), want: invalid},
		{name: "claim names in upper case: matched like encoding/json", own: true, token: ownDup(`"SCOPE":"openid admin"`), want: valid,
			check: func(t *testing.T, _ *env, info fief.AccessTokenInfo) {
				if !info.HasScope("admin") {
					t.Errorf("scope %v: the case-folded SCOPE should win as the last member", info.Scope)
				}
			}},

		// Dates.
		{name: "exp as a string", own: true, token: ownTok(func(c map[string]any) { c["exp"] = "9999999999" }), want: invalid},
		{name: "exp as a float in the future", own: true, token: ownTok(func(c map[string]any) { c["exp"] = float64(time.Now().Unix()) + 3600.5 }), want: valid},
		{name: "exp as a float just past the leeway", own: true, token: ownTok(func(c map[string]any) { c["exp"] = float64(time.Now().Unix()) - 61.5 }), want: expired},
		{name: "exp huge (1e20)", own: true, token: ownRaw2(`"exp":1e20`), want: invalid},
		{name: "exp beyond int64 (1e400)", own: true, token: ownRaw2(`"exp":1e400`), want: invalid},
		{name: "exp negative", own: true, token: ownTok(set("exp", -1)), want: invalid},
		{name: "exp zero", own: true, token: ownTok(set("exp", 0)), want: expired},
		{name: "exp missing", own: true, token: ownTok(del("exp")), want: invalid},
		{name: "exp null", own: true, token: ownTok(set("exp", nil)), want: invalid},
		{name: "exp true", own: true, token: ownTok(set("exp", true)), want: invalid},
		{name: "nbf as a string", own: true, token: ownTok(set("nbf", "0")), want: invalid},
		{name: "nbf an hour ahead", own: true, token: ownTok(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), want: invalid},
		{name: "nbf 20s ahead, within the leeway", own: true, token: ownTok(func(c map[string]any) { c["nbf"] = time.Now().Add(20 * time.Second).Unix() }), want: valid},
		{name: "iat as a string (iat is not used)", own: true, token: ownTok(set("iat", "yesterday")), want: valid},
		{name: "iat a day ahead (iat is not used)", own: true, token: ownTok(func(c map[string]any) { c["iat"] = time.Now().Add(24 * time.Hour).Unix() }), want: valid},

		// Claim shapes.
		{name: "sub not a UUID", own: true, token: ownTok(set("sub", "admin")), want: invalid},
		{name: "sub a UUID in braces", own: true, token: ownTok(set("sub", "{aeeb8bfa-e8f4-4724-9427-c3d5af66190e}")), want: invalid},
		{name: "sub a UUID without hyphens", own: true, token: ownTok(set("sub", "aeeb8bfae8f447249427c3d5af66190e")), want: invalid},
		{name: "sub a number", own: true, token: ownTok(set("sub", 42)), want: invalid},
		{name: "sub missing", own: true, token: ownTok(del("sub")), want: invalid},
		{name: "sub an upper-case UUID: normalised", own: true, token: ownTok(set("sub", "AEEB8BFA-E8F4-4724-9427-C3D5AF66190E")), want: valid,
			check: func(t *testing.T, _ *env, info fief.AccessTokenInfo) {
				if info.ID != "aeeb8bfa-e8f4-4724-9427-c3d5af66190e" {
					t.Errorf("ID %q, want lower case", info.ID)
				}
			}},
		{name: "acr unknown (2)", own: true, token: ownTok(set("acr", "2")), want: invalid},
		{name: "acr a number", own: true, token: ownTok(set("acr", 1)), want: invalid},
		{name: "acr missing", own: true, token: ownTok(del("acr")), want: invalid},
		{name: "scope a list", own: true, token: ownTok(set("scope", []string{"openid"})), want: invalid},
		{name: "scope missing", own: true, token: ownTok(del("scope")), want: invalid},
		{name: "permissions a string", own: true, token: ownTok(set("permissions", userPermission)), want: invalid},
		{name: "permissions with a number", own: true, token: ownTok(set("permissions", []any{userPermission, 1})), want: invalid},
		{name: "permissions null", own: true, token: ownTok(set("permissions", nil)), want: invalid},
		{name: "permissions missing", own: true, token: ownTok(del("permissions")), want: invalid},
		{name: "aud a number", own: true, token: ownTok(set("aud", 5)), want: invalid},
		{name: "iss with a trailing slash", own: true, token: ownTok(set("iss", ownIssuer+"/")), want: invalid},
		{name: "iss with another scheme", own: true, token: ownTok(set("iss", strings.Replace(ownIssuer, "https:", "http:", 1))), want: invalid},
		{name: "iss in another case", own: true, token: ownTok(set("iss", strings.ToUpper(ownIssuer))), want: invalid},
		{name: "iss missing", own: true, token: ownTok(del("iss")), want: invalid},
	}...)
	return cases
}

// ownSigned signs the own tenant's valid claims under header {alg, kid}.
func ownSigned(alg, kid string, s func(t *testing.T) signer) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string {
		return forge(t, map[string]any{"alg": alg, "kid": kid}, ownClaims(), s(t))
	}
}

// ownRaw2 signs the own tenant's valid claims with one member replaced by
// raw JSON (for numbers encoding/json would not write).
func ownRaw2(member string) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string {
		c := ownClaims()
		name := strings.Trim(strings.SplitN(member, ":", 2)[0], `"`)
		delete(c, name)
		b := rawJSON(t, c)
		payload := string(b[:len(b)-1]) + "," + member + "}"
		return forge(t, map[string]any{"alg": "RS256", "kid": "own"}, []byte(payload), rsaPKCS1(keys(t).own, crypto.SHA256))
	}
}

// flipChar returns another base64url character whose 6 bits differ in the
// high ones, so that the decoded bytes change.
func flipChar(c byte) string {
	if c == 'A' {
		return "g"
	}
	return "A"
}

func ptr[T any](v T) *T { return &v }

// setLowBit returns the base64url character whose 6-bit value is c's with
// the lowest bit flipped: for the last character of a 256-byte RSA
// signature (342 characters, 2 bits of data in the last one) it changes only
// padding bits, which a strict decoder refuses.
func setLowBit(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return alphabet[strings.IndexByte(alphabet, c)^1]
}

// TestForgedTokens runs every case through fief.Client.ValidateAccessToken
// and through the fiefhttp middleware (Authorization header and cookie).
func TestForgedTokens(t *testing.T) {
	e := newEnv(t)
	cases := tokenCases()
	if len(cases) < 40 {
		t.Fatalf("%d cases, the suite keeps at least 40", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := tc.token(t, e)
			client := e.client
			if tc.own {
				client = e.ownClient
			}
			if tc.client != nil {
				client = tc.client(t, e)
			}
			info, err := client.ValidateAccessToken(ctxTimeout(t, 10*time.Second), token, tc.req)
			if got := classify(err); got != tc.want {
				t.Errorf("ValidateAccessToken: %v (%v), want %v", got, err, tc.want)
			}
			if err == nil && tc.check != nil {
				tc.check(t, e, info)
			}
			for _, getter := range []struct {
				name string
				g    fiefhttp.TokenGetter
				set  func(r *http.Request)
			}{
				{"header", fiefhttp.AuthorizationHeader("Bearer"), func(r *http.Request) { r.Header["Authorization"] = []string{"Bearer " + token} }},
				{"cookie", fiefhttp.Cookie("session"), func(r *http.Request) { r.Header["Cookie"] = []string{"session=" + token} }},
			} {
				r := httptest.NewRequest("GET", "/protected", nil)
				getter.set(r)
				w := httptest.NewRecorder()
				authHandler(client, getter.g, tc.req).ServeHTTP(w, r)
				want := tc.want
				if getter.name == "cookie" && tc.cookieWant != nil {
					want = *tc.cookieWant
				}
				if w.Code != want.status() {
					t.Errorf("middleware (%s): status %d, want %d", getter.name, w.Code, want.status())
				}
				if len(token) > 16 && strings.Contains(w.Body.String()+strings.Join(w.Header().Values("WWW-Authenticate"), ""), token) {
					t.Errorf("middleware (%s) echoes the token", getter.name)
				}
				if want == invalid || want == expired {
					if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
						t.Errorf("middleware (%s): WWW-Authenticate %q", getter.name, got)
					}
				}
			}
		})
	}
	if n := e.attacker.hits.Load(); n != 0 {
		t.Errorf("the attacker's server received %d requests (jku/x5u followed?)", n)
	}
}
