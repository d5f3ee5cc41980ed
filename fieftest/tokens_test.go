package fieftest_test

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// decryptIDToken decrypts a nested ID token with the client's private key
// and verifies the inner JWS.
func decryptIDToken(t *testing.T, token string, c *fieftest.Client, set jose.JSONWebKeySet) map[string]any {
	t.Helper()
	var key jose.JSONWebKey
	if err := json.Unmarshal([]byte(c.EncryptionKey), &key); err != nil {
		t.Fatal(err)
	}
	if key.IsPublic() || key.Use != "enc" || key.KeyID == "" {
		t.Errorf("encryption key: public %v use %q kid %q", key.IsPublic(), key.Use, key.KeyID)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	var hdr map[string]any
	json.Unmarshal(raw, &hdr)
	if len(hdr) != 3 || hdr["alg"] != "RSA-OAEP-256" || hdr["enc"] != "A256CBC-HS512" || hdr["kid"] != key.KeyID {
		t.Errorf("JWE header %v", hdr)
	}
	jwe, err := jose.ParseEncryptedCompact(token, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256CBC_HS512})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := jwe.Decrypt(key.Key)
	if err != nil {
		t.Fatal(err)
	}
	return verifyJWS(t, string(inner), set)
}

func TestMintAccessToken(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv.SetClock(func() time.Time { return now })
	u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com", Permissions: []string{"p:read", "p:write"}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	set := fetchJWKS(t, srv.Client(), srv.URL)

	tests := []struct {
		name    string
		opts    fieftest.TokenOptions
		aud     string
		scope   string
		perms   []string
		acr     string
		life    time.Duration
		expired bool // by go-jose without leeway
		api     int  // status of /api/userinfo (60s leeway)
	}{
		{"defaults", fieftest.TokenOptions{}, cl.ClientID, "openid", []string{"p:read", "p:write"}, "0", 24 * time.Hour, false, 200},
		{"explicit", fieftest.TokenOptions{ClientID: "other", Scopes: []string{"openid", "offline_access"}, Permissions: []string{"x"}, ACR: "1", Lifetime: time.Hour}, "other", "openid offline_access", []string{"x"}, "1", time.Hour, false, 200},
		{"no permissions", fieftest.TokenOptions{Permissions: []string{}}, cl.ClientID, "openid", []string{}, "0", 24 * time.Hour, false, 200},
		{"expired", fieftest.TokenOptions{Lifetime: -2 * time.Minute}, cl.ClientID, "openid", []string{"p:read", "p:write"}, "0", -2 * time.Minute, true, 401},
		{"expired within leeway", fieftest.TokenOptions{Lifetime: -30 * time.Second}, cl.ClientID, "openid", []string{"p:read", "p:write"}, "0", -30 * time.Second, true, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := srv.MintAccessToken(u.ID, tt.opts)
			claims := verifyJWS(t, tok, set)
			var keys []string
			for k := range claims {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"acr", "aud", "auth_time", "azp", "exp", "iat", "iss", "permissions", "scope", "sub"}; !slices.Equal(keys, want) {
				t.Errorf("claims %v, want %v", keys, want)
			}
			b, _ := json.Marshal(claims["permissions"])
			wantPerms, _ := json.Marshal(tt.perms)
			if claims["iss"] != srv.Issuer() || claims["sub"] != u.ID || claims["azp"] != tt.aud || claims["scope"] != tt.scope ||
				claims["acr"] != tt.acr || string(b) != string(wantPerms) {
				t.Errorf("claims %v", claims)
			}
			if aud, ok := claims["aud"].([]any); !ok || len(aud) != 1 || aud[0] != tt.aud {
				t.Errorf("aud %v, want [%s]", claims["aud"], tt.aud)
			}
			if int64(claims["iat"].(float64)) != now.Unix() || int64(claims["auth_time"].(float64)) != now.Unix() ||
				int64(claims["exp"].(float64)) != now.Add(tt.life).Unix() {
				t.Errorf("times %v", claims)
			}
			// Independent validation with go-jose's jwt package.
			parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
			if err != nil {
				t.Fatal(err)
			}
			var std jwt.Claims
			if err := parsed.Claims(set.Keys[0].Key, &std); err != nil {
				t.Fatal(err)
			}
			err = std.ValidateWithLeeway(jwt.Expected{Issuer: srv.Issuer(), AnyAudience: jwt.Audience{tt.aud}, Time: now}, 0)
			if (err != nil) != tt.expired {
				t.Errorf("validate: %v, want expired=%v", err, tt.expired)
			}
			// The server's own user API accepts it unless expired.
			st, _ := bearer(t, srv.Client(), "GET", srv.URL+"/api/userinfo", tok, "")
			if st != tt.api {
				t.Errorf("userinfo %d, want %d", st, tt.api)
			}
		})
	}
	t.Run("unknown user panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		srv.MintAccessToken("00000000-0000-4000-8000-000000000000", fieftest.TokenOptions{})
	})
}

func TestMintWithoutClient(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	claims := verifyJWS(t, srv.MintAccessToken(u.ID, fieftest.TokenOptions{}), fetchJWKS(t, srv.Client(), srv.URL))
	if claims["azp"] != "fieftest" {
		t.Errorf("azp %v", claims["azp"])
	}
}

func TestEncryptedIDToken(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com", Fields: map[string]any{"n": 1}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := srv.AddClient(fieftest.ClientConfig{Encrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	set := fetchJWKS(t, srv.Client(), srv.URL)
	tn := srv.DefaultTenant()
	claims := decryptIDToken(t, tn.MintIDToken(u.ID, fieftest.TokenOptions{ClientID: cl.ClientID}), cl, set)
	if claims["email"] != "a@example.com" || claims["tenant_id"] != tn.ID() || claims["azp"] != cl.ClientID {
		t.Errorf("claims %v", claims)
	}
	if plain.EncryptionKey != "" {
		t.Errorf("unencrypted client has a key")
	}
	claims = verifyJWS(t, tn.MintIDToken(u.ID, fieftest.TokenOptions{ClientID: plain.ClientID}), set)
	if claims["fields"].(map[string]any)["n"] != 1.0 {
		t.Errorf("claims %v", claims)
	}
}

func TestRotateKey(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tn := srv.DefaultTenant()
	old := tn.KeyIDs()[0]
	oldTok := srv.MintAccessToken(u.ID, fieftest.TokenOptions{})

	for _, tc := range []struct {
		name    string
		keepOld bool
		oldOK   int
	}{
		{"keep old", true, 200},
		{"drop old", false, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kid := srv.RotateKey(tc.keepOld)
			ids := tn.KeyIDs()
			set := fetchJWKS(t, srv.Client(), srv.URL)
			if ids[0] != kid || set.Keys[0].KeyID != kid || len(set.Keys) != len(ids) {
				t.Fatalf("KeyIDs %v, JWKS %d keys, new %s", ids, len(set.Keys), kid)
			}
			if slices.Contains(ids, old) != tc.keepOld {
				t.Errorf("old key present = %v, want %v", slices.Contains(ids, old), tc.keepOld)
			}
			newTok := srv.MintAccessToken(u.ID, fieftest.TokenOptions{})
			if c := verifyJWS(t, newTok, set); c["sub"] != u.ID {
				t.Errorf("claims %v", c)
			}
			if st, _ := bearer(t, srv.Client(), "GET", srv.URL+"/api/userinfo", newTok, ""); st != 200 {
				t.Errorf("new token: %d", st)
			}
			if st, _ := bearer(t, srv.Client(), "GET", srv.URL+"/api/userinfo", oldTok, ""); st != tc.oldOK {
				t.Errorf("old token: %d, want %d", st, tc.oldOK)
			}
		})
	}
}
