package fief

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// The vectors were minted by jwcrypto, the JOSE library of the Fief server,
// with Fief's claim layout (testdata/vectors, tokens minted by jwcrypto, the JOSE library of Fief).
type vector struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Token       string `json:"token"`
	Expectation string `json:"expectation"`
	Inputs      struct {
		Issuer              string   `json:"issuer"`
		ClientID            string   `json:"client_id"`
		RequiredScope       []string `json:"required_scope"`
		RequiredACR         *string  `json:"required_acr"`
		RequiredPermissions []string `json:"required_permissions"`
		Code                string   `json:"code"`
		AccessToken         string   `json:"access_token"`
		UseEncryptionKey    bool     `json:"use_client_encryption_key"`
	} `json:"inputs"`
	ExpectedInfo   *AccessTokenInfo `json:"expected_info"`
	ExpectedClaims map[string]any   `json:"expected_claims"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return f.Vectors
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var expectationErrors = map[string]error{
	"expired":            ErrTokenExpired,
	"invalid":            ErrInvalidToken,
	"invalid_issuer":     ErrInvalidToken,
	"missing_scope":      ErrMissingScope,
	"acr_too_low":        ErrACRTooLow,
	"missing_permission": ErrMissingPermission,
}

func TestVectors(t *testing.T) {
	jwks := readFile(t, "testdata/vectors/signing_jwks_public.json")
	encKey := string(readFile(t, "testdata/vectors/client_encryption_key.json"))
	seen := map[string]bool{}
	for _, v := range loadVectors(t) {
		seen[v.Kind+"/"+v.Expectation] = true
		t.Run(v.Name, func(t *testing.T) {
			srv := newKeyServer(t, v.Inputs.Issuer, jwks)
			cfg := Config{BaseURL: srv.URL, ClientID: v.Inputs.ClientID}
			if v.Inputs.UseEncryptionKey {
				cfg.EncryptionKey = encKey
			}
			c := mustNew(t, cfg)
			ctx := context.Background()
			switch v.Kind {
			case "access_token":
				req := Requirements{Scopes: v.Inputs.RequiredScope, Permissions: v.Inputs.RequiredPermissions}
				if v.Inputs.RequiredACR != nil {
					req.ACR = ACR(*v.Inputs.RequiredACR)
				}
				info, err := c.ValidateAccessToken(ctx, v.Token, req)
				if v.Expectation == "valid" {
					if err != nil {
						t.Fatalf("want valid, got %v", err)
					}
					want := *v.ExpectedInfo
					want.AccessToken = v.Token
					info.ExpiresAt, info.IssuedAt = want.ExpiresAt, want.IssuedAt // not in the vectors
					if !reflect.DeepEqual(info, want) {
						t.Fatalf("info = %+v\nwant %+v", info, want)
					}
					return
				}
				want := expectationErrors[v.Expectation]
				if want == nil {
					t.Fatalf("unknown expectation %q", v.Expectation)
				}
				if !errors.Is(err, want) {
					t.Fatalf("err = %v, want %v", err, want)
				}
				if v.Expectation == "invalid" && errors.Is(err, ErrTokenExpired) {
					t.Fatalf("err = %v: invalid, not expired, expected", err)
				}
			case "id_token":
				claims, err := c.verifyIDToken(ctx, v.Token, idTokenCheck{code: v.Inputs.Code, accessToken: v.Inputs.AccessToken})
				if v.Expectation == "valid" {
					if err != nil {
						t.Fatalf("want valid, got %v", err)
					}
					if !reflect.DeepEqual(map[string]any(claims), v.ExpectedClaims) {
						t.Fatalf("claims = %v\nwant %v", claims, v.ExpectedClaims)
					}
					return
				}
				if !errors.Is(err, ErrInvalidIDToken) {
					t.Fatalf("err = %v, want ErrInvalidIDToken", err)
				}
			default:
				t.Fatalf("unknown kind %q", v.Kind)
			}
		})
	}
	for _, k := range []string{"access_token/valid", "access_token/expired", "access_token/invalid", "id_token/valid", "id_token/invalid"} {
		if !seen[k] {
			t.Errorf("no vector of %s", k)
		}
	}
}

// An encryption key configured means an unencrypted ID token is refused, and
// no key configured means an encrypted one is.
func TestVectorsEncryptionMismatch(t *testing.T) {
	jwks := readFile(t, "testdata/vectors/signing_jwks_public.json")
	encKey := string(readFile(t, "testdata/vectors/client_encryption_key.json"))
	byName := map[string]vector{}
	for _, v := range loadVectors(t) {
		byName[v.Name] = v
	}
	for _, tc := range []struct {
		name    string
		vector  string
		withKey bool
	}{
		{"plain JWS with a key configured", "id_signed_valid", true},
		{"JWE without a key configured", "id_encrypted_valid", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := byName[tc.vector]
			srv := newKeyServer(t, v.Inputs.Issuer, jwks)
			cfg := Config{BaseURL: srv.URL, ClientID: v.Inputs.ClientID}
			if tc.withKey {
				cfg.EncryptionKey = encKey
			}
			c := mustNew(t, cfg)
			_, err := c.verifyIDToken(context.Background(), v.Token, idTokenCheck{code: v.Inputs.Code, accessToken: v.Inputs.AccessToken})
			if !errors.Is(err, ErrInvalidIDToken) {
				t.Fatalf("err = %v, want ErrInvalidIDToken", err)
			}
		})
	}
}
