package fiefadmin

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// OAuthProvidersService manages the OAuth providers users can sign in
// with (/admin/api/oauth-providers).
type OAuthProvidersService struct{ c *Client }

// OAuthProviderKind is the kind of an OAuth provider.
type OAuthProviderKind string

// The kinds of OAuth provider.
const (
	ProviderDiscord   OAuthProviderKind = "DISCORD"
	ProviderFacebook  OAuthProviderKind = "FACEBOOK"
	ProviderGitHub    OAuthProviderKind = "GITHUB"
	ProviderGoogle    OAuthProviderKind = "GOOGLE"
	ProviderLinkedIn  OAuthProviderKind = "LINKEDIN"
	ProviderMicrosoft OAuthProviderKind = "MICROSOFT"
	ProviderReddit    OAuthProviderKind = "REDDIT"
	// ProviderOpenID is any OpenID Connect provider; it needs an
	// OpenIDConfigurationEndpoint.
	ProviderOpenID OAuthProviderKind = "OPENID"
)

// OAuthProvider is an identity provider users can sign in with.
type OAuthProvider struct {
	ID        UUID              `json:"id"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	Provider  OAuthProviderKind `json:"provider"`
	// ClientID and ClientSecret are Fief's credentials at the provider.
	ClientID                    string   `json:"client_id"`
	ClientSecret                string   `json:"client_secret"`
	Scopes                      []string `json:"scopes"`
	Name                        *string  `json:"name"`
	OpenIDConfigurationEndpoint *string  `json:"openid_configuration_endpoint"`
}

// String describes p without its secret.
func (p OAuthProvider) String() string {
	p.ClientSecret = redactSet(p.ClientSecret)
	type plain OAuthProvider
	return fmt.Sprintf("%+v", plain(p))
}

// OAuthProviderCreate is a new OAuth provider.
type OAuthProviderCreate struct {
	Provider                    OAuthProviderKind `json:"provider"`
	ClientID                    string            `json:"client_id"`
	ClientSecret                string            `json:"client_secret"`
	Scopes                      []string          `json:"scopes"`
	Name                        string            `json:"name,omitempty"`
	OpenIDConfigurationEndpoint string            `json:"openid_configuration_endpoint,omitempty"`
}

// String describes p without its secret.
func (p OAuthProviderCreate) String() string {
	p.ClientSecret = redactSet(p.ClientSecret)
	type plain OAuthProviderCreate
	return fmt.Sprintf("%+v", plain(p))
}

// OAuthProviderUpdate changes an OAuth provider; nil fields are left as
// they are.
type OAuthProviderUpdate struct {
	ClientID                    *string  `json:"client_id,omitempty"`
	ClientSecret                *string  `json:"client_secret,omitempty"`
	Scopes                      []string `json:"scopes,omitzero"`
	Name                        *string  `json:"name,omitempty"`
	OpenIDConfigurationEndpoint *string  `json:"openid_configuration_endpoint,omitempty"`
}

// String describes p without its secret.
func (p OAuthProviderUpdate) String() string {
	secret := "<nil>"
	if p.ClientSecret != nil {
		secret = redacted
	}
	return fmt.Sprintf("OAuthProviderUpdate{ClientID: %s, ClientSecret: %s, Scopes: %v, Name: %s, OpenIDConfigurationEndpoint: %s}",
		ptrString(p.ClientID), secret, p.Scopes, ptrString(p.Name), ptrString(p.OpenIDConfigurationEndpoint))
}

// OAuthAccountAccessToken is a user's access token at an OAuth provider.
type OAuthAccountAccessToken struct {
	// ID is the OAuth account's id.
	ID          UUID   `json:"id"`
	AccountID   string `json:"account_id"`
	AccessToken string `json:"access_token"`
	// ExpiresAt is nil for a token without expiry.
	ExpiresAt *time.Time `json:"expires_at"`
}

// String describes t without the token.
func (t OAuthAccountAccessToken) String() string {
	return fmt.Sprintf("OAuthAccountAccessToken{ID: %s, AccountID: %s, AccessToken: %s, ExpiresAt: %s}",
		t.ID, t.AccountID, redactSet(t.AccessToken), ptrString(t.ExpiresAt))
}

// List walks every OAuth provider matching opts (nil for all).
func (s *OAuthProvidersService) List(ctx context.Context, opts *SearchOptions) iter.Seq2[OAuthProvider, error] {
	return all[OAuthProvider](ctx, s.c, opts.list("oauth_providers.list", "/oauth-providers/"))
}

// ListPage returns one page of the OAuth providers matching opts.
func (s *OAuthProvidersService) ListPage(ctx context.Context, opts *SearchOptions) (*Page[OAuthProvider], error) {
	return page[OAuthProvider](ctx, s.c, opts.list("oauth_providers.list", "/oauth-providers/"))
}

// Get returns an OAuth provider.
func (s *OAuthProvidersService) Get(ctx context.Context, id UUID) (*OAuthProvider, error) {
	return get[OAuthProvider](ctx, s.c, "oauth_providers.get", "/oauth-providers/%s", id)
}

// Create creates an OAuth provider.
func (s *OAuthProvidersService) Create(ctx context.Context, p OAuthProviderCreate) (*OAuthProvider, error) {
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	return create[OAuthProvider](ctx, s.c, "oauth_providers.create", "/oauth-providers/", p)
}

// Update changes an OAuth provider.
func (s *OAuthProvidersService) Update(ctx context.Context, id UUID, p OAuthProviderUpdate) (*OAuthProvider, error) {
	return update[OAuthProvider](ctx, s.c, "oauth_providers.update", "/oauth-providers/%s", p, id)
}

// Delete deletes an OAuth provider.
func (s *OAuthProvidersService) Delete(ctx context.Context, id UUID) error {
	return remove(ctx, s.c, "oauth_providers.delete", "/oauth-providers/%s", id)
}

// AccessToken returns the access token of a user at an OAuth provider,
// refreshed by Fief when it has expired (which fails with
// [CodeOAuthProviderRefreshTokenNotSupported] or
// [CodeOAuthProviderRefreshTokenError] when it cannot be).
func (s *OAuthProvidersService) AccessToken(ctx context.Context, providerID, userID UUID) (*OAuthAccountAccessToken, error) {
	return get[OAuthAccountAccessToken](ctx, s.c, "oauth_providers.access_token", "/oauth-providers/%s/access-token/%s", providerID, userID)
}
