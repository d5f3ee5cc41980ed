package fieftest

import (
	"cmp"
	"crypto/x509"
	"maps"
	"slices"
	"strings"
	"time"
)

// The state file's layout. Objects refer to one another by id (tenants by
// slug, clients by client_id within their tenant).
type (
	stateFile struct {
		Format         string               `json:"format"`
		Version        int                  `json:"version"`
		AdminAPIKey    string               `json:"admin_api_key"`
		Seq            int64                `json:"seq"`
		Permissions    []statePermission    `json:"permissions"`
		Roles          []stateRole          `json:"roles"`
		Webhooks       []stateWebhook       `json:"webhooks"`
		EmailTemplates []stateEmailTemplate `json:"email_templates"`
		OAuthProviders []stateOAuthProvider `json:"oauth_providers"`
		UserFields     []stateUserField     `json:"user_fields"`
		Tenants        []stateTenant        `json:"tenants"`
		Flows          stateFlows           `json:"flows"`
	}
	stateMeta struct {
		ID      string    `json:"id"`
		Seq     int64     `json:"seq"`
		Created time.Time `json:"created_at"`
		Updated time.Time `json:"updated_at"`
	}
	statePermission struct {
		stateMeta
		Name     string `json:"name"`
		Codename string `json:"codename"`
	}
	stateRole struct {
		stateMeta
		Name             string   `json:"name"`
		GrantedByDefault bool     `json:"granted_by_default"`
		Permissions      []string `json:"permissions"` // ids
	}
	stateWebhook struct {
		stateMeta
		URL    string   `json:"url"`
		Events []string `json:"events"`
		Secret string   `json:"secret"`
	}
	stateEmailTemplate struct {
		stateMeta
		Type    string `json:"type"`
		Subject string `json:"subject"`
		Content string `json:"content"`
	}
	stateOAuthProvider struct {
		stateMeta
		Provider                    string   `json:"provider"`
		ClientID                    string   `json:"client_id"`
		ClientSecret                string   `json:"client_secret"`
		Scopes                      []string `json:"scopes"`
		Name                        *string  `json:"name"`
		OpenIDConfigurationEndpoint *string  `json:"openid_configuration_endpoint"`
	}
	stateUserField struct {
		stateMeta
		Name          string         `json:"name"`
		Slug          string         `json:"slug"`
		Type          string         `json:"type"`
		Configuration map[string]any `json:"configuration"`
	}
	stateTenant struct {
		Slug                string        `json:"slug"`
		ID                  string        `json:"id"`
		Seq                 int64         `json:"seq"`
		Created             time.Time     `json:"created_at"`
		Updated             time.Time     `json:"updated_at"`
		Name                string        `json:"name"`
		NameSet             bool          `json:"name_set"` // named explicitly, not after the Fief version
		AdminSlug           string        `json:"admin_slug"`
		RegistrationAllowed bool          `json:"registration_allowed"`
		LogoURL             *string       `json:"logo_url"`
		ApplicationURL      *string       `json:"application_url"`
		OAuthProviders      []string      `json:"oauth_providers"` // ids
		Keys                []stateKey    `json:"signing_keys"`    // the first signs
		Clients             []stateClient `json:"clients"`
		Users               []stateUser   `json:"users"`
	}
	stateKey struct {
		KID   string `json:"kid"`
		PKCS8 []byte `json:"pkcs8"` // the private key, PKCS #8 DER
	}
	stateClient struct {
		UUID            string    `json:"id"`
		ClientID        string    `json:"client_id"`
		ClientSecret    string    `json:"client_secret"`
		EncryptionKey   string    `json:"encryption_key"` // private JWK, "" unless made by AddClient
		EncryptJWK      *string   `json:"encrypt_jwk"`    // public JWK, the key in use
		Name            string    `json:"name"`
		Public          bool      `json:"public"`
		ThirdParty      bool      `json:"third_party"`
		CodeLifetime    int64     `json:"code_lifetime_ns"`
		TokenLifetime   int64     `json:"token_lifetime_ns"`
		RefreshLifetime int64     `json:"refresh_token_lifetime_ns"`
		RedirectURIs    []string  `json:"redirect_uris"`
		Seq             int64     `json:"seq"`
		Created         time.Time `json:"created_at"`
		Updated         time.Time `json:"updated_at"`
	}
	stateUser struct {
		ID           string           `json:"id"`
		Email        string           `json:"email"`
		Verified     bool             `json:"email_verified"`
		Active       bool             `json:"is_active"`
		Salt         []byte           `json:"salt"`
		PasswordHash []byte           `json:"password_hash"`
		Fields       map[string]any   `json:"fields"`
		Permissions  []stateUserPerm  `json:"permissions"`
		Roles        []stateUserGrant `json:"roles"`
		PendingCode  string           `json:"pending_code"`
		PendingEmail string           `json:"pending_email"`
		Seq          int64            `json:"seq"`
		Created      time.Time        `json:"created_at"`
		Updated      time.Time        `json:"updated_at"`
	}
	stateUserPerm struct {
		stateMeta
		Permission string `json:"permission"`          // id
		FromRole   string `json:"from_role,omitempty"` // id, "" for a direct permission
	}
	stateUserGrant struct {
		stateMeta
		Role string `json:"role"` // id
	}
	stateFlows struct {
		Sessions      []stateSession      `json:"sessions"`
		LoginSessions []stateLoginSession `json:"login_sessions"`
		RegSessions   []stateRegSession   `json:"registration_sessions"`
		Codes         []stateCode         `json:"authorization_codes"`
		Refresh       []stateRefresh      `json:"refresh_tokens"`
		Consents      []stateConsent      `json:"consents"`
		SentCodes     map[string]string   `json:"sent_verification_codes"` // user id → code
	}
	// Flow entries are keyed by the SHA-256 of their token, as in memory:
	// the file holds no usable session cookie, code or refresh token.
	stateSession struct {
		Hash    string    `json:"hash"`
		Tenant  string    `json:"tenant"`
		UserID  string    `json:"user_id"`
		Created time.Time `json:"created_at"`
		Expires time.Time `json:"expires_at"`
	}
	stateLoginSession struct {
		Hash          string    `json:"hash"`
		Tenant        string    `json:"tenant"`
		Client        string    `json:"client_id"`
		ResponseType  string    `json:"response_type"`
		Fragment      bool      `json:"fragment"`
		RedirectURI   string    `json:"redirect_uri"`
		Scope         []string  `json:"scope"`
		State         *string   `json:"state"`
		Nonce         *string   `json:"nonce"`
		ACR           string    `json:"acr"`
		Challenge     string    `json:"code_challenge"`
		ChallengeMeth string    `json:"code_challenge_method"`
		Expires       time.Time `json:"expires_at"`
	}
	stateRegSession struct {
		Hash    string    `json:"hash"`
		Tenant  string    `json:"tenant"`
		Expires time.Time `json:"expires_at"`
	}
	stateCode struct {
		Hash          string    `json:"hash"`
		Tenant        string    `json:"tenant"`
		Client        string    `json:"client_id"`
		UserID        string    `json:"user_id"`
		RedirectURI   string    `json:"redirect_uri"`
		Scope         []string  `json:"scope"`
		AuthTime      time.Time `json:"auth_time"`
		Nonce         *string   `json:"nonce"`
		ACR           string    `json:"acr"`
		Challenge     string    `json:"code_challenge"`
		ChallengeMeth string    `json:"code_challenge_method"`
		CHash         string    `json:"c_hash"`
		Expires       time.Time `json:"expires_at"`
	}
	stateRefresh struct {
		Hash     string    `json:"hash"`
		Tenant   string    `json:"tenant"`
		Client   string    `json:"client_id"`
		UserID   string    `json:"user_id"`
		Scope    []string  `json:"scope"`
		AuthTime time.Time `json:"auth_time"`
		Expires  time.Time `json:"expires_at"`
	}
	stateConsent struct {
		UserID string   `json:"user_id"`
		Client string   `json:"client_id"`
		Scope  []string `json:"scope"`
	}
)

func (m meta) state() stateMeta {
	return stateMeta{ID: m.id, Seq: m.seq, Created: m.created, Updated: m.updated}
}

func (m stateMeta) meta() meta {
	return meta{id: m.ID, seq: m.Seq, created: m.Created, updated: m.Updated}
}

// snapshotLocked copies the server's state into its file layout, in a
// stable order so that an unchanged state encodes to the same bytes.
// Flow entries whose tenant or client was deleted since are left out:
// they can no longer be used.
func (s *Server) snapshotLocked() *stateFile {
	st := &stateFile{Format: stateFormat, Version: stateVersion, AdminAPIKey: s.adm.key, Seq: s.adm.seq}
	for _, p := range sortedBySeq(s.adm.permissions) {
		st.Permissions = append(st.Permissions, statePermission{p.meta.state(), p.name, p.codename})
	}
	for _, r := range sortedBySeq(s.adm.roles) {
		sr := stateRole{stateMeta: r.meta.state(), Name: r.name, GrantedByDefault: r.grantedByDefault, Permissions: []string{}}
		for _, p := range r.permissions {
			sr.Permissions = append(sr.Permissions, p.id)
		}
		st.Roles = append(st.Roles, sr)
	}
	for _, h := range sortedBySeq(s.adm.webhooks) {
		st.Webhooks = append(st.Webhooks, stateWebhook{h.meta.state(), h.url, h.events, h.secret})
	}
	for _, e := range s.adm.emailTemplates {
		st.EmailTemplates = append(st.EmailTemplates, stateEmailTemplate{e.meta.state(), e.typ, e.subject, e.content})
	}
	for _, p := range sortedBySeq(s.adm.oauthProviders) {
		st.OAuthProviders = append(st.OAuthProviders, stateOAuthProvider{p.meta.state(), p.provider, p.clientID, p.clientSecret, p.scopes, p.name, p.openidConfigurationEndpoint})
	}
	for _, f := range sortedBySeq(s.adm.userFields) {
		st.UserFields = append(st.UserFields, stateUserField{f.meta.state(), f.name, f.slug, f.typ, f.configuration})
	}
	for _, t := range s.tenantList {
		st.Tenants = append(st.Tenants, t.snapshotLocked())
	}
	st.Flows = s.snapshotFlowsLocked()
	return st
}

func (t *Tenant) snapshotLocked() stateTenant {
	st := stateTenant{
		Slug: t.slug, ID: t.id, Seq: t.seq, Created: t.created, Updated: t.updated,
		Name: t.name, NameSet: t.nameSet, AdminSlug: t.adminSlug, RegistrationAllowed: t.registrationAllowed,
		LogoURL: t.logoURL, ApplicationURL: t.applicationURL,
		OAuthProviders: []string{}, Keys: []stateKey{}, Clients: []stateClient{}, Users: []stateUser{},
	}
	for _, p := range t.oauthProviders {
		st.OAuthProviders = append(st.OAuthProviders, p.id)
	}
	for _, k := range t.keys {
		der, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			panic("fieftest: encoding a signing key: " + err.Error()) // an RSA key always encodes
		}
		st.Keys = append(st.Keys, stateKey{KID: k.kid, PKCS8: der})
	}
	for _, c := range t.clientList {
		st.Clients = append(st.Clients, stateClient{
			UUID: c.ID, ClientID: c.ClientID, ClientSecret: c.ClientSecret, EncryptionKey: c.EncryptionKey, EncryptJWK: c.encryptJWK,
			Name: c.name, Public: c.public, ThirdParty: c.thirdParty,
			CodeLifetime: int64(c.codeLifetime), TokenLifetime: int64(c.tokenLifetime), RefreshLifetime: int64(c.refreshLifetime),
			RedirectURIs: c.redirectURIs, Seq: c.seq, Created: c.created, Updated: c.updated,
		})
	}
	users := slices.Collect(maps.Values(t.users))
	slices.SortFunc(users, func(a, b *User) int { return cmp.Or(cmp.Compare(a.seq, b.seq), strings.Compare(a.ID, b.ID)) })
	for _, u := range users {
		su := stateUser{
			ID: u.ID, Email: u.email, Verified: u.verified, Active: u.active,
			Salt: u.salt, PasswordHash: u.pwHash, Fields: u.fields,
			Permissions: []stateUserPerm{}, Roles: []stateUserGrant{},
			PendingCode: u.pendingCode, PendingEmail: u.pendingEmail, Seq: u.seq, Created: u.created, Updated: u.updated,
		}
		for _, up := range u.perms {
			sp := stateUserPerm{stateMeta: up.meta.state(), Permission: up.perm.id}
			if up.fromRole != nil {
				sp.FromRole = up.fromRole.id
			}
			su.Permissions = append(su.Permissions, sp)
		}
		for _, ur := range u.roles {
			su.Roles = append(su.Roles, stateUserGrant{ur.meta.state(), ur.role.id})
		}
		st.Users = append(st.Users, su)
	}
	return st
}

// liveLocked reports whether t is still a tenant of s and c (if not nil)
// still a client of t.
func (s *Server) liveLocked(t *Tenant, c *Client) bool {
	if s.tenants[t.slug] != t {
		return false
	}
	return c == nil || t.clients[c.ClientID] == c
}

func (s *Server) snapshotFlowsLocked() stateFlows {
	st := &s.store
	f := stateFlows{
		Sessions: []stateSession{}, LoginSessions: []stateLoginSession{}, RegSessions: []stateRegSession{},
		Codes: []stateCode{}, Refresh: []stateRefresh{}, Consents: []stateConsent{}, SentCodes: st.sentCodes,
	}
	for _, h := range slices.Sorted(maps.Keys(st.sessions)) {
		v := st.sessions[h]
		if s.liveLocked(v.tenant, nil) {
			f.Sessions = append(f.Sessions, stateSession{h, v.tenant.slug, v.userID, v.created, v.expires})
		}
	}
	for _, h := range slices.Sorted(maps.Keys(st.loginSessions)) {
		v := st.loginSessions[h]
		if s.liveLocked(v.tenant, v.client) {
			f.LoginSessions = append(f.LoginSessions, stateLoginSession{
				h, v.tenant.slug, v.client.ClientID, v.responseType, v.fragment, v.redirectURI, v.scope,
				v.state, v.nonce, v.acr, v.challenge, v.challengeMeth, v.expires,
			})
		}
	}
	for _, h := range slices.Sorted(maps.Keys(st.regSessions)) {
		v := st.regSessions[h]
		if s.liveLocked(v.tenant, nil) {
			f.RegSessions = append(f.RegSessions, stateRegSession{h, v.tenant.slug, v.expires})
		}
	}
	for _, h := range slices.Sorted(maps.Keys(st.codes)) {
		v := st.codes[h]
		if s.liveLocked(v.tenant, v.client) {
			f.Codes = append(f.Codes, stateCode{
				h, v.tenant.slug, v.client.ClientID, v.userID, v.redirectURI, v.scope, v.authTime,
				v.nonce, v.acr, v.challenge, v.challengeMeth, v.cHash, v.expires,
			})
		}
	}
	for _, h := range slices.Sorted(maps.Keys(st.refresh)) {
		v := st.refresh[h]
		if s.liveLocked(v.tenant, v.client) {
			f.Refresh = append(f.Refresh, stateRefresh{h, v.tenant.slug, v.client.ClientID, v.userID, v.scope, v.authTime, v.expires})
		}
	}
	keys := slices.SortedFunc(maps.Keys(st.grants), func(a, b grantKey) int {
		return cmp.Or(strings.Compare(a.userID, b.userID), strings.Compare(a.clientID, b.clientID))
	})
	for _, k := range keys {
		f.Consents = append(f.Consents, stateConsent{k.userID, k.clientID, st.grants[k]})
	}
	return f
}
