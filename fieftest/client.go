package fieftest

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// ClientConfig describes a client (OAuth application) for
// [Tenant.AddClient]. The zero value is a confidential, first-party
// client with random credentials and no redirect URI.
type ClientConfig struct {
	// ID and Secret are the client_id and client_secret; random url-safe
	// strings when empty.
	ID, Secret string
	// Public makes the client_type "public": the client may then also
	// authenticate at /api/token with client_id alone (method "none"), and
	// must then use PKCE for the authorization-code grant. As in Fief,
	// method "none" ignores a client_secret sent along: a public client
	// with a PKCE verifier passes whatever the secret.
	Public bool
	// ThirdParty makes the client a third-party one: users see a consent
	// page (allow / deny) the first time. First-party clients (the default)
	// never get a consent page.
	ThirdParty bool
	// RedirectURIs are the allowed redirect URIs, compared byte for byte at
	// /authorize and /api/token. Unlike Fief, no normalisation is applied
	// when they are registered (Fief adds a "/" to a bare origin).
	RedirectURIs []string
	// Encrypt gives the client an encryption key pair: its ID tokens are then
	// nested JWTs (a JWE wrapping the signed JWS), and [Client.EncryptionKey]
	// holds the private key.
	Encrypt bool
	// CodeLifetime, TokenLifetime and RefreshTokenLifetime are the lifetimes
	// of authorization codes, of access and ID tokens, and of refresh tokens.
	// Zero means Fief's defaults: 600s, 86400s and 2592000s.
	CodeLifetime, TokenLifetime, RefreshTokenLifetime time.Duration
}

// Client is a client (OAuth application) of a [Tenant].
type Client struct {
	// ID and Secret are the client_id and client_secret.
	ID, Secret string
	// EncryptionKey is the client's private encryption key as a JWK JSON
	// object (what Fief shows the administrator once); "" unless the client
	// was created with Encrypt.
	EncryptionKey string

	tenant          *Tenant
	public          bool
	thirdParty      bool
	encKey          *rsa.PublicKey
	encKID          string
	codeLifetime    time.Duration
	tokenLifetime   time.Duration
	refreshLifetime time.Duration

	redirectURIs []string // guarded by tenant.srv.mu
}

// AddClient adds a client to the tenant. It panics if the tenant already
// has a client with this ID.
func (t *Tenant) AddClient(cfg ClientConfig) *Client {
	c := &Client{
		ID:              cfg.ID,
		Secret:          cfg.Secret,
		tenant:          t,
		public:          cfg.Public,
		thirdParty:      cfg.ThirdParty,
		codeLifetime:    orDefault(cfg.CodeLifetime, 600*time.Second),
		tokenLifetime:   orDefault(cfg.TokenLifetime, 86400*time.Second),
		refreshLifetime: orDefault(cfg.RefreshTokenLifetime, 2592000*time.Second),
		redirectURIs:    slices.Clone(cfg.RedirectURIs),
	}
	if c.ID == "" {
		c.ID = randomToken()
	}
	if c.Secret == "" {
		c.Secret = randomToken()
	}
	if cfg.Encrypt {
		priv := generateRSA(t.srv.keySize())
		c.encKey = &priv.PublicKey
		c.encKID = randomToken()
		b, err := json.Marshal(jose.JSONWebKey{Key: priv, KeyID: c.encKID, Use: "enc"})
		if err != nil {
			panic(fmt.Sprintf("fieftest: encoding the encryption key: %v", err))
		}
		c.EncryptionKey = string(b)
	}
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	if _, dup := t.clients[c.ID]; dup {
		panic(fmt.Sprintf("fieftest: duplicate client ID %q", c.ID))
	}
	t.clients[c.ID] = c
	t.clientList = append(t.clientList, c)
	return c
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// AddRedirectURI adds uri to the client's allowed redirect URIs.
func (c *Client) AddRedirectURI(uri string) {
	c.tenant.srv.mu.Lock()
	defer c.tenant.srv.mu.Unlock()
	c.redirectURIs = append(c.redirectURIs, uri)
}

// RedirectURIs returns a copy of the client's allowed redirect URIs.
func (c *Client) RedirectURIs() []string {
	c.tenant.srv.mu.Lock()
	defer c.tenant.srv.mu.Unlock()
	return slices.Clone(c.redirectURIs)
}

// Tenant returns the tenant the client belongs to.
func (c *Client) Tenant() *Tenant { return c.tenant }

func (c *Client) allowsRedirectLocked(uri string) bool {
	return slices.Contains(c.redirectURIs, uri)
}
