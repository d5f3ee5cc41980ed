package fiefadmin

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"
)

// ClientsService manages the OAuth clients of the tenants
// (/admin/api/clients).
type ClientsService struct{ c *Client }

// ClientType says whether a client can keep a secret.
type ClientType string

// The client types.
const (
	ClientConfidential ClientType = "confidential"
	ClientPublic       ClientType = "public"
)

// OAuthClient is an OAuth client of a tenant (what Fief calls a client).
type OAuthClient struct {
	ID         UUID       `json:"id"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Name       string     `json:"name"`
	FirstParty bool       `json:"first_party"`
	ClientType ClientType `json:"client_type"`
	// ClientID and ClientSecret are the client's OAuth credentials, for
	// [fief.Config].
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`

	AuthorizationCodeLifetimeSeconds int `json:"authorization_code_lifetime_seconds"`
	AccessIDTokenLifetimeSeconds     int `json:"access_id_token_lifetime_seconds"`
	RefreshTokenLifetimeSeconds      int `json:"refresh_token_lifetime_seconds"`

	TenantID UUID          `json:"tenant_id"`
	Tenant   TenantSummary `json:"tenant"`
	// EncryptJWK is the public key ID tokens are encrypted with, nil when
	// they are not; see [ClientsService.GenerateEncryptionKey].
	EncryptJWK *string `json:"encrypt_jwk"`
}

// String describes c without its secret.
func (c OAuthClient) String() string {
	c.ClientSecret = redactSet(c.ClientSecret)
	type plain OAuthClient
	return fmt.Sprintf("%+v", plain(c))
}

// OAuthClientCreate is a new client.
type OAuthClientCreate struct {
	Name         string     `json:"name"`
	FirstParty   bool       `json:"first_party"`
	ClientType   ClientType `json:"client_type"`
	RedirectURIs []string   `json:"redirect_uris"`
	TenantID     UUID       `json:"tenant_id"`
	// The lifetimes, in seconds; zero means Fief's default.
	AuthorizationCodeLifetimeSeconds int `json:"authorization_code_lifetime_seconds,omitempty"`
	AccessIDTokenLifetimeSeconds     int `json:"access_id_token_lifetime_seconds,omitempty"`
	RefreshTokenLifetimeSeconds      int `json:"refresh_token_lifetime_seconds,omitempty"`
}

// OAuthClientUpdate changes a client; nil fields are left as they are.
type OAuthClientUpdate struct {
	Name                             *string     `json:"name,omitempty"`
	FirstParty                       *bool       `json:"first_party,omitempty"`
	ClientType                       *ClientType `json:"client_type,omitempty"`
	RedirectURIs                     []string    `json:"redirect_uris,omitzero"`
	AuthorizationCodeLifetimeSeconds *int        `json:"authorization_code_lifetime_seconds,omitempty"`
	AccessIDTokenLifetimeSeconds     *int        `json:"access_id_token_lifetime_seconds,omitempty"`
	RefreshTokenLifetimeSeconds      *int        `json:"refresh_token_lifetime_seconds,omitempty"`
}

// OAuthClientListOptions filter and page the list of clients.
type OAuthClientListOptions struct {
	ListOptions
	// Query is Fief's search filter on the clients' names.
	Query string
	// Tenant keeps the clients of this tenant; the nil UUID keeps all.
	Tenant UUID
}

func (o *OAuthClientListOptions) list(op string) list {
	if o == nil {
		return newList(op, "/clients/", nil, nil)
	}
	return newList(op, "/clients/", &o.ListOptions, filters(o.Query, "", o.Tenant))
}

// List walks every client matching opts (nil for all).
func (s *ClientsService) List(ctx context.Context, opts *OAuthClientListOptions) iter.Seq2[OAuthClient, error] {
	return all[OAuthClient](ctx, s.c, opts.list("clients.list"))
}

// ListPage returns one page of the clients matching opts.
func (s *ClientsService) ListPage(ctx context.Context, opts *OAuthClientListOptions) (*Page[OAuthClient], error) {
	return page[OAuthClient](ctx, s.c, opts.list("clients.list"))
}

// Get returns a client.
func (s *ClientsService) Get(ctx context.Context, id UUID) (*OAuthClient, error) {
	return get[OAuthClient](ctx, s.c, "clients.get", "/clients/%s", id)
}

// Create creates a client; the answer holds its generated client ID and
// secret.
func (s *ClientsService) Create(ctx context.Context, cl OAuthClientCreate) (*OAuthClient, error) {
	if cl.RedirectURIs == nil {
		cl.RedirectURIs = []string{}
	}
	return create[OAuthClient](ctx, s.c, "clients.create", "/clients/", cl)
}

// Update changes a client.
func (s *ClientsService) Update(ctx context.Context, id UUID, cl OAuthClientUpdate) (*OAuthClient, error) {
	return update[OAuthClient](ctx, s.c, "clients.update", "/clients/%s", cl, id)
}

// Delete deletes a client.
func (s *ClientsService) Delete(ctx context.Context, id UUID) error {
	return remove(ctx, s.c, "clients.delete", "/clients/%s", id)
}

// GenerateEncryptionKey makes Fief encrypt the client's ID tokens with a
// new key pair, and returns the private key as a JWK (JSON) for
// [fief.Config].EncryptionKey. Fief keeps only the public key: this is the
// one chance to store the private one.
func (s *ClientsService) GenerateEncryptionKey(ctx context.Context, id UUID) (string, error) {
	var key json.RawMessage
	if err := s.c.do(ctx, call{op: "clients.encryption_key", method: "POST", path: "/clients/%s/encryption-key", ids: []UUID{id}}, &key); err != nil {
		return "", err
	}
	return string(key), nil
}
