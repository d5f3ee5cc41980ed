package fief

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/oauth2"
)

// OAuth2Endpoint returns Fief's authorization and token endpoints as an
// [oauth2.Endpoint], from the discovery document: the authorization URL on
// the public base URL (the browser goes there), the token URL on the
// internal one. Fief reads the client's credentials from the form, as the
// official clients send them ([oauth2.AuthStyleInParams]).
func (c *Client) OAuth2Endpoint(ctx context.Context) (oauth2.Endpoint, error) {
	doc, err := c.discovery(ctx)
	if err != nil {
		return oauth2.Endpoint{}, err
	}
	auth := url.URL{Scheme: c.s.publicBase.Scheme, Host: c.s.publicBase.Host, Path: doc.authorizePath}
	return oauth2.Endpoint{
		AuthURL:   auth.String(),
		TokenURL:  c.backURL(doc.tokenPath),
		AuthStyle: oauth2.AuthStyleInParams,
	}, nil
}

// OAuth2Config returns an [oauth2.Config] for this client: its ID and
// secret, [Client.OAuth2Endpoint], redirectURL and scopes (nil means
// "openid"), so that code written for golang.org/x/oauth2 works with Fief.
// Prefer [Client.AuthURL] and [Client.ExchangeCode] where you can: they also
// check the ID token (nonce, c_hash, at_hash), which x/oauth2 does not.
func (c *Client) OAuth2Config(ctx context.Context, redirectURL string, scopes ...string) (*oauth2.Config, error) {
	ep, err := c.OAuth2Endpoint(ctx)
	if err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		scopes = []string{"openid"}
	}
	return &oauth2.Config{
		ClientID:     c.s.clientID,
		ClientSecret: c.s.clientSecret,
		Endpoint:     ep,
		RedirectURL:  redirectURL,
		Scopes:       scopes,
	}, nil
}

// ErrRefreshTokenRejected: Fief refused a refresh token (invalid_grant: it
// expired, was revoked, or was already used, since Fief rotates refresh
// tokens). The user must sign in again. Every error of fief-go saying so
// matches it: those of [Client.Refresh] and [Client.TokenSource] (which
// also match [*oauth2.RetrieveError] with [errors.As]), fiefhttp's
// ErrSessionEnded when Fief refused the session's refresh token, and
// fiefcli's ErrNotSignedIn when it refused the stored one.
var ErrRefreshTokenRejected = errors.New("fief: refresh token rejected (sign in again)")

// DefaultTokenSourceMargin is how long before its expiry a [Client.TokenSource]
// refreshes an access token when [TokenSourceConfig.Margin] is zero.
const DefaultTokenSourceMargin = 30 * time.Second

// TokenSourceConfig configures [Client.TokenSource].
type TokenSourceConfig struct {
	// Token is the token to start from: its RefreshToken is required (Fief
	// issues one when the scope includes offline_access), AccessToken and
	// Expiry may be empty (then the first call refreshes).
	Token *oauth2.Token
	// OnRefresh, when set, is called with each new token, before the token
	// source returns it, so that the application can persist the rotated
	// refresh token (the old one no longer works). An error is returned to
	// the caller, wrapped; the new token is kept in memory all the same.
	OnRefresh func(ctx context.Context, tok *oauth2.Token) error
	// Margin: a token expiring within Margin is refreshed. Zero means
	// [DefaultTokenSourceMargin].
	Margin time.Duration
	// Timeout bounds each refresh (x/oauth2's Token method has no context).
	// Zero means 30 seconds.
	Timeout time.Duration
}

// TokenSource returns an [oauth2.TokenSource] backed by a Fief refresh
// token: it returns the current access token while it is valid, and
// refreshes it (with [Client.Refresh], which also checks the new ID token)
// when it is about to expire. It is safe for concurrent use: concurrent
// callers share one refresh, and the rotated refresh token replaces the old
// one at once. A refresh token Fief refuses is reported, to this call and
// every later one, by an error matching [ErrRefreshTokenRejected] and
// [*oauth2.RetrieveError]; the source never retries it. Other failures
// (Fief unreachable) are returned and the next call tries again.
//
// The result works with [oauth2.NewClient] and with gRPC's
// credentials/oauth.TokenSource.
func (c *Client) TokenSource(cfg TokenSourceConfig) (oauth2.TokenSource, error) {
	if cfg.Token == nil || cfg.Token.RefreshToken == "" {
		return nil, errors.New("fief: TokenSource: TokenSourceConfig.Token must carry a refresh token (ask for the offline_access scope)")
	}
	if cfg.Margin <= 0 {
		cfg.Margin = DefaultTokenSourceMargin
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	tok := *cfg.Token
	return &refreshTokenSource{client: c, cfg: cfg, tok: &tok, lock: make(chan struct{}, 1)}, nil
}

// refreshTokenSource is the source of [Client.TokenSource]. lock is a
// one-slot semaphore rather than a mutex so that a caller never waits
// longer than the refresh's timeout.
type refreshTokenSource struct {
	client *Client
	cfg    TokenSourceConfig
	lock   chan struct{}
	tok    *oauth2.Token // guarded by lock
	dead   error         // the rejection, once Fief refused the refresh token
}

// Token implements [oauth2.TokenSource].
func (s *refreshTokenSource) Token() (*oauth2.Token, error) {
	s.lock <- struct{}{}
	defer func() { <-s.lock }()
	if s.dead != nil {
		return nil, s.dead
	}
	now := s.client.Now()
	if s.tok.AccessToken != "" && (s.tok.Expiry.IsZero() || now.Add(s.cfg.Margin).Before(s.tok.Expiry)) {
		t := *s.tok
		return &t, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	resp, _, err := s.client.Refresh(ctx, s.tok.RefreshToken, nil)
	if err != nil {
		var re *ResponseError
		if errors.As(err, &re) && re.Code == "invalid_grant" {
			s.dead = &refreshRejectedError{retrieve: &oauth2.RetrieveError{ErrorCode: re.Code}, cause: err}
			return nil, s.dead
		}
		return nil, err
	}
	next := &oauth2.Token{
		AccessToken:  resp.AccessToken,
		TokenType:    "Bearer",
		RefreshToken: resp.RefreshToken,
	}
	if next.RefreshToken == "" { // Fief always rotates; keep the old one otherwise
		next.RefreshToken = s.tok.RefreshToken
	}
	if resp.ExpiresIn > 0 {
		next.Expiry = now.Add(time.Duration(resp.ExpiresIn) * time.Second)
	}
	next = next.WithExtra(map[string]any{"id_token": resp.IDToken})
	s.tok = next
	t := *next
	if s.cfg.OnRefresh != nil {
		if err := s.cfg.OnRefresh(ctx, &t); err != nil {
			return nil, fmt.Errorf("fief: TokenSource: OnRefresh: %w", err)
		}
	}
	return &t, nil
}

// refreshRejectedError is the error of a refused refresh token: an
// [ErrRefreshTokenRejected] and an [*oauth2.RetrieveError].
type refreshRejectedError struct {
	retrieve *oauth2.RetrieveError
	cause    error
}

func (e *refreshRejectedError) Error() string {
	return e.cause.Error() // Client.Refresh's error, an ErrRefreshTokenRejected already
}

func (e *refreshRejectedError) Unwrap() []error {
	return []error{ErrRefreshTokenRejected, e.retrieve, e.cause}
}
