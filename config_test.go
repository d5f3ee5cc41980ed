package fief

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestNewValidatesConfig(t *testing.T) {
	encKey := string(readFile(t, "testdata/vectors/client_encryption_key.json"))
	publicJWK := string(readFile(t, "testdata/vectors/signing_jwks_public.json"))
	publicJWK = publicJWK[strings.Index(publicJWK, "{\n      \"kty\"") : strings.LastIndex(publicJWK, "}\n  ]")+1]
	tests := []struct {
		name  string
		cfg   Config
		field string // "" means valid
	}{
		{"valid", Config{BaseURL: "https://fief.example.com", ClientID: "c"}, ""},
		{"valid tenant path", Config{BaseURL: "https://fief.example.com/tenant/", ClientID: "c"}, ""},
		{"valid with encryption key", Config{BaseURL: "https://f.example", ClientID: "c", EncryptionKey: encKey}, ""},
		{"valid internal URL", Config{BaseURL: "https://f.example/t", InternalBaseURL: "http://fief:8000/t", ClientID: "c"}, ""},
		{"empty base URL", Config{ClientID: "c"}, "BaseURL"},
		{"base URL without scheme", Config{BaseURL: "fief.example.com", ClientID: "c"}, "BaseURL"},
		{"base URL of another scheme", Config{BaseURL: "ftp://fief.example.com", ClientID: "c"}, "BaseURL"},
		{"base URL without host", Config{BaseURL: "https:///tenant", ClientID: "c"}, "BaseURL"},
		{"base URL with query", Config{BaseURL: "https://f.example?x=1", ClientID: "c"}, "BaseURL"},
		{"base URL unparsable", Config{BaseURL: "https://f.example/%zz", ClientID: "c"}, "BaseURL"},
		{"internal URL without host", Config{BaseURL: "https://f.example", InternalBaseURL: "http://", ClientID: "c"}, "InternalBaseURL"},
		{"internal URL of another tenant", Config{BaseURL: "https://f.example/a", InternalBaseURL: "http://fief/b", ClientID: "c"}, "InternalBaseURL"},
		{"empty client ID", Config{BaseURL: "https://f.example"}, "ClientID"},
		{"blank client ID", Config{BaseURL: "https://f.example", ClientID: "  "}, "ClientID"},
		{"encryption key not JSON", Config{BaseURL: "https://f.example", ClientID: "c", EncryptionKey: "secret"}, "EncryptionKey"},
		{"encryption key public", Config{BaseURL: "https://f.example", ClientID: "c", EncryptionKey: publicJWK}, "EncryptionKey"},
		{"encryption key symmetric", Config{BaseURL: "https://f.example", ClientID: "c", EncryptionKey: `{"kty":"oct","k":"c2VjcmV0"}`}, "EncryptionKey"},
		{"encryption key EC", Config{BaseURL: "https://f.example", ClientID: "c", EncryptionKey: `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}`}, "EncryptionKey"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.cfg)
			if tc.field == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *ConfigError", err)
			}
			if ce.Field != tc.field {
				t.Fatalf("error names field %q, want %q (%v)", ce.Field, tc.field, err)
			}
		})
	}
}

func TestACR(t *testing.T) {
	tests := []struct {
		a, min  ACR
		atLeast bool
		cmp     int
	}{
		{ACRLevel0, ACRLevel0, true, 0},
		{ACRLevel1, ACRLevel0, true, 1},
		{ACRLevel0, ACRLevel1, false, -1},
		{ACRLevel1, ACRLevel1, true, 0},
		{"2", ACRLevel0, false, -1},
		{ACRLevel1, "x", false, 1},
	}
	for _, tc := range tests {
		if got := tc.a.AtLeast(tc.min); got != tc.atLeast {
			t.Errorf("%q.AtLeast(%q) = %v", tc.a, tc.min, got)
		}
		if got := tc.a.Compare(tc.min); got != tc.cmp {
			t.Errorf("%q.Compare(%q) = %d, want %d", tc.a, tc.min, got, tc.cmp)
		}
	}
}

func TestPKCE(t *testing.T) {
	v := GenerateCodeVerifier()
	if len(v) != 128 || v == GenerateCodeVerifier() {
		t.Fatalf("verifier %q: want 128 fresh characters", v)
	}
	// RFC 7636, appendix B.
	if got := CodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("S256 challenge = %q", got)
	}
	// The c_hash of the vectors' code, computed by jwcrypto.
	if got := validationHash("vectors-authorization-code-0123456789"); got != "ELlK9r07W40ktLelxqrNdA" {
		t.Fatalf("validationHash = %q", got)
	}
}

func TestConfigStringRedacts(t *testing.T) {
	cfg := Config{BaseURL: "https://f.example", ClientID: "app", ClientSecret: "s3cr3t-value", EncryptionKey: `{"d":"private-part"}`}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(&cfg)} {
		if strings.Contains(s, "s3cr3t") || strings.Contains(s, "private-part") || !strings.Contains(s, "app") {
			t.Errorf("formatted config leaks or lacks data: %s", s)
		}
	}
}

// TestConfigErrorHidesURLSecrets: a refused base URL is shown without the
// password, query or fragment it may carry.
func TestConfigErrorHidesURLSecrets(t *testing.T) {
	for _, raw := range []string{
		"https://anne:s3cr3t-pw@fief.example.com",
		"https://fief.example.com/?key=s3cr3t-pw",
		"https://fief.example.com/#s3cr3t-pw",
		"anne:s3cr3t-pw@fief.example.com",
		"ftp://anne:s3cr3t-pw@fief.example.com",
		"https://anne:s3cr3t-pw@fief.example.com:bad-port",
		"https://fief.example.com/%zz?key=s3cr3t-pw",
	} {
		_, err := New(Config{BaseURL: raw, ClientID: "x"})
		if err == nil {
			t.Errorf("%q: accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t-pw") {
			t.Errorf("%q: the error shows the secret: %v", raw, err)
		}
		if !strings.Contains(err.Error(), "fief.example.com") {
			t.Errorf("%q: the error does not name the host: %v", raw, err)
		}
	}
}
