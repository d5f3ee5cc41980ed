package fief

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// AuthURLParams are the parameters of [Client.AuthURL].
type AuthURLParams struct {
	// RedirectURI is where Fief sends the user back; it must be registered
	// on the Fief client, byte for byte. Required.
	RedirectURI string
	// State is echoed back to the redirect URI; check it there. The fiefhttp
	// package manages it for you.
	State string
	// Scopes requested; nil means just "openid", which Fief requires (it is
	// added when missing). Add "offline_access" to get a refresh token.
	Scopes []string
	// CodeChallenge is the PKCE challenge of the S256 method, made by
	// [CodeChallenge] from a [GenerateCodeVerifier] (or by x/oauth2's
	// S256ChallengeFromVerifier). AuthURL sends it with
	// code_challenge_method=S256.
	CodeChallenge string
	// Nonce, when set, is put in the ID token; give it to
	// [Client.ExchangeCode] to check it.
	Nonce string
	// Lang is the locale of Fief's pages, e.g. "fr".
	Lang string
	// Extra holds any other parameter: screen ("register"), login_hint,
	// prompt, acr_values, ... It cannot override the parameters above.
	Extra url.Values
}

// AuthURL returns the URL of Fief's authorization page, on the public base
// URL. It needs the discovery document, fetched on first use.
func (c *Client) AuthURL(ctx context.Context, p AuthURLParams) (string, error) {
	if p.RedirectURI == "" {
		return "", errors.New("fief: AuthURL: empty redirect URI")
	}
	doc, err := c.discovery(ctx)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	for k, v := range p.Extra {
		q[k] = append([]string(nil), v...)
	}
	q.Set("response_type", "code")
	q.Set("client_id", c.s.clientID)
	q.Set("redirect_uri", p.RedirectURI)
	scopes := p.Scopes
	if !slices.Contains(scopes, "openid") {
		scopes = append([]string{"openid"}, scopes...)
	}
	q.Set("scope", strings.Join(scopes, " "))
	setIf(q, "state", p.State)
	if p.CodeChallenge != "" {
		q.Set("code_challenge", p.CodeChallenge)
		q.Set("code_challenge_method", "S256")
	}
	setIf(q, "nonce", p.Nonce)
	setIf(q, "lang", p.Lang)
	u := url.URL{Scheme: c.s.publicBase.Scheme, Host: c.s.publicBase.Host, Path: doc.authorizePath, RawQuery: q.Encode()}
	return u.String(), nil
}

// LogoutURL returns the URL of Fief's logout page, which ends the user's
// Fief session and sends them to redirectURI. It does not end the
// application's own session: clear it before redirecting (fiefhttp's logout
// handler does both).
func (c *Client) LogoutURL(redirectURI string) string {
	u := url.URL{
		Scheme:   c.s.publicBase.Scheme,
		Host:     c.s.publicBase.Host,
		Path:     c.s.publicBase.Path + "/logout",
		RawQuery: url.Values{"redirect_uri": {redirectURI}}.Encode(),
	}
	return u.String()
}

func setIf(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}
