package fiefcli

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// tokenSourceTimeout bounds each call of the token source's Token method,
// which has no context of its own.
const tokenSourceTimeout = 30 * time.Second

// TokenSource returns the signed-in user's access token as an
// [oauth2.TokenSource], for [oauth2.NewClient] or gRPC's
// credentials/oauth.TokenSource: each call is [Auth.AccessTokenInfo], so an
// expired token is refreshed once however many goroutines ask, and the
// rotated tokens are saved in the credentials file. Errors are those of
// [Auth.AccessTokenInfo]: [ErrNotSignedIn] once Fief refuses the refresh
// token.
func (a *Auth) TokenSource() oauth2.TokenSource { return cliTokenSource{a} }

type cliTokenSource struct{ a *Auth }

// Token implements [oauth2.TokenSource].
func (s cliTokenSource) Token() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), tokenSourceTimeout)
	defer cancel()
	info, err := s.a.AccessTokenInfo(ctx)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: info.AccessToken, TokenType: "Bearer", Expiry: info.ExpiresAt}, nil
}
