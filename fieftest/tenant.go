package fieftest

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Tenant is a Fief tenant of a [Server]: a signing key, clients and users.
// The default tenant is served at the root of [Server.URL], the others
// under "/"+slug.
type Tenant struct {
	srv  *Server
	slug string
	id   string

	// Guarded by srv.mu.
	keys                []*signingKey // keys[0] signs; nil until first use
	clients             map[string]*Client
	clientList          []*Client
	users               map[string]*User // by ID
	byEmail             map[string]*User // by lower-cased email
	registrationAllowed bool
	name                string
	adminSlug           string // the slug the admin API shows ("default" for the default tenant)
	nameSet             bool   // named by SetName: Start keeps the name
	logoURL             *string
	applicationURL      *string
	oauthProviders      []*oauthProvider
	seq                 int64
	created, updated    time.Time
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// reservedSlugs are the first path segments of the root routes: a tenant
// with such a slug would be shadowed by them.
var reservedSlugs = map[string]bool{
	".well-known": true, "authorize": true, "login": true, "register": true,
	"verify-request": true, "verify": true, "consent": true, "logout": true,
	"api": true, "forgot": true, "reset": true, "email": true, "password": true,
	"oauth": true, "admin": true, "healthz": true,
}

// AddTenant creates a tenant whose routes live under "/"+slug. The slug
// must be lower-case letters, digits and single hyphens, and must not be
// the first segment of a root route ("api", "login", ...). AddTenant fails
// on an invalid or duplicate slug. After [Server.Start] it generates the
// tenant's signing key before returning.
func (s *Server) AddTenant(slug string) (*Tenant, error) {
	if !slugPattern.MatchString(slug) || reservedSlugs[slug] {
		return nil, fmt.Errorf("fieftest: invalid tenant slug %q", slug)
	}
	s.mu.Lock()
	if _, dup := s.tenants[slug]; dup {
		s.mu.Unlock()
		return nil, fmt.Errorf("fieftest: duplicate tenant slug %q", slug)
	}
	t := s.newTenantLocked(slug, slug, nil)
	started := s.started
	s.mu.Unlock()
	if started {
		t.ensureKey()
	}
	return t, nil
}

// newTenantLocked creates a tenant served under slug ("" for the default
// tenant), named name, lets setup change it, then announces it.
func (s *Server) newTenantLocked(slug, name string, setup func(*Tenant)) *Tenant {
	now := s.nowLocked()
	t := &Tenant{
		srv:                 s,
		slug:                slug,
		id:                  newUUID(),
		clients:             make(map[string]*Client),
		users:               make(map[string]*User),
		byEmail:             make(map[string]*User),
		registrationAllowed: true,
		name:                name,
		adminSlug:           slug,
		seq:                 s.adm.nextSeq(),
		created:             now,
		updated:             now,
	}
	if slug == "" {
		t.adminSlug = lowerASCII(name)
	}
	if setup != nil {
		setup(t)
	}
	s.tenants[slug] = t
	s.tenantList = append(s.tenantList, t)
	s.emitLocked(eventTenantCreated, t.readLocked())
	return t
}

// Name returns the tenant's name, shown above the card of its pages and by
// the admin API: "Default" for the default tenant ("Fief" at Fief 0.26.3,
// see [Server.Version]), the slug for the others unless changed with
// [Tenant.SetName] or the admin API.
func (t *Tenant) Name() string {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	return t.name
}

// SetName sets the tenant's name, shown on its pages (such as the name of
// the application its users sign in to) and by the admin API.
func (t *Tenant) SetName(name string) {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	t.name = name
	t.nameSet = true
	t.srv.tenantUpdatedLocked(t)
}

// tenantUpdatedLocked stamps updated_at and announces tenant.updated.
func (s *Server) tenantUpdatedLocked(t *Tenant) {
	t.updated = s.nowLocked()
	s.emitLocked(eventTenantUpdated, t.readLocked())
}

// Slug returns the tenant's slug, "" for the default tenant.
func (t *Tenant) Slug() string { return t.slug }

// ID returns the tenant's UUID, the tenant_id user claim.
func (t *Tenant) ID() string { return t.id }

// prefix is the path prefix of the tenant's routes.
func (t *Tenant) prefix() string {
	if t.slug == "" {
		return ""
	}
	return "/" + t.slug
}

// BaseURL returns the base URL of the tenant: [Server.URL], plus "/"+slug
// for a tenant other than the default one. It is valid after Start.
func (t *Tenant) BaseURL() string {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	return t.srv.URL + t.prefix()
}

// Issuer returns the tenant's issuer, the iss claim of its tokens:
// "https://"+domain (+"/"+slug); see [Server.Domain]. Unless Domain is set,
// it is valid only after Start.
func (t *Tenant) Issuer() string {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	return t.issuerLocked()
}

func (t *Tenant) issuerLocked() string {
	d := t.srv.cfg.domain
	if !t.srv.started {
		d = t.srv.Domain
	}
	return "https://" + d + t.prefix()
}

// SetRegistrationAllowed turns the /register form on or off for the tenant
// (on by default). When off, /register and /authorize?screen=register
// answer the HTML error registration_disabled.
func (t *Tenant) SetRegistrationAllowed(allowed bool) {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	t.registrationAllowed = allowed
	t.srv.tenantUpdatedLocked(t)
}

// User returns the tenant's user with this ID or email (case-insensitive).
func (t *Tenant) User(idOrEmail string) (*User, bool) {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	if u, ok := t.users[idOrEmail]; ok {
		return u, true
	}
	u, ok := t.byEmail[strings.ToLower(idOrEmail)]
	return u, ok
}

// Users returns the tenant's users, in no particular order.
func (t *Tenant) Users() []*User {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	us := make([]*User, 0, len(t.users))
	for _, u := range t.users {
		us = append(us, u)
	}
	return us
}

// RemoveUser deletes the user with this ID from the tenant, with its
// sessions. Authorization codes and refresh tokens issued to it then fail
// with invalid_grant, and its access tokens make the user API answer 500,
// as Fief does. It reports whether the user existed.
func (t *Tenant) RemoveUser(id string) bool {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	u, ok := t.users[id]
	if !ok {
		return false
	}
	t.removeUserLocked(u)
	return true
}

// removeUserLocked deletes u with its sessions and announces it.
func (t *Tenant) removeUserLocked(u *User) {
	before := u.readLocked()
	delete(t.users, u.ID)
	delete(t.byEmail, strings.ToLower(u.email))
	t.srv.store.deleteUserSessions(u.ID)
	t.srv.emitLocked(eventUserDeleted, before)
}

// Client returns the tenant's client with this client_id.
func (t *Tenant) Client(id string) (*Client, bool) {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	c, ok := t.clients[id]
	return c, ok
}

// Clients returns the tenant's clients, in the order they were added.
func (t *Tenant) Clients() []*Client {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	return append([]*Client(nil), t.clientList...)
}
