package fieftest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The state of a server, as [Server.SaveState] writes it and
// [Server.LoadState] reads it back: what Fief keeps in its database, so
// that a restarted server serves the same key set, accepts the tokens it
// issued and refreshes the same refresh tokens. Authorization codes,
// sign-in forms in progress, verification codes and webhook delivery logs
// are not kept.

// stateFormat is the version of the state document.
const stateFormat = 1

type stateDoc struct {
	Format      int               `json:"format"`
	AdminKey    string            `json:"admin_api_key"`
	Seq         int64             `json:"seq"`
	Permissions []statePermission `json:"permissions"`
	Roles       []stateRole       `json:"roles"`
	Webhooks    []stateWebhook    `json:"webhooks"`
	Tenants     []stateTenant     `json:"tenants"`
	Sessions    []stateSession    `json:"sessions"`
	Refresh     []stateRefresh    `json:"refresh_tokens"`
	Consents    []stateConsent    `json:"consents"`
}

type stateMeta struct {
	ID      string    `json:"id"`
	Seq     int64     `json:"seq"`
	Created time.Time `json:"created_at"`
	Updated time.Time `json:"updated_at"`
}

type statePermission struct {
	stateMeta
	Name     string `json:"name"`
	Codename string `json:"codename"`
}

type stateRole struct {
	stateMeta
	Name             string   `json:"name"`
	GrantedByDefault bool     `json:"granted_by_default"`
	Permissions      []string `json:"permissions"` // ids
}

type stateWebhook struct {
	stateMeta
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
}

type stateKey struct {
	KID string `json:"kid"`
	Key []byte `json:"pkcs8"`
}

type stateTenant struct {
	Slug                string        `json:"slug"`
	ID                  string        `json:"id"`
	Name                string        `json:"name"`
	NameSet             bool          `json:"name_set"`
	AdminSlug           string        `json:"admin_slug"`
	RegistrationAllowed bool          `json:"registration_allowed"`
	LogoURL             *string       `json:"logo_url"`
	ApplicationURL      *string       `json:"application_url"`
	Seq                 int64         `json:"seq"`
	Created             time.Time     `json:"created_at"`
	Updated             time.Time     `json:"updated_at"`
	Keys                []stateKey    `json:"keys"`
	Clients             []stateClient `json:"clients"`
	Users               []stateUser   `json:"users"`
}

type stateClient struct {
	ID              string    `json:"id"`
	ClientID        string    `json:"client_id"`
	ClientSecret    string    `json:"client_secret"`
	EncryptionKey   string    `json:"encryption_key,omitempty"`
	EncryptJWK      *string   `json:"encrypt_jwk,omitempty"`
	Name            string    `json:"name"`
	Public          bool      `json:"public"`
	ThirdParty      bool      `json:"third_party"`
	RedirectURIs    []string  `json:"redirect_uris"`
	CodeLifetime    int64     `json:"code_lifetime_seconds"`
	TokenLifetime   int64     `json:"token_lifetime_seconds"`
	RefreshLifetime int64     `json:"refresh_lifetime_seconds"`
	Seq             int64     `json:"seq"`
	Created         time.Time `json:"created_at"`
	Updated         time.Time `json:"updated_at"`
}

type stateGrant struct {
	stateMeta
	Of string `json:"of"` // a permission or role id
}

type stateUser struct {
	ID          string         `json:"id"`
	Email       string         `json:"email"`
	Verified    bool           `json:"email_verified"`
	Active      bool           `json:"is_active"`
	Salt        []byte         `json:"salt"`
	Hash        []byte         `json:"password_hash"`
	Fields      map[string]any `json:"fields"`
	Permissions []stateGrant   `json:"permissions"` // direct grants
	Roles       []stateGrant   `json:"roles"`
	Seq         int64          `json:"seq"`
	Created     time.Time      `json:"created_at"`
	Updated     time.Time      `json:"updated_at"`
}

type stateSession struct {
	Hash    string    `json:"hash"`
	Tenant  string    `json:"tenant"`
	UserID  string    `json:"user_id"`
	Created time.Time `json:"created_at"`
	Expires time.Time `json:"expires_at"`
}

type stateRefresh struct {
	Hash     string    `json:"hash"`
	Tenant   string    `json:"tenant"`
	ClientID string    `json:"client_id"`
	UserID   string    `json:"user_id"`
	Scope    []string  `json:"scope"`
	AuthTime time.Time `json:"auth_time"`
	Expires  time.Time `json:"expires_at"`
}

type stateConsent struct {
	UserID   string   `json:"user_id"`
	ClientID string   `json:"client_id"`
	Scope    []string `json:"scope"`
}

func metaState(m meta) stateMeta { return stateMeta{m.id, m.seq, m.created, m.updated} }
func (m stateMeta) meta() meta   { return meta{m.ID, m.Seq, m.Created, m.Updated} }

// SaveState writes the server's state as JSON: signing keys, tenants,
// clients, users with their grants, permissions, roles, webhooks and their
// secrets, the admin API key, sign-in sessions, refresh tokens and
// consents. It holds secrets: keep it private. [Server.LoadState] reads it
// back.
func (s *Server) SaveState(w io.Writer) error {
	for _, t := range s.tenantsSnapshot() {
		t.ensureKey()
	}
	s.mu.Lock()
	doc, err := s.stateLocked()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("fieftest: writing the state: %w", err)
	}
	return nil
}

func (s *Server) tenantsSnapshot() []*Tenant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tenantList)
}

func (s *Server) stateLocked() (*stateDoc, error) {
	doc := &stateDoc{Format: stateFormat, AdminKey: s.adm.key, Seq: s.adm.seq,
		Permissions: []statePermission{}, Roles: []stateRole{}, Webhooks: []stateWebhook{}, Tenants: []stateTenant{},
		Sessions: []stateSession{}, Refresh: []stateRefresh{}, Consents: []stateConsent{}}
	for _, p := range sortedBySeq(s.adm.permissions) {
		doc.Permissions = append(doc.Permissions, statePermission{metaState(p.meta), p.name, p.codename})
	}
	for _, r := range sortedBySeq(s.adm.roles) {
		sr := stateRole{stateMeta: metaState(r.meta), Name: r.name, GrantedByDefault: r.grantedByDefault, Permissions: []string{}}
		for _, p := range r.permissions {
			sr.Permissions = append(sr.Permissions, p.id)
		}
		doc.Roles = append(doc.Roles, sr)
	}
	for _, h := range sortedBySeq(s.adm.webhooks) {
		doc.Webhooks = append(doc.Webhooks, stateWebhook{metaState(h.meta), h.url, slices.Clone(h.events), h.secret})
	}
	for _, t := range s.tenantList {
		st := stateTenant{Slug: t.slug, ID: t.id, Name: t.name, NameSet: t.nameSet, AdminSlug: t.adminSlug,
			RegistrationAllowed: t.registrationAllowed, LogoURL: t.logoURL, ApplicationURL: t.applicationURL,
			Seq: t.seq, Created: t.created, Updated: t.updated, Clients: []stateClient{}, Users: []stateUser{}}
		for _, k := range t.keys {
			der, err := x509.MarshalPKCS8PrivateKey(k.priv)
			if err != nil {
				return nil, fmt.Errorf("fieftest: saving a signing key: %w", err)
			}
			st.Keys = append(st.Keys, stateKey{k.kid, der})
		}
		for _, c := range t.clientList {
			st.Clients = append(st.Clients, stateClient{ID: c.ID, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
				EncryptionKey: c.EncryptionKey, EncryptJWK: c.encryptJWK, Name: c.name, Public: c.public, ThirdParty: c.thirdParty,
				RedirectURIs: slices.Clone(c.redirectURIs), CodeLifetime: int64(c.codeLifetime / time.Second),
				TokenLifetime: int64(c.tokenLifetime / time.Second), RefreshLifetime: int64(c.refreshLifetime / time.Second),
				Seq: c.seq, Created: c.created, Updated: c.updated})
		}
		users := make([]*User, 0, len(t.users))
		for _, u := range t.users {
			users = append(users, u)
		}
		slices.SortFunc(users, func(a, b *User) int { return int(a.seq - b.seq) })
		for _, u := range users {
			su := stateUser{ID: u.ID, Email: u.email, Verified: u.verified, Active: u.active, Salt: u.salt, Hash: u.pwHash,
				Fields: copyFields(u.fields), Permissions: []stateGrant{}, Roles: []stateGrant{}, Seq: u.seq, Created: u.created, Updated: u.updated}
			for _, up := range u.perms {
				if up.fromRole == nil {
					su.Permissions = append(su.Permissions, stateGrant{metaState(up.meta), up.perm.id})
				}
			}
			for _, ur := range u.roles {
				su.Roles = append(su.Roles, stateGrant{metaState(ur.meta), ur.role.id})
			}
			st.Users = append(st.Users, su)
		}
		doc.Tenants = append(doc.Tenants, st)
	}
	for h, se := range s.store.sessions {
		doc.Sessions = append(doc.Sessions, stateSession{h, se.tenant.slug, se.userID, se.created, se.expires})
	}
	for h, rt := range s.store.refresh {
		doc.Refresh = append(doc.Refresh, stateRefresh{h, rt.tenant.slug, rt.client.ClientID, rt.userID, slices.Clone(rt.scope), rt.authTime, rt.expires})
	}
	for k, scope := range s.store.grants {
		doc.Consents = append(doc.Consents, stateConsent{k.userID, k.clientID, slices.Clone(scope)})
	}
	slices.SortFunc(doc.Sessions, func(a, b stateSession) int { return a.Created.Compare(b.Created) })
	slices.SortFunc(doc.Refresh, func(a, b stateRefresh) int { return a.Expires.Compare(b.Expires) })
	slices.SortFunc(doc.Consents, func(a, b stateConsent) int { return cmpStrings(a.UserID+a.ClientID, b.UserID+b.ClientID) })
	return doc, nil
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// LoadState replaces the state of a server that is not started yet with
// one written by [Server.SaveState]: its tenants, clients, users,
// permissions, roles, webhooks, keys, admin API key, sessions and refresh
// tokens are those of the state, nothing else. It fails on a document it
// cannot read, leaving the server as it was.
func (s *Server) LoadState(r io.Reader) error {
	var doc stateDoc
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("fieftest: reading the state: %w", err)
	}
	if doc.Format != stateFormat {
		return fmt.Errorf("fieftest: state format %d, want %d", doc.Format, stateFormat)
	}
	fresh := NewUnstartedServer()
	if err := fresh.restore(&doc); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("fieftest: LoadState on a started server")
	}
	s.adm = fresh.adm
	s.store = fresh.store
	s.tenants, s.tenantList = fresh.tenants, fresh.tenantList
	for _, t := range s.tenantList {
		t.srv = s
	}
	return nil
}

// restore fills a fresh server from doc.
func (s *Server) restore(doc *stateDoc) error {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("fieftest: state: "+format, a...)
	}
	s.adm.key = doc.AdminKey
	if s.adm.key == "" {
		return fail("no admin API key")
	}
	for _, p := range doc.Permissions {
		s.adm.permissions[p.ID] = &permission{meta: p.meta(), name: p.Name, codename: p.Codename}
	}
	for _, r := range doc.Roles {
		ro := &role{meta: r.meta(), name: r.Name, grantedByDefault: r.GrantedByDefault, permissions: []*permission{}}
		for _, id := range r.Permissions {
			p := s.adm.permissions[id]
			if p == nil {
				return fail("role %q has an unknown permission %s", r.Name, id)
			}
			ro.permissions = append(ro.permissions, p)
		}
		s.adm.roles[r.ID] = ro
	}
	for _, h := range doc.Webhooks {
		s.adm.webhooks[h.ID] = &webhook{meta: h.meta(), url: h.URL, events: h.Events, secret: h.Secret}
	}
	s.tenants = map[string]*Tenant{}
	s.tenantList = nil
	for _, st := range doc.Tenants {
		t := &Tenant{srv: s, slug: st.Slug, id: st.ID, clients: map[string]*Client{}, users: map[string]*User{}, byEmail: map[string]*User{},
			registrationAllowed: st.RegistrationAllowed, name: st.Name, nameSet: st.NameSet, adminSlug: st.AdminSlug,
			logoURL: st.LogoURL, applicationURL: st.ApplicationURL, seq: st.Seq, created: st.Created, updated: st.Updated}
		if _, dup := s.tenants[t.slug]; dup {
			return fail("tenant %q twice", t.slug)
		}
		for _, k := range st.Keys {
			priv, err := x509.ParsePKCS8PrivateKey(k.Key)
			rk, ok := priv.(*rsa.PrivateKey)
			if err != nil || !ok {
				return fail("tenant %q: a signing key does not parse", t.slug)
			}
			t.keys = append(t.keys, &signingKey{kid: k.KID, priv: rk})
		}
		for _, sc := range st.Clients {
			c := &Client{ID: sc.ID, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret, EncryptionKey: sc.EncryptionKey, tenant: t,
				name: sc.Name, public: sc.Public, thirdParty: sc.ThirdParty, redirectURIs: sc.RedirectURIs,
				codeLifetime: time.Duration(sc.CodeLifetime) * time.Second, tokenLifetime: time.Duration(sc.TokenLifetime) * time.Second,
				refreshLifetime: time.Duration(sc.RefreshLifetime) * time.Second, seq: sc.Seq, created: sc.Created, updated: sc.Updated}
			if sc.EncryptJWK != nil {
				var k jose.JSONWebKey
				err := k.UnmarshalJSON([]byte(*sc.EncryptJWK))
				pub, ok := k.Key.(*rsa.PublicKey)
				if err != nil || !ok {
					return fail("client %q: its encryption key does not parse", c.ClientID)
				}
				c.encKey, c.encKID, c.encryptJWK = pub, k.KeyID, sc.EncryptJWK
			}
			t.clients[c.ClientID] = c
			t.clientList = append(t.clientList, c)
		}
		for _, su := range st.Users {
			u := &User{ID: su.ID, tenant: t, email: su.Email, verified: su.Verified, active: su.Active, salt: su.Salt, pwHash: su.Hash,
				fields: copyFields(su.Fields), seq: su.Seq, created: su.Created, updated: su.Updated}
			for _, g := range su.Roles {
				r := s.adm.roles[g.Of]
				if r == nil {
					return fail("user %s holds an unknown role %s", u.ID, g.Of)
				}
				u.roles = append(u.roles, &userRole{meta: g.meta(), role: r})
				for _, p := range r.permissions {
					u.perms = append(u.perms, &userPerm{meta: g.meta(), perm: p, fromRole: r})
				}
			}
			for _, g := range su.Permissions {
				p := s.adm.permissions[g.Of]
				if p == nil {
					return fail("user %s holds an unknown permission %s", u.ID, g.Of)
				}
				u.perms = append(u.perms, &userPerm{meta: g.meta(), perm: p})
			}
			// The grant order, which is the order of the permissions claim.
			slices.SortStableFunc(u.perms, func(a, b *userPerm) int { return int(a.seq - b.seq) })
			t.users[u.ID] = u
			t.byEmail[strings.ToLower(u.email)] = u
		}
		s.tenants[t.slug] = t
		s.tenantList = append(s.tenantList, t)
	}
	if s.tenants[""] == nil {
		return fail("no default tenant")
	}
	for _, se := range doc.Sessions {
		t := s.tenants[se.Tenant]
		if t == nil {
			return fail("a session of an unknown tenant %q", se.Tenant)
		}
		s.store.sessions[se.Hash] = &session{userID: se.UserID, tenant: t, created: se.Created, expires: se.Expires}
	}
	for _, rt := range doc.Refresh {
		t := s.tenants[rt.Tenant]
		if t == nil || t.clients[rt.ClientID] == nil {
			return fail("a refresh token of an unknown client %q", rt.ClientID)
		}
		s.store.refresh[rt.Hash] = &refreshToken{tenant: t, client: t.clients[rt.ClientID], userID: rt.UserID, scope: rt.Scope, authTime: rt.AuthTime, expires: rt.Expires}
	}
	for _, c := range doc.Consents {
		s.store.grants[grantKey{c.UserID, c.ClientID}] = c.Scope
	}
	s.adm.seq = max(s.adm.seq, doc.Seq)
	return nil
}

// SaveStateFile writes the state to path atomically (a temporary file in
// the same directory, renamed), readable by its owner only.
func (s *Server) SaveStateFile(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".fieftest-state-*")
	if err != nil {
		return fmt.Errorf("fieftest: saving the state: %w", err)
	}
	defer os.Remove(f.Name())
	if err := s.SaveState(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("fieftest: saving the state: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("fieftest: saving the state: %w", err)
	}
	return nil
}

// LoadStateFile is [Server.LoadState] on a file written by
// [Server.SaveStateFile].
func (s *Server) LoadStateFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fieftest: loading the state: %w", err)
	}
	defer f.Close()
	return s.LoadState(f)
}
