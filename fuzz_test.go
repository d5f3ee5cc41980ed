package fief

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The fuzz targets of the token, discovery and key-set parsers. Each runs its
// seed corpus (below and in testdata/fuzz) as a regular test; see SECURITY.md
// for how long each was fuzzed and what it found. They talk to an in-memory
// tenant (fzTenant): no sockets, a fixed clock, so that an execution costs a
// parse and at most one RSA operation.

// fzNow is the fixed time of the fuzz targets.
var fzNow = time.Unix(1_800_000_000, 0)

// fzTransport serves fixed bodies by path, 404 for any other path.
type fzTransport map[string][]byte

func (t fzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	body, ok := t[r.URL.Path]
	status := http.StatusOK
	if !ok {
		status, body = http.StatusNotFound, []byte(`{"detail":"Not Found"}`)
	}
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(body)),
		Request:    r,
	}, nil
}

// fzTenant is the in-memory tenant of the fuzz targets: signing key k0
// (kid "k0"), an encryption key for ID tokens, issuer testIssuer.
type fzTenant struct {
	sig    testKey
	other  testKey // a key the tenant does not have
	enc    testKey
	encJWK string // the client's private encryption key, as Config takes it
}

const fzBase = "http://fief.fuzz"

func newFzTenant(tb testing.TB) *fzTenant {
	tb.Helper()
	ft := &fzTenant{sig: newTestKey(tb, 0, "k0"), other: newTestKey(tb, 1, "k0"), enc: newTestKey(tb, 2, "enc")}
	b, err := json.Marshal(jose.JSONWebKey{Key: ft.enc.priv, KeyID: "enc", Use: "enc", Algorithm: string(jose.RSA_OAEP_256)})
	if err != nil {
		tb.Fatal(err)
	}
	ft.encJWK = string(b)
	return ft
}

// discoveryDoc returns a discovery document for a tenant at base.
func fzDiscovery(base string) []byte {
	b, _ := json.Marshal(map[string]string{
		"issuer":                 testIssuer,
		"authorization_endpoint": base + "/authorize",
		"token_endpoint":         base + "/api/token",
		"userinfo_endpoint":      base + "/api/userinfo",
		"jwks_uri":               base + "/.well-known/jwks.json",
	})
	return b
}

// client returns a client of the tenant at fzBase whose key set is jwks (the
// tenant's own when nil), with the encryption key when encrypted.
func (ft *fzTenant) client(tb testing.TB, jwks []byte, encrypted bool) *Client {
	tb.Helper()
	if jwks == nil {
		jwks = jwksOf(tb, ft.sig)
	}
	cfg := Config{
		BaseURL:    fzBase,
		ClientID:   "client",
		HTTPClient: &http.Client{Transport: fzTransport{"/.well-known/openid-configuration": fzDiscovery(fzBase), "/.well-known/jwks.json": jwks}},
		Clock:      func() time.Time { return fzNow },
	}
	if encrypted {
		cfg.EncryptionKey = ft.encJWK
	}
	return mustNew(tb, cfg)
}

// rawJWS signs header and payload (raw JSON bytes, encoded here) with RS256
// by hand, so that the header can be anything.
func fzSignRaw(k testKey, header, payload []byte) string {
	input := fzB64(header) + "." + fzB64(payload)
	h := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return input + "." + fzB64(sig)
}

// hmacJWS forges a token "signed" with HMAC-SHA256 under key.
func fzSignHMAC(alg string, key, payload []byte) string {
	input := fzB64([]byte(`{"alg":"`+alg+`","kid":"k0"}`)) + "." + fzB64(payload)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(input))
	return input + "." + fzB64(m.Sum(nil))
}

const fzAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func fzB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func fzJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// encryptFor wraps a signed token in a compact JWE for the client key.
func fzEncrypt(tb testing.TB, k testKey, alg jose.KeyAlgorithm, enc jose.ContentEncryption, jws string) string {
	tb.Helper()
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: &k.priv.PublicKey, KeyID: k.kid}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := e.Encrypt([]byte(jws))
	if err != nil {
		tb.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// accessSeeds are tokens covering every branch of access-token validation.
func (ft *fzTenant) accessSeeds(tb testing.TB) []string {
	iat := fzNow.Unix()
	valid := claimsAt(iat)
	expired := claimsAt(iat - 7200)
	hdr := []byte(`{"alg":"RS256","kid":"k0"}`)
	good := fzSignRaw(ft.sig, hdr, fzJSON(tb, valid))
	parts := strings.Split(good, ".")
	return []string{
		good,
		sign(tb, testKey{priv: ft.sig.priv}, valid), // no kid
		fzSignRaw(ft.sig, hdr, fzJSON(tb, expired)),
		fzSignRaw(ft.other, hdr, fzJSON(tb, valid)),                                // another key under kid k0
		fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k9"}`), fzJSON(tb, valid)), // unknown kid
		fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","crit":["exp"],"exp":1}`), fzJSON(tb, valid)),
		fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","jku":"http://evil/jwks"}`), fzJSON(tb, valid)),
		fzB64([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".",
		fzSignHMAC("HS256", []byte(nOf(tb, ft.sig)), fzJSON(tb, valid)),
		parts[0] + "." + fzB64([]byte(`{"iss":"https://fief.test","sub":"x"}`)) + "." + parts[2],
		parts[0] + "." + parts[1],
		good + ".e30",
		parts[0] + "=." + parts[1] + "." + parts[2],
		strings.ReplaceAll(good, "-", "+"),
		good + "\n",
		parts[0] + "\r\n." + parts[1] + "." + parts[2],
		" " + good,
		"",
		"...",
		fzEncrypt(tb, ft.enc, jose.RSA_OAEP_256, jose.A256CBC_HS512, good),
	}
}

// FuzzValidateAccessToken feeds arbitrary strings to ValidateAccessToken: it
// must never panic, must classify every refusal as ErrInvalidToken (the
// tenant is reachable: never ErrUnavailable), and must accept only tokens
// signed by the tenant's key.
func FuzzValidateAccessToken(f *testing.F) {
	ft := newFzTenant(f)
	for _, s := range ft.accessSeeds(f) {
		f.Add(s)
	}
	c := ft.client(f, nil, false)
	f.Fuzz(func(t *testing.T, token string) {
		info, err := c.ValidateAccessToken(context.Background(), token, Requirements{})
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrUnavailable) {
				t.Fatalf("refusal is not ErrInvalidToken alone: %v", err)
			}
			return
		}
		if len(token) > MaxTokenSize {
			t.Fatalf("accepted a token of %d bytes", len(token))
		}
		if info.AccessToken != token {
			t.Fatalf("info.AccessToken differs from the token")
		}
		if _, ok := canonicalUUID(info.ID); !ok || info.ID != strings.ToLower(info.ID) {
			t.Fatalf("accepted ID %q", info.ID)
		}
		// The signature must verify with the tenant's key, checked here with
		// crypto/rsa rather than go-jose.
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted a token of %d segments", len(parts))
		}
		// And it must be the canonical string of the token: base64url
		// characters only, no trailing bits (Go's decoders skip CR and LF
		// and ignore trailing bits, so a lenient check would let several
		// strings verify as one token).
		for i, p := range parts {
			if strings.ContainsFunc(p, func(r rune) bool { return !strings.ContainsRune(fzAlphabet, r) }) {
				t.Fatalf("accepted segment %d with characters outside base64url: %q", i, p)
			}
			if _, err := base64.RawURLEncoding.Strict().DecodeString(p); err != nil {
				t.Fatalf("accepted segment %d that a strict decoder refuses: %v", i, err)
			}
		}
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			t.Fatalf("accepted a signature that is not base64url: %v", err)
		}
		h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(&ft.sig.priv.PublicKey, crypto.SHA256, h[:], sig); err != nil {
			t.Fatalf("accepted a token the tenant's key did not sign: %v", err)
		}
	})
}

// refClaims is an independent reading of an access token's claims, to
// compare ValidateAccessToken with: the top-level members in order, matched
// to claim names as encoding/json does (case-insensitively; the last of
// duplicate keys wins).
type refClaims map[string]json.RawMessage

var refClaimNames = []string{"iss", "sub", "aud", "exp", "nbf", "acr", "scope", "permissions", "nonce"}

func readRefClaims(payload []byte) (refClaims, bool) {
	if !json.Valid(payload) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, false
	}
	rc := refClaims{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		for _, name := range refClaimNames {
			if strings.EqualFold(k.(string), name) {
				rc[name] = v
			}
		}
	}
	return rc, true
}

func (rc refClaims) str(name string) (string, bool) {
	var s *string
	if v, ok := rc[name]; !ok || json.Unmarshal(v, &s) != nil || s == nil {
		return "", false
	}
	return *s, true
}

// date returns a NumericDate claim; present reports whether it is there and
// not null.
func (rc refClaims) date(name string) (sec float64, present, ok bool) {
	v, there := rc[name]
	if !there || string(v) == "null" {
		return 0, false, true
	}
	n := bytes.TrimSpace(v)
	if len(n) == 0 || n[0] != '-' && (n[0] < '0' || n[0] > '9') {
		return 0, true, false // a JSON number, not a string of one
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f < 0 || f > maxNumericDate || math.IsNaN(f) {
		return 0, true, false
	}
	return f, true, true
}

// verdict says whether the reference accepts the claims (the signature being
// good), and whether the case is too close to the leeway boundary for the
// float arithmetic here to tell.
func (rc refClaims) verdict(now time.Time, leeway time.Duration) (accept, borderline bool, info AccessTokenInfo) {
	nowS, lw := float64(now.Unix()), leeway.Seconds()
	iss, ok := rc.str("iss")
	if !ok || iss != testIssuer {
		return false, false, info
	}
	exp, present, ok := rc.date("exp")
	if !present || !ok {
		return false, false, info
	}
	if math.Abs(exp+lw-nowS) < 1 {
		borderline = true
	}
	if nowS > exp+lw {
		return false, borderline, info
	}
	nbf, present, ok := rc.date("nbf")
	if !ok {
		return false, borderline, info
	}
	if present {
		if math.Abs(nbf-lw-nowS) < 1 {
			borderline = true
		}
		if nowS+lw < nbf {
			return false, borderline, info
		}
	}
	if v, ok := rc["aud"]; ok && string(v) != "null" {
		var one string
		var list []string
		if json.Unmarshal(v, &one) != nil && json.Unmarshal(v, &list) != nil {
			return false, borderline, info
		}
	}
	sub, ok := rc.str("sub")
	id, uuidOK := canonicalUUID(sub)
	if !ok || !uuidOK {
		return false, borderline, info
	}
	acr, ok := rc.str("acr")
	if !ok || (acr != "0" && acr != "1") {
		return false, borderline, info
	}
	scope, ok := rc.str("scope")
	if !ok {
		return false, borderline, info
	}
	var perms *[]string
	if v, there := rc["permissions"]; !there || json.Unmarshal(v, &perms) != nil || perms == nil {
		return false, borderline, info
	}
	p := *perms
	if p == nil {
		p = []string{}
	}
	return true, borderline, AccessTokenInfo{ID: id, Scope: strings.Fields(scope), ACR: ACR(acr), Permissions: p}
}

// FuzzAccessTokenClaims signs arbitrary headers and payloads with the
// tenant's key, so that fuzzing reaches the claim checks behind the
// signature. The outcome must match an independent reading of the claims
// (refClaims), and the header must have named RS256 and the tenant's kid
// (or none).
func FuzzAccessTokenClaims(f *testing.F) {
	ft := newFzTenant(f)
	iat := fzNow.Unix()
	hdr := []byte(`{"alg":"RS256","kid":"k0"}`)
	add := func(header []byte, claims any) {
		b, ok := claims.([]byte)
		if !ok {
			b = fzJSON(f, claims)
		}
		f.Add(header, b)
	}
	with := func(k string, v any) map[string]any { return claimsWith(iat, k, v) }
	add(hdr, claimsAt(iat))
	add([]byte(`{"alg":"RS256"}`), claimsAt(iat))
	add([]byte(`{"alg":"RS256","kid":"k0","jwk":{"kty":"oct","k":"AAAA"}}`), claimsAt(iat))
	add([]byte(`{"alg":"RS256","kid":"k0","crit":["b64"],"b64":false}`), claimsAt(iat))
	add([]byte(`{"alg":"PS256","kid":"k0"}`), claimsAt(iat))
	add([]byte(`{"alg":"rs256","kid":"k0"}`), claimsAt(iat))
	add([]byte(`{"alg":"RS256","kid":7}`), claimsAt(iat))
	add([]byte(`{"alg":"RS256","alg":"none","kid":"k0"}`), claimsAt(iat))
	add(hdr, with("exp", "1800003600"))
	add(hdr, with("exp", 1800000000.5))
	add(hdr, with("exp", 1e300))
	add(hdr, with("exp", nil))
	add(hdr, with("nbf", iat+3600))
	add(hdr, with("nbf", "0"))
	add(hdr, with("iat", "yesterday"))
	add(hdr, with("sub", "not-a-uuid"))
	add(hdr, with("sub", "AEEB8BFA-E8F4-4724-9427-C3D5AF66190E"))
	add(hdr, with("acr", "2"))
	add(hdr, with("acr", 1))
	add(hdr, with("scope", []string{"openid"}))
	add(hdr, with("permissions", "castles:read"))
	add(hdr, with("permissions", []any{"a", 1}))
	add(hdr, with("permissions", []string{}))
	add(hdr, with("iss", testIssuer+"/"))
	add(hdr, with("iss", "http://fief.test"))
	add(hdr, with("aud", 5))
	add(hdr, []byte(`{"iss":"https://evil","iss":"https://fief.test","sub":"aeeb8bfa-e8f4-4724-9427-c3d5af66190e","exp":1800003600,"acr":"0","scope":"","permissions":[]}`))
	add(hdr, []byte(`{"ISS":"https://fief.test","ſub":"aeeb8bfa-e8f4-4724-9427-c3d5af66190e","EXP":1800003600,"acr":"0","scope":"","permissions":null}`))
	add(hdr, []byte(`[]`))
	add(hdr, []byte(`null`))
	add(hdr, []byte(`"a string"`))
	add(hdr, []byte(`{"iss":"https://fief.test"} trailing`))

	c := ft.client(f, nil, false)
	f.Fuzz(func(t *testing.T, header, payload []byte) {
		token := fzSignRaw(ft.sig, header, payload)
		info, err := c.ValidateAccessToken(context.Background(), token, Requirements{})
		if err != nil && (!errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrUnavailable)) {
			t.Fatalf("refusal is not ErrInvalidToken alone: %v", err)
		}
		if err == nil {
			var h map[string]any
			if json.Unmarshal(header, &h) != nil || h["alg"] != "RS256" {
				t.Fatalf("accepted header %s", header)
			}
			if kid, ok := h["kid"]; ok && kid != "k0" && kid != "" {
				t.Fatalf("accepted kid %v", kid)
			}
		}
		// Whether the header is acceptable is go-jose's business; compare
		// the claims only for headers it accepts.
		if _, herr := jose.ParseSignedCompact(token, allowedAlgs); herr != nil || len(token) > MaxTokenSize {
			if err == nil {
				t.Fatalf("accepted a token go-jose cannot parse or an oversized one")
			}
			return
		}
		if !bytes.Equal(header, []byte(`{"alg":"RS256","kid":"k0"}`)) && !bytes.Equal(header, []byte(`{"alg":"RS256"}`)) {
			return // exotic but parseable header: no claim reference
		}
		rc, ok := readRefClaims(payload)
		accept, borderline := false, false
		var want AccessTokenInfo
		if ok {
			accept, borderline, want = rc.verdict(fzNow, DefaultLeeway)
		}
		if borderline {
			return
		}
		switch {
		case accept && err != nil:
			t.Fatalf("refused claims the reference accepts: %v\n%s", err, payload)
		case !accept && err == nil:
			t.Fatalf("accepted claims the reference refuses:\n%s", payload)
		case accept:
			if info.ID != want.ID || info.ACR != want.ACR || !slices.Equal(info.Scope, want.Scope) || !slices.Equal(info.Permissions, want.Permissions) {
				t.Fatalf("got %v, reference %v", info, want)
			}
		}
	})
}

// FuzzIDToken feeds arbitrary strings as ID tokens, to a client with an
// encryption key (JWE expected) and to one without (JWS expected): no panic,
// every refusal an ErrInvalidIDToken, and an accepted token's claims carry
// the tenant's issuer and the client's audience.
func FuzzIDToken(f *testing.F) {
	ft := newFzTenant(f)
	iat := fzNow.Unix()
	claims := claimsAt(iat)
	claims["aud"] = []string{"client"}
	claims["email"] = "anne@bretagne.duchy"
	jws := sign(f, ft.sig, claims)
	for _, s := range ft.accessSeeds(f) {
		f.Add(s)
	}
	f.Add(jws)
	f.Add(fzEncrypt(f, ft.enc, jose.RSA_OAEP_256, jose.A256CBC_HS512, jws))
	f.Add(fzEncrypt(f, ft.enc, jose.RSA_OAEP, jose.A256CBC_HS512, jws))
	f.Add(fzEncrypt(f, ft.enc, jose.RSA_OAEP_256, jose.A128GCM, jws))
	f.Add(fzEncrypt(f, ft.other, jose.RSA_OAEP_256, jose.A256CBC_HS512, jws))
	f.Add(fzEncrypt(f, ft.enc, jose.RSA_OAEP_256, jose.A256CBC_HS512, "not a jws"))
	f.Add(fzEncrypt(f, ft.enc, jose.RSA_OAEP_256, jose.A256CBC_HS512, fzEncrypt(f, ft.enc, jose.RSA_OAEP_256, jose.A256CBC_HS512, jws)))
	plain, encrypted := ft.client(f, nil, false), ft.client(f, nil, true)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, c := range []*Client{plain, encrypted} {
			info, err := c.verifyIDToken(context.Background(), raw, idTokenCheck{})
			if err != nil {
				if !errors.Is(err, ErrInvalidIDToken) || errors.Is(err, ErrUnavailable) {
					t.Fatalf("refusal is not ErrInvalidIDToken alone: %v", err)
				}
				continue
			}
			if info["iss"] != testIssuer {
				t.Fatalf("accepted iss %v", info["iss"])
			}
			if c == encrypted && strings.Count(raw, ".") != 4 {
				t.Fatalf("the encrypting client accepted an unencrypted ID token")
			}
			if c == plain && strings.Count(raw, ".") != 2 {
				t.Fatalf("the plain client accepted an ID token of %d dots", strings.Count(raw, "."))
			}
		}
	})
}

// FuzzIDTokenClaims signs arbitrary ID-token payloads with the tenant's key,
// and encrypts them for the client when encrypt is set, so that fuzzing
// reaches decryption and the ID-token claim checks.
func FuzzIDTokenClaims(f *testing.F) {
	ft := newFzTenant(f)
	iat := fzNow.Unix()
	base := claimsAt(iat)
	base["aud"] = "client"
	base["nonce"] = "n0"
	for _, enc := range []bool{false, true} {
		f.Add(fzJSON(f, base), enc)
		for k, v := range map[string]any{"aud": []string{"other"}, "exp": "never", "nonce": 5, "c_hash": "x", "at_hash": nil, "iss": testIssuer + "/"} {
			c := claimsAt(iat)
			c["aud"] = "client"
			c[k] = v
			f.Add(fzJSON(f, c), enc)
		}
		f.Add([]byte(`{"aud":["client"],"iss":"https://fief.test","exp":1800003600,"AUD":"x"}`), enc)
		f.Add([]byte(`[`), enc)
	}
	plain, encrypted := ft.client(f, nil, false), ft.client(f, nil, true)
	f.Fuzz(func(t *testing.T, payload []byte, encrypt bool) {
		raw := fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0"}`), payload)
		c := plain
		if encrypt {
			c = encrypted
			raw = fzEncrypt(t, ft.enc, jose.RSA_OAEP_256, jose.A256CBC_HS512, raw)
		}
		info, err := c.verifyIDToken(context.Background(), raw, idTokenCheck{nonce: "n0"})
		if err != nil {
			if !errors.Is(err, ErrInvalidIDToken) || errors.Is(err, ErrUnavailable) {
				t.Fatalf("refusal is not ErrInvalidIDToken alone: %v", err)
			}
			return
		}
		rc, ok := readRefClaims(payload)
		if !ok {
			t.Fatalf("accepted a payload that is not a JSON object: %q", payload)
		}
		if iss, _ := rc.str("iss"); iss != testIssuer {
			t.Fatalf("accepted iss %q", iss)
		}
		if _, present, ok := rc.date("exp"); !present || !ok {
			t.Fatalf("accepted exp %s", rc["exp"])
		}
		if nonce, _ := rc.str("nonce"); nonce != "n0" {
			t.Fatalf("accepted nonce %s although n0 was asked for", rc["nonce"])
		}
		var aud audience
		if json.Unmarshal(rc["aud"], &aud) != nil || !slices.Contains(aud, "client") {
			t.Fatalf("accepted aud %s", rc["aud"])
		}
		if len(info) == 0 {
			t.Fatal("accepted, with no claims")
		}
	})
}

// FuzzDiscovery serves arbitrary bodies as the discovery document of a
// tenant under /tenant: no panic, every failure an ErrUnavailable, and when
// it is accepted, every endpoint lies under the tenant's path and the
// authorization URL stays on the configured public host.
func FuzzDiscovery(f *testing.F) {
	const base = "http://fief.fuzz/tenant"
	f.Add(fzDiscovery(base))
	f.Add(fzDiscovery("https://elsewhere.example/tenant"))
	f.Add(fzDiscovery("http://fief.fuzz"))
	f.Add(fzDiscovery("http://fief.fuzz/tenant/../other"))
	f.Add([]byte(`{"issuer":"x","authorization_endpoint":"/tenant/authorize","token_endpoint":"//evil/tenant/t","userinfo_endpoint":"http://h/tenant/u","jwks_uri":"http://h/tenant/j"}`))
	f.Add([]byte(`{"issuer":""}`))
	f.Add([]byte(`{"issuer":1}`))
	f.Add([]byte(`<html>502 Bad Gateway</html>`))
	f.Add([]byte(`{"error":"server_error"}`))
	f.Add([]byte(`{"issuer":"https://fief.test","authorization_endpoint":"http://h/tenant/a`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		hc := &http.Client{Transport: fzTransport{"/tenant/.well-known/openid-configuration": body}}
		c := mustNew(t, Config{BaseURL: base, ClientID: "client", HTTPClient: hc, Clock: func() time.Time { return fzNow }})
		doc, err := c.discovery(context.Background())
		if err != nil {
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("discovery failure is not ErrUnavailable: %v", err)
			}
			return
		}
		if doc.issuer == "" {
			t.Fatal("accepted an empty issuer")
		}
		for _, p := range []string{doc.authorizePath, doc.tokenPath, doc.userinfoPath, doc.jwksPath} {
			if !strings.HasPrefix(p, "/tenant/") {
				t.Fatalf("endpoint path %q is outside the tenant", p)
			}
		}
		authURL, err := c.AuthURL(context.Background(), AuthURLParams{RedirectURI: "http://app/cb", State: "s"})
		if err != nil {
			t.Fatalf("AuthURL after a good discovery: %v", err)
		}
		u, err := url.Parse(authURL)
		if err != nil || u.Scheme != "http" || u.Host != "fief.fuzz" || !strings.HasPrefix(u.Path, "/tenant/") {
			t.Fatalf("authorization URL %q left the tenant (%v)", authURL, err)
		}
		if got := c.backURL(doc.tokenPath); !strings.HasPrefix(got, base+"/") {
			t.Fatalf("token endpoint %q left the tenant", got)
		}
	})
}

// FuzzJWKS serves arbitrary bodies as the key set: no panic, every failure
// an ErrUnavailable, only RSA keys of at least 2048 bits kept, and a token
// of the tenant validates only when its key is in the set.
func FuzzJWKS(f *testing.F) {
	ft := newFzTenant(f)
	good := jwksOf(f, ft.sig)
	f.Add(good)
	f.Add(jwksOf(f, ft.sig, ft.enc))
	f.Add(jwksOf(f, ft.other))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"k0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"k0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"","e":"","kid":"k0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","use":"enc","kid":"k0"}]}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`{"keys":{}}`))
	f.Add([]byte(`[]`))
	f.Add(bytes.Replace(good, []byte(`"use":"sig"`), []byte(`"use":"sig","alg":"HS256"`), 1))
	f.Add(bytes.Replace(good, []byte(`"kid":"k0"`), []byte(`"kid":"k0","x5c":["AAAA"]`), 1))
	token := sign(f, ft.sig, claimsAt(fzNow.Unix()))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := ft.client(t, body, false)
		ctx := context.Background()
		err := c.keys.refresh(ctx)
		if err != nil && !errors.Is(err, ErrUnavailable) {
			t.Fatalf("key set failure is not ErrUnavailable: %v", err)
		}
		c.keys.mu.RLock()
		all, byKID := c.keys.all, c.keys.byKID
		c.keys.mu.RUnlock()
		for _, k := range all {
			if k.N.BitLen() < minRSABits {
				t.Fatalf("kept a %d-bit key", k.N.BitLen())
			}
		}
		for kid, k := range byKID {
			if !containsKey(all, k) {
				t.Fatalf("key %q is not among the signing keys", kid)
			}
		}
		_, verr := c.ValidateAccessToken(ctx, token, Requirements{})
		if verr == nil && !containsKey(all, &ft.sig.priv.PublicKey) {
			t.Fatal("validated a token whose key is not in the set")
		}
		if verr != nil && err == nil && byKID["k0"] != nil && byKID["k0"].Equal(&ft.sig.priv.PublicKey) {
			t.Fatalf("the tenant's key is in the set under k0, yet: %v", verr)
		}
	})
}
