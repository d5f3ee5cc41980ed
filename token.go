package fief

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// TokenResponse is a successful answer of Fief's token endpoint.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	// IDToken is the raw ID token (a JWE when the client encrypts them).
	IDToken   string `json:"id_token"`
	TokenType string `json:"token_type"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int `json:"expires_in"`
	// RefreshToken is set when the scope included offline_access. Fief
	// rotates it: each refresh returns a new one and the old one stops
	// working.
	RefreshToken string `json:"refresh_token,omitempty"`
}

// String describes the response without revealing its tokens.
func (t TokenResponse) String() string {
	return fmt.Sprintf("TokenResponse{TokenType: %s, ExpiresIn: %d, RefreshToken: %t, tokens redacted}", t.TokenType, t.ExpiresIn, t.RefreshToken != "")
}

// ExchangeParams are the parameters of [Client.ExchangeCode].
type ExchangeParams struct {
	// Code is the code parameter of the callback.
	Code string
	// RedirectURI must be the one given to [Client.AuthURL].
	RedirectURI string
	// CodeVerifier is the PKCE verifier whose challenge went to AuthURL.
	// Required for a public client.
	CodeVerifier string
	// Nonce, when not empty, must equal the ID token's nonce claim.
	Nonce string
}

// ExchangeCode exchanges an authorization code for tokens, and returns them
// with the claims of the verified ID token (decrypted first when the client
// has an encryption key). The ID token's signature, iss, aud, exp, c_hash,
// at_hash and, when p.Nonce is set, nonce are checked; a failure is an
// [ErrInvalidIDToken]. Fief's refusals (a used or expired code, a wrong
// verifier: "invalid_grant") are of type [*ResponseError].
func (c *Client) ExchangeCode(ctx context.Context, p ExchangeParams) (*TokenResponse, UserInfo, error) {
	if p.Code == "" {
		return nil, nil, errors.New("fief: ExchangeCode: empty code")
	}
	if p.RedirectURI == "" {
		return nil, nil, errors.New("fief: ExchangeCode: empty redirect URI")
	}
	if c.s.clientSecret == "" && p.CodeVerifier == "" {
		return nil, nil, errors.New("fief: ExchangeCode: a public client (no ClientSecret) must send a PKCE code verifier")
	}
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {p.Code},
		"redirect_uri": {p.RedirectURI},
	}
	if p.CodeVerifier != "" {
		form.Set("code_verifier", p.CodeVerifier)
	}
	tok, err := c.tokenRequest(ctx, form)
	if err != nil {
		return nil, nil, err
	}
	info, err := c.verifyIDToken(ctx, tok.IDToken, idTokenCheck{code: p.Code, accessToken: tok.AccessToken, nonce: p.Nonce})
	if err != nil {
		return nil, nil, err
	}
	return tok, info, nil
}

// Refresh exchanges a refresh token for new tokens, and returns them with
// the claims of the new ID token. scopes, when not empty, narrows the
// scope (it must be a subset of the original one). Fief rotates refresh
// tokens: keep the new one, the one given is now spent. A refreshed access
// token has ACR level 0. A refresh token Fief refuses (invalid_grant:
// expired, revoked or already used) gives an error matching
// [ErrRefreshTokenRejected] and Fief's [*ResponseError].
func (c *Client) Refresh(ctx context.Context, refreshToken string, scopes []string) (*TokenResponse, UserInfo, error) {
	if refreshToken == "" {
		return nil, nil, errors.New("fief: Refresh: empty refresh token")
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
	}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	tok, err := c.tokenRequest(ctx, form)
	if err != nil {
		var re *ResponseError
		if errors.As(err, &re) && re.Code == "invalid_grant" {
			return nil, nil, fmt.Errorf("%w: %w", ErrRefreshTokenRejected, err)
		}
		return nil, nil, err
	}
	info, err := c.verifyIDToken(ctx, tok.IDToken, idTokenCheck{accessToken: tok.AccessToken})
	if err != nil {
		return nil, nil, err
	}
	return tok, info, nil
}

// tokenRequest posts to the token endpoint, authenticating the client with
// client_secret_post (or "none" for a public client), as the official
// clients do.
//
// It is written on net/http rather than golang.org/x/oauth2: x/oauth2 takes
// its HTTP client from a context value, probes authentication styles by
// retrying, and hides the id_token in an untyped Extra map; here every
// request is one POST whose error answer becomes a typed *ResponseError.
func (c *Client) tokenRequest(ctx context.Context, form url.Values) (*TokenResponse, error) {
	doc, err := c.discovery(ctx)
	if err != nil {
		return nil, err
	}
	form.Set("client_id", c.s.clientID)
	if c.s.clientSecret != "" {
		form.Set("client_secret", c.s.clientSecret)
	}
	var tok TokenResponse
	if err := c.do(ctx, request{op: "token", method: "POST", path: doc.tokenPath, form: form}, &tok); err != nil {
		return nil, err
	}
	if tok.AccessToken == "" {
		return nil, unavailable("token", errors.New("the answer has no access_token"))
	}
	if tok.IDToken == "" {
		return nil, invalidID("the token answer has no id_token")
	}
	if !strings.EqualFold(tok.TokenType, "bearer") {
		return nil, unavailable("token", fmt.Errorf("token_type %q is not bearer", truncate(tok.TokenType, 32)))
	}
	return &tok, nil
}
