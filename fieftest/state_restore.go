package fieftest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// restorer rebuilds a server's state from a state file, checking every
// reference, so that a damaged file is an error here and never a nil
// pointer later.
type restorer struct {
	s       *Server
	adm     adminStore
	flows   flowStore
	tenants map[string]*Tenant
	list    []*Tenant
	roles   map[string]*role
	perms   map[string]*permission
	seenIDs map[string]bool // user ids, unique across tenants
}

// restoreLocked replaces s's tenants, admin objects and flows with st's.
// On error s is unchanged. s.mu is held.
func (s *Server) restoreLocked(st *stateFile) error {
	r := &restorer{s: s, tenants: map[string]*Tenant{}}
	if err := r.admin(st); err != nil {
		return err
	}
	for i := range st.Tenants {
		if err := r.tenant(&st.Tenants[i]); err != nil {
			return err
		}
	}
	if r.tenants[""] == nil {
		return errors.New("no default tenant")
	}
	if err := r.flowEntries(&st.Flows); err != nil {
		return err
	}
	s.adm, s.store, s.tenants, s.tenantList = r.adm, r.flows, r.tenants, r.list
	return nil
}

func (r *restorer) admin(st *stateFile) error {
	if st.AdminAPIKey == "" {
		return errors.New("no admin API key")
	}
	r.adm = adminStore{
		key: st.AdminAPIKey, seq: st.Seq,
		permissions: map[string]*permission{}, roles: map[string]*role{}, webhooks: map[string]*webhook{},
		oauthProviders: map[string]*oauthProvider{}, userFields: map[string]*userField{},
	}
	r.perms, r.roles = r.adm.permissions, r.adm.roles
	for _, p := range st.Permissions {
		if p.ID == "" || r.perms[p.ID] != nil || p.Codename == "" {
			return fmt.Errorf("permission %q: missing or duplicate id or codename", p.ID)
		}
		r.perms[p.ID] = &permission{meta: p.meta(), name: p.Name, codename: p.Codename}
	}
	for _, sr := range st.Roles {
		if sr.ID == "" || r.roles[sr.ID] != nil {
			return fmt.Errorf("role %q: missing or duplicate id", sr.ID)
		}
		ro := &role{meta: sr.meta(), name: sr.Name, grantedByDefault: sr.GrantedByDefault, permissions: []*permission{}}
		for _, id := range sr.Permissions {
			p := r.perms[id]
			if p == nil {
				return fmt.Errorf("role %q: unknown permission %q", sr.Name, id)
			}
			ro.permissions = append(ro.permissions, p)
		}
		r.roles[sr.ID] = ro
	}
	for _, h := range st.Webhooks {
		if h.ID == "" || r.adm.webhooks[h.ID] != nil || h.Secret == "" {
			return fmt.Errorf("webhook %q: missing or duplicate id, or no secret", h.ID)
		}
		r.adm.webhooks[h.ID] = &webhook{meta: h.meta(), url: h.URL, events: orEmpty(h.Events), secret: h.Secret}
	}
	for _, e := range st.EmailTemplates {
		r.adm.emailTemplates = append(r.adm.emailTemplates, &emailTemplate{meta: e.meta(), typ: e.Type, subject: e.Subject, content: e.Content})
	}
	for _, p := range st.OAuthProviders {
		if p.ID == "" || r.adm.oauthProviders[p.ID] != nil {
			return fmt.Errorf("OAuth provider %q: missing or duplicate id", p.ID)
		}
		r.adm.oauthProviders[p.ID] = &oauthProvider{meta: p.meta(), provider: p.Provider, clientID: p.ClientID, clientSecret: p.ClientSecret,
			scopes: orEmpty(p.Scopes), name: p.Name, openidConfigurationEndpoint: p.OpenIDConfigurationEndpoint}
	}
	for _, f := range st.UserFields {
		if f.ID == "" || r.adm.userFields[f.ID] != nil {
			return fmt.Errorf("user field %q: missing or duplicate id", f.ID)
		}
		conf := f.Configuration
		if conf == nil {
			conf = map[string]any{}
		}
		r.adm.userFields[f.ID] = &userField{meta: f.meta(), name: f.Name, slug: f.Slug, typ: f.Type, configuration: conf}
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (r *restorer) tenant(st *stateTenant) error {
	if st.Slug != "" && (!slugPattern.MatchString(st.Slug) || reservedSlugs[st.Slug]) {
		return fmt.Errorf("invalid tenant slug %q", st.Slug)
	}
	if r.tenants[st.Slug] != nil {
		return fmt.Errorf("duplicate tenant slug %q", st.Slug)
	}
	if st.ID == "" {
		return fmt.Errorf("tenant %q without an id", st.Slug)
	}
	t := &Tenant{
		srv: r.s, slug: st.Slug, id: st.ID,
		clients: map[string]*Client{}, users: map[string]*User{}, byEmail: map[string]*User{},
		registrationAllowed: st.RegistrationAllowed, name: st.Name, nameSet: st.NameSet, adminSlug: st.AdminSlug,
		logoURL: st.LogoURL, applicationURL: st.ApplicationURL,
		seq: st.Seq, created: st.Created, updated: st.Updated,
	}
	for _, id := range st.OAuthProviders {
		p := r.adm.oauthProviders[id]
		if p == nil {
			return fmt.Errorf("tenant %q: unknown OAuth provider %q", st.Slug, id)
		}
		t.oauthProviders = append(t.oauthProviders, p)
	}
	for _, k := range st.Keys {
		key, err := x509.ParsePKCS8PrivateKey(k.PKCS8)
		if err != nil {
			return fmt.Errorf("tenant %q: signing key %q: %w", st.Slug, k.KID, err)
		}
		rk, ok := key.(*rsa.PrivateKey)
		if !ok || k.KID == "" {
			return fmt.Errorf("tenant %q: signing key %q is not an RSA key with a kid", st.Slug, k.KID)
		}
		t.keys = append(t.keys, &signingKey{kid: k.KID, priv: rk})
	}
	for i := range st.Clients {
		c, err := restoreClient(t, &st.Clients[i])
		if err != nil {
			return fmt.Errorf("tenant %q: %w", st.Slug, err)
		}
		t.clients[c.ClientID] = c
		t.clientList = append(t.clientList, c)
	}
	for i := range st.Users {
		if err := r.user(t, &st.Users[i]); err != nil {
			return fmt.Errorf("tenant %q: %w", st.Slug, err)
		}
	}
	r.tenants[t.slug] = t
	r.list = append(r.list, t)
	return nil
}

func restoreClient(t *Tenant, sc *stateClient) (*Client, error) {
	if sc.ClientID == "" || sc.UUID == "" || t.clients[sc.ClientID] != nil {
		return nil, fmt.Errorf("client %q: missing or duplicate client_id or id", sc.ClientID)
	}
	if sc.CodeLifetime <= 0 || sc.TokenLifetime <= 0 || sc.RefreshLifetime <= 0 {
		return nil, fmt.Errorf("client %q: lifetimes must be positive", sc.ClientID)
	}
	c := &Client{
		ID: sc.UUID, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret, EncryptionKey: sc.EncryptionKey, tenant: t,
		name: sc.Name, public: sc.Public, thirdParty: sc.ThirdParty, encryptJWK: sc.EncryptJWK,
		codeLifetime: time.Duration(sc.CodeLifetime), tokenLifetime: time.Duration(sc.TokenLifetime),
		refreshLifetime: time.Duration(sc.RefreshLifetime),
		redirectURIs:    orEmpty(sc.RedirectURIs), seq: sc.Seq, created: sc.Created, updated: sc.Updated,
	}
	if sc.EncryptJWK != nil {
		var jwk jose.JSONWebKey
		if err := json.Unmarshal([]byte(*sc.EncryptJWK), &jwk); err != nil {
			return nil, fmt.Errorf("client %q: encryption key: %w", sc.ClientID, err)
		}
		pub, ok := jwk.Key.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("client %q: the encryption key is not an RSA public key", sc.ClientID)
		}
		c.encKey, c.encKID = pub, jwk.KeyID
	}
	return c, nil
}

func (r *restorer) user(t *Tenant, su *stateUser) error {
	email := strings.ToLower(su.Email)
	if su.ID == "" || t.users[su.ID] != nil || t.byEmail[email] != nil {
		return fmt.Errorf("user %q: missing or duplicate id or email", su.ID)
	}
	u := &User{
		ID: su.ID, tenant: t, email: su.Email, verified: su.Verified, active: su.Active,
		salt: su.Salt, pwHash: su.PasswordHash, fields: su.Fields,
		pendingCode: su.PendingCode, pendingEmail: su.PendingEmail, seq: su.Seq, created: su.Created, updated: su.Updated,
	}
	if u.fields == nil {
		u.fields = map[string]any{}
	}
	for _, sp := range su.Permissions {
		p := r.perms[sp.Permission]
		if p == nil {
			return fmt.Errorf("user %q: unknown permission %q", su.ID, sp.Permission)
		}
		up := &userPerm{meta: sp.meta(), perm: p}
		if sp.FromRole != "" {
			if up.fromRole = r.roles[sp.FromRole]; up.fromRole == nil {
				return fmt.Errorf("user %q: unknown role %q", su.ID, sp.FromRole)
			}
		}
		u.perms = append(u.perms, up)
	}
	for _, sg := range su.Roles {
		ro := r.roles[sg.Role]
		if ro == nil {
			return fmt.Errorf("user %q: unknown role %q", su.ID, sg.Role)
		}
		u.roles = append(u.roles, &userRole{meta: sg.meta(), role: ro})
	}
	t.users[u.ID] = u
	t.byEmail[email] = u
	return nil
}

// flowEntries restores the flows; an entry naming a tenant or client that
// does not exist is an error (SaveState leaves such entries out).
func (r *restorer) flowEntries(f *stateFlows) error {
	r.flows.init()
	st := &r.flows
	tenant := func(slug string) (*Tenant, error) {
		if t := r.tenants[slug]; t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("a flow entry names an unknown tenant %q", slug)
	}
	client := func(slug, id string) (*Tenant, *Client, error) {
		t, err := tenant(slug)
		if err != nil {
			return nil, nil, err
		}
		if c := t.clients[id]; c != nil {
			return t, c, nil
		}
		return nil, nil, fmt.Errorf("a flow entry names an unknown client %q", id)
	}
	for _, v := range f.Sessions {
		t, err := tenant(v.Tenant)
		if err != nil {
			return err
		}
		st.sessions[v.Hash] = &session{userID: v.UserID, tenant: t, created: v.Created, expires: v.Expires}
	}
	for _, v := range f.LoginSessions {
		t, c, err := client(v.Tenant, v.Client)
		if err != nil {
			return err
		}
		st.loginSessions[v.Hash] = &loginSession{
			tenant: t, client: c, responseType: v.ResponseType, fragment: v.Fragment, redirectURI: v.RedirectURI,
			scope: v.Scope, state: v.State, nonce: v.Nonce, acr: v.ACR, challenge: v.Challenge,
			challengeMeth: v.ChallengeMeth, expires: v.Expires,
		}
	}
	for _, v := range f.RegSessions {
		t, err := tenant(v.Tenant)
		if err != nil {
			return err
		}
		st.regSessions[v.Hash] = &regSession{tenant: t, expires: v.Expires}
	}
	for _, v := range f.Codes {
		t, c, err := client(v.Tenant, v.Client)
		if err != nil {
			return err
		}
		st.codes[v.Hash] = &authCode{
			tenant: t, client: c, userID: v.UserID, redirectURI: v.RedirectURI, scope: v.Scope, authTime: v.AuthTime,
			nonce: v.Nonce, acr: v.ACR, challenge: v.Challenge, challengeMeth: v.ChallengeMeth, cHash: v.CHash, expires: v.Expires,
		}
	}
	for _, v := range f.Refresh {
		t, c, err := client(v.Tenant, v.Client)
		if err != nil {
			return err
		}
		st.refresh[v.Hash] = &refreshToken{tenant: t, client: c, userID: v.UserID, scope: v.Scope, authTime: v.AuthTime, expires: v.Expires}
	}
	for _, v := range f.Consents {
		st.grants[grantKey{v.UserID, v.Client}] = v.Scope
	}
	maps.Copy(st.sentCodes, f.SentCodes)
	return nil
}
