package fief_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/logtest"
)

// TestErrorsNameTheFix: each misconfiguration gives one line naming the
// cause and what to change, and no error text or log line holds a token,
// a code or a secret used.
func TestErrorsNameTheFix(t *testing.T) {
	ctx := context.Background()
	plain := newTenant(t, fieftest.ClientConfig{})
	encrypted := newTenant(t, fieftest.ClientConfig{Encrypt: true})
	rec, logger := logtest.New()
	var secrets []string

	// signInErr signs in to tn with the client of cfg, and returns the
	// exchange's error.
	signInErr := func(t *testing.T, tn *tenant, mod func(*fief.Config)) error {
		t.Helper()
		c := tn.fiefClient(t, func(cfg *fief.Config) {
			cfg.Logger = logger
			if mod != nil {
				mod(cfg)
			}
			secrets = append(secrets, cfg.ClientSecret)
		})
		verifier := fief.GenerateCodeVerifier()
		challenge := fief.CodeChallenge(verifier)
		u, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI, CodeChallenge: challenge})
		if err != nil {
			t.Fatal(err)
		}
		code := tn.authorize(t, u).Get("code")
		secrets = append(secrets, code, verifier)
		_, _, err = c.ExchangeCode(ctx, fief.ExchangeParams{Code: code, RedirectURI: redirectURI, CodeVerifier: verifier})
		rec.AddError(err)
		return err
	}
	oneLine := func(t *testing.T, err error, is error, texts ...string) {
		t.Helper()
		if !errors.Is(err, is) {
			t.Fatalf("err = %v, want %v", err, is)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error on several lines: %q", err)
		}
		for _, s := range texts {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%q lacks %q", err, s)
			}
		}
	}

	t.Run("wrong secret", func(t *testing.T) {
		err := signInErr(t, plain, func(cfg *fief.Config) { cfg.ClientSecret = "wrong-secret-1234" })
		var re *fief.ResponseError
		if !errors.As(err, &re) || re.Code != "invalid_client" {
			t.Fatalf("err = %v, want invalid_client", err)
		}
		oneLine(t, err, err, "invalid_client", "FIEF_CLIENT_ID", "FIEF_CLIENT_SECRET", "public", "confidential")
	})
	t.Run("encrypted ID token, no key", func(t *testing.T) {
		err := signInErr(t, encrypted, func(cfg *fief.Config) { cfg.EncryptionKey = "" })
		oneLine(t, err, fief.ErrEncryptionMismatch, "encrypts this client's ID tokens", "set Config.EncryptionKey (FIEF_ENCRYPTION_KEY)")
		if !errors.Is(err, fief.ErrInvalidIDToken) {
			t.Errorf("err = %v, want an ErrInvalidIDToken too", err)
		}
	})
	t.Run("plain ID token, key set", func(t *testing.T) {
		err := signInErr(t, plain, func(cfg *fief.Config) { cfg.EncryptionKey = encrypted.client.EncryptionKey })
		oneLine(t, err, fief.ErrEncryptionMismatch, "does not encrypt", "remove Config.EncryptionKey (FIEF_ENCRYPTION_KEY)")
	})
	t.Run("wrong tenant path", func(t *testing.T) {
		c := plain.fiefClient(t, func(cfg *fief.Config) { cfg.BaseURL += "/no-such-tenant"; cfg.Logger = logger })
		_, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI})
		rec.AddError(err)
		var re *fief.ResponseError
		if !errors.As(err, &re) || re.StatusCode != 400 {
			t.Fatalf("err = %v, want a 400", err)
		}
		oneLine(t, err, err, "discovery", "check the tenant slug in BaseURL")
	})
	t.Run("expired token", func(t *testing.T) {
		c := plain.fiefClient(t, func(cfg *fief.Config) { cfg.Logger = logger })
		token := plain.srv.MintAccessToken(plain.user.ID, fieftest.TokenOptions{Lifetime: time.Minute})
		secrets = append(secrets, token)
		_, err := c.ValidateAccessToken(ctx, token, fief.Requirements{})
		rec.AddError(err)
		if err != nil {
			t.Fatalf("fresh token: %v", err)
		}
		late := plain.fiefClient(t, func(cfg *fief.Config) {
			cfg.Logger = logger
			cfg.Clock = func() time.Time { return time.Now().Add(time.Hour) }
		})
		_, err = late.ValidateAccessToken(ctx, token, fief.Requirements{})
		rec.AddError(err)
		exp := plain.srv.Now().Add(time.Minute).UTC().Format("2006-01-02T15:04")
		oneLine(t, err, fief.ErrTokenExpired, "exp "+exp, "local clock "+time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04"), "leeway 1m0s")
	})
	t.Run("base URL without scheme", func(t *testing.T) {
		for _, raw := range []string{"localhost:8000", "fief.example.com", "127.0.0.1:8000"} {
			_, err := fief.New(fief.Config{BaseURL: raw, ClientID: "c"})
			var ce *fief.ConfigError
			if !errors.As(err, &ce) || ce.Field != "BaseURL" {
				t.Fatalf("%s: err = %v, want a BaseURL ConfigError", raw, err)
			}
			oneLine(t, err, err, `"`+raw+`" has no scheme: write "https://`+raw+`"`)
		}
	})
	if n := rec.NoSecrets(t, secrets...); n < 6 {
		t.Errorf("only %d texts scanned", n)
	}
}
