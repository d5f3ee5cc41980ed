package fieftest

import (
	"net/http"
	"slices"
	"strings"
)

func (s *Server) adminListTenants(w http.ResponseWriter, r *http.Request, _ []string) {
	query, byQuery := queryFilter(r, "query")
	adminList(s, w, r, func() []*Tenant { return s.tenantList },
		func(t *Tenant) bool {
			return !byQuery || containsFold(t.name, query) || containsFold(t.adminSlug, query)
		},
		(*Tenant).readLocked)
}

func (s *Server) adminGetTenant(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (tenantRead, bool) { return found(s.tenantByIDLocked(ids[0]), (*Tenant).readLocked) })
}

// tenantFields are the members shared by TenantCreate and TenantUpdate.
type tenantFields struct {
	name                    *string
	registrationAllowed     *bool
	themeID                 *string
	logoURL, applicationURL *string
	setLogo, setApplication bool
	providerIDs             []string
	hasProviders            bool
}

func readTenantFields(f *fieldReader, create bool) tenantFields {
	var t tenantFields
	t.name = f.str("name", create)
	t.registrationAllowed = f.boolean("registration_allowed", false)
	t.themeID = f.uuid("theme_id", false)
	t.logoURL, t.setLogo = f.nullableURL("logo_url")
	t.applicationURL, t.setApplication = f.nullableURL("application_url")
	t.providerIDs, t.hasProviders = f.uuidList("oauth_providers", false)
	return t
}

// checkLocked answers the 400s of a tenant body: fieftest has no themes,
// and every OAuth provider must exist.
func (tf tenantFields) checkLocked(s *Server, w http.ResponseWriter, op string) ([]*oauthProvider, bool) {
	if tf.themeID != nil {
		writeDetail(w, http.StatusBadRequest, "TENANT_"+op+"_NOT_EXISTING_THEME")
		return nil, false
	}
	var ps []*oauthProvider
	for _, id := range tf.providerIDs {
		p := s.adm.oauthProviders[id]
		if p == nil {
			writeDetail(w, http.StatusBadRequest, "TENANT_"+op+"_NOT_EXISTING_OAUTH_PROVIDER")
			return nil, false
		}
		ps = append(ps, p)
	}
	return ps, true
}

func (tf tenantFields) applyLocked(t *Tenant, providers []*oauthProvider) {
	setIf(&t.name, tf.name)
	setIf(&t.registrationAllowed, tf.registrationAllowed)
	if tf.setLogo {
		t.logoURL = tf.logoURL
	}
	if tf.setApplication {
		t.applicationURL = tf.applicationURL
	}
	if tf.hasProviders {
		t.oauthProviders = providers
	}
}

func (s *Server) adminCreateTenant(w http.ResponseWriter, r *http.Request, _ []string) {
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	tf := readTenantFields(f, true)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	providers, ok := tf.checkLocked(s, w, "CREATE")
	if !ok {
		s.mu.Unlock()
		return
	}
	t := s.newTenantLocked(s.availableSlugLocked(*tf.name), *tf.name, func(t *Tenant) { tf.applyLocked(t, providers) })
	c := newAdminClient(t)
	c.redirectURIs = []string{"http://localhost:8000/docs/oauth2-redirect"}
	t.insertClientLocked(c)
	out := t.readLocked()
	s.mu.Unlock()
	t.ensureKey()
	writeJSON(w, http.StatusCreated, out)
}

// availableSlugLocked derives a free tenant slug from a name, as Fief
// does: slugified, with a random suffix when taken.
func (s *Server) availableSlugLocked(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	base := strings.TrimSuffix(b.String(), "-")
	if base == "" {
		base = "tenant"
	}
	slug := base
	for s.slugTakenLocked(slug) {
		slug = base + "-" + randomLowerAlnum(6)
	}
	return slug
}

func (s *Server) slugTakenLocked(slug string) bool {
	if _, ok := s.tenants[slug]; ok || reservedSlugs[slug] || slug == s.tenants[""].adminSlug || !slugPattern.MatchString(slug) {
		return true
	}
	return false
}

func (s *Server) adminUpdateTenant(w http.ResponseWriter, r *http.Request, ids []string) {
	if !s.exists(w, func() bool { return s.tenantByIDLocked(ids[0]) != nil }) {
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	tf := readTenantFields(f, false)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenantByIDLocked(ids[0])
	if t == nil {
		writeNotFound(w)
		return
	}
	providers, ok := tf.checkLocked(s, w, "UPDATE")
	if !ok {
		return
	}
	tf.applyLocked(t, providers)
	s.tenantUpdatedLocked(t)
	writeJSON(w, http.StatusOK, t.readLocked())
}

func (s *Server) adminDeleteTenant(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenantByIDLocked(ids[0])
	if t == nil {
		writeNotFound(w)
		return
	}
	if t.slug == "" {
		// Deviation: the default tenant serves the root routes; it stays.
		writeDetail(w, http.StatusBadRequest, "TENANT_DELETE_DEFAULT_TENANT")
		return
	}
	// Fief deletes the tenant's users and clients by cascade, announcing
	// the tenant only.
	before := t.readLocked()
	for _, u := range t.users {
		s.store.deleteUserSessions(u.ID)
	}
	t.users, t.byEmail, t.clients, t.clientList = map[string]*User{}, map[string]*User{}, map[string]*Client{}, nil
	delete(s.tenants, t.slug)
	s.tenantList = slices.DeleteFunc(s.tenantList, func(x *Tenant) bool { return x == t })
	s.emitLocked(eventTenantDeleted, before)
	writeNoContent(w)
}
