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
	// Name is the client's name, shown by the admin API; empty means the
	// tenant's name followed by "'s client", as Fief names the client it
	// creates with a tenant.
	Name string
	// ClientID and ClientSecret are the OAuth client_id and client_secret;
	// random url-safe strings when empty.
	ClientID, ClientSecret string
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
	// ID is the client's id in the admin API, a UUID, as fiefadmin's
	// Client.ID.
	ID string
	// ClientID and ClientSecret are the OAuth client_id and client_secret.
	ClientID, ClientSecret string
	// EncryptionKey is the client's private encryption key as a JWK JSON
	// object (what Fief shows the administrator once); "" unless the client
	// was created with Encrypt. A key generated later through the admin API
	// (POST /admin/api/clients/{id}/encryption-key) is only in that answer.
	EncryptionKey string

	tenant *Tenant

	// Guarded by tenant.srv.mu.
	name            string
	public          bool
	thirdParty      bool
	encKey          *rsa.PublicKey
	encKID          string
	encryptJWK      *string // the public encryption key as the admin API shows it
	codeLifetime    time.Duration
	tokenLifetime   time.Duration
	refreshLifetime time.Duration
	redirectURIs    []string
	seq             int64
	created         time.Time
	updated         time.Time
}

// AddClient adds a client to the tenant. It fails if the tenant already
// has a client with this client_id.
func (t *Tenant) AddClient(cfg ClientConfig) (*Client, error) {
	c := &Client{
		ID:              newUUID(),
		ClientID:        cfg.ClientID,
		ClientSecret:    cfg.ClientSecret,
		tenant:          t,
		name:            cfg.Name,
		public:          cfg.Public,
		thirdParty:      cfg.ThirdParty,
		codeLifetime:    orDefault(cfg.CodeLifetime, 600*time.Second),
		tokenLifetime:   orDefault(cfg.TokenLifetime, 86400*time.Second),
		refreshLifetime: orDefault(cfg.RefreshTokenLifetime, 2592000*time.Second),
		redirectURIs:    slices.Clone(cfg.RedirectURIs),
	}
	if c.ClientID == "" {
		c.ClientID = randomToken()
	}
	if c.ClientSecret == "" {
		c.ClientSecret = randomToken()
	}
	t.srv.mu.Lock()
	_, dup := t.clients[c.ClientID]
	t.srv.mu.Unlock()
	if dup {
		return nil, fmt.Errorf("fieftest: duplicate client_id %q", c.ClientID)
	}
	if cfg.Encrypt {
		c.EncryptionKey = c.newEncryptionKey()
	}
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	if err := t.insertClientLocked(c); err != nil {
		return nil, fmt.Errorf("fieftest: %w", err)
	}
	return c, nil
}

// insertClientLocked stores a new client and announces it.
func (t *Tenant) insertClientLocked(c *Client) error {
	if _, dup := t.clients[c.ClientID]; dup {
		return fmt.Errorf("duplicate client_id %q", c.ClientID)
	}
	s := t.srv
	if c.name == "" {
		c.name = t.name + "'s client"
	}
	c.seq = s.adm.nextSeq()
	c.created = s.nowLocked()
	c.updated = c.created
	t.clients[c.ClientID] = c
	t.clientList = append(t.clientList, c)
	s.emitLocked(eventClientCreated, c.readLocked())
	return nil
}

// newEncryptionKey generates an encryption key pair for the client, sets
// its public part (taking the lock) and returns the private JWK as JSON.
func (c *Client) newEncryptionKey() string {
	priv := generateRSA(c.tenant.srv.keySize())
	kid := randomToken()
	b, err := json.Marshal(jose.JSONWebKey{Key: priv, KeyID: kid, Use: "enc"})
	if err != nil {
		panic(fmt.Sprintf("fieftest: encoding the encryption key: %v", err))
	}
	pub, err := json.Marshal(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: kid, Use: "enc"})
	if err != nil {
		panic(fmt.Sprintf("fieftest: encoding the encryption key: %v", err))
	}
	pubJWK := string(pub)
	c.tenant.srv.mu.Lock()
	defer c.tenant.srv.mu.Unlock()
	c.encKey, c.encKID, c.encryptJWK = &priv.PublicKey, kid, &pubJWK
	return string(b)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// AddRedirectURI adds uri to the client's allowed redirect URIs.
func (c *Client) AddRedirectURI(uri string) {
	s := c.tenant.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	c.redirectURIs = append(c.redirectURIs, uri)
	s.clientUpdatedLocked(c)
}

// clientUpdatedLocked stamps updated_at and announces client.updated.
func (s *Server) clientUpdatedLocked(c *Client) {
	c.updated = s.nowLocked()
	s.emitLocked(eventClientUpdated, c.readLocked())
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
