package fiefcli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fief-dev/fief-go"
)

// refreshTimeout bounds a refresh, which runs to its end even when the
// caller's context ends: Fief spends the old refresh token as soon as it
// answers, so an abandoned refresh would sign the user out.
const refreshTimeout = 30 * time.Second

// lock takes the right to read and write the credentials file.
func (a *Auth) lock(ctx context.Context) error {
	select {
	case a.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("fiefcli: waiting for the credentials: %w", context.Cause(ctx))
	}
}

func (a *Auth) unlock() { <-a.sem }

// AccessTokenInfo returns the stored access token, validated, with what it
// says (user ID, scopes, ACR, permissions; the raw token is in its
// AccessToken field, to send to an API as a bearer token).
//
// When the stored token is no longer valid (expired, by the [fief.Client]'s
// clock, or refused by [fief.Client.ValidateAccessToken] for another reason,
// such as a signing key that Fief dropped), it is renewed with the stored
// refresh token, and the new tokens and user info are saved. Concurrent calls
// refresh once. A refreshed access token has ACR level 0.
//
// Errors: [ErrNotSignedIn] when there are no credentials, or when Fief
// refuses the refresh token (the credentials file is then removed; the
// error wraps Fief's [*fief.ResponseError]); [ErrMissingRefreshToken] (also
// an ErrNotSignedIn) when the token expired and there is no refresh token;
// [ErrCorruptCredentials]; and Fief's errors, such as [fief.ErrUnavailable].
func (a *Auth) AccessTokenInfo(ctx context.Context) (fief.AccessTokenInfo, error) {
	if err := a.lock(ctx); err != nil {
		return fief.AccessTokenInfo{}, err
	}
	defer a.unlock()
	info, _, err := a.accessTokenLocked(ctx)
	return info, err
}

// accessTokenLocked returns a valid access token's info and the
// credentials it comes from, refreshing them when needed.
func (a *Auth) accessTokenLocked(ctx context.Context) (fief.AccessTokenInfo, *credentials, error) {
	c, err := a.load()
	if err != nil {
		return fief.AccessTokenInfo{}, nil, err
	}
	info, err := a.validate(ctx, c)
	if err == nil || !errors.Is(err, fief.ErrInvalidToken) {
		return info, c, err
	}
	if c.Tokens.RefreshToken == "" {
		return fief.AccessTokenInfo{}, nil, fmt.Errorf("%w: %w", ErrMissingRefreshToken, err)
	}
	return a.refreshLocked(ctx, c, true)
}

// validate checks the access token of c; a token whose exp is past is
// expired even if the client's leeway still accepts it, since the API it is
// sent to may not.
func (a *Auth) validate(ctx context.Context, c *credentials) (fief.AccessTokenInfo, error) {
	info, err := a.client.ValidateAccessToken(ctx, c.Tokens.AccessToken, fief.Requirements{})
	if err != nil {
		return fief.AccessTokenInfo{}, err
	}
	if now := a.client.Now(); !info.ExpiresAt.After(now) {
		return fief.AccessTokenInfo{}, fmt.Errorf("%w: exp %s, local clock %s", fief.ErrTokenExpired, info.ExpiresAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return info, nil
}

// refreshLocked renews the tokens of c and saves them. When Fief refuses
// the refresh token (invalid_grant), the file is read again: if another
// process saved new tokens meanwhile, they are used (once: retry is then
// false); otherwise the credentials are removed.
func (a *Auth) refreshLocked(ctx context.Context, c *credentials, retry bool) (fief.AccessTokenInfo, *credentials, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	tok, userInfo, err := a.client.Refresh(rctx, c.Tokens.RefreshToken, nil)
	if err != nil {
		var re *fief.ResponseError
		if !errors.As(err, &re) || re.Code != "invalid_grant" {
			return fief.AccessTokenInfo{}, nil, fmt.Errorf("fiefcli: refreshing the access token: %w", err)
		}
		cur, lerr := a.load()
		if lerr == nil && cur.Tokens.RefreshToken != c.Tokens.RefreshToken {
			if info, verr := a.validate(ctx, cur); verr == nil {
				return info, cur, nil
			}
			if retry && cur.Tokens.RefreshToken != "" {
				return a.refreshLocked(ctx, cur, false)
			}
		}
		if lerr == nil && cur.Tokens.RefreshToken == c.Tokens.RefreshToken {
			a.logger.InfoContext(ctx, "fiefcli: Fief refused the stored refresh token; removing the credentials", "path", a.path)
			if rerr := a.remove(); rerr != nil {
				return fief.AccessTokenInfo{}, nil, errors.Join(fmt.Errorf("%w: Fief refused the refresh token: %w", ErrNotSignedIn, err), rerr)
			}
		}
		return fief.AccessTokenInfo{}, nil, fmt.Errorf("%w: Fief refused the refresh token, sign in again: %w", ErrNotSignedIn, err)
	}
	if err := a.save(tok, userInfo); err != nil {
		return fief.AccessTokenInfo{}, nil, err
	}
	nc := &credentials{Tokens: *tok, UserInfo: userInfo}
	info, err := a.validate(ctx, nc)
	if err != nil {
		return fief.AccessTokenInfo{}, nil, fmt.Errorf("fiefcli: the refreshed access token: %w", err)
	}
	return info, nc, nil
}

// CurrentUser returns the signed-in user's claims (sub, email, fields, ...).
// With refresh false they are the stored ones, from the last sign-in or
// refresh, and no request is made. With refresh true they are fetched from
// Fief's userinfo endpoint, with the access token of [Auth.AccessTokenInfo]
// (refreshed when needed), and stored. Errors are those of
// AccessTokenInfo, and Fief's.
func (a *Auth) CurrentUser(ctx context.Context, refresh bool) (fief.UserInfo, error) {
	if err := a.lock(ctx); err != nil {
		return nil, err
	}
	defer a.unlock()
	if !refresh {
		c, err := a.load()
		if err != nil {
			return nil, err
		}
		return c.UserInfo, nil
	}
	info, c, err := a.accessTokenLocked(ctx)
	if err != nil {
		return nil, err
	}
	user, err := a.client.UserInfo(ctx, info.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("fiefcli: fetching the user info: %w", err)
	}
	if err := a.save(&c.Tokens, user); err != nil {
		return nil, err
	}
	return user, nil
}

// Logout removes the stored credentials; without a credentials file it does
// nothing. The user's session in Fief, in the browser, is left as it is:
// the next [Auth.Authorize] may then complete without a password. To end it
// too, open [fief.Client.LogoutURL] in the browser.
func (a *Auth) Logout(ctx context.Context) error {
	if err := a.lock(ctx); err != nil {
		return err
	}
	defer a.unlock()
	return a.remove()
}
