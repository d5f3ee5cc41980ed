package fieftest

import (
	"net/http"
	"slices"
	"strings"
)

// Email templates, OAuth providers and user fields: stored and served by
// the admin API; fieftest sends no email and has no social login.

func (s *Server) adminListEmailTemplates(w http.ResponseWriter, r *http.Request, _ []string) {
	adminList(s, w, r, func() []*emailTemplate { return s.adm.emailTemplates }, nil, (*emailTemplate).read)
}

func (s *Server) emailTemplateLocked(id string) *emailTemplate {
	for _, e := range s.adm.emailTemplates {
		if e.id == id {
			return e
		}
	}
	return nil
}

func (s *Server) adminGetEmailTemplate(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (emailTemplateRead, bool) { return found(s.emailTemplateLocked(ids[0]), (*emailTemplate).read) })
}

// validTemplate is a rough check of Jinja syntax: every "{{" and "{%" is
// closed, in order.
func validTemplate(t string) bool {
	for {
		i := strings.IndexAny(t, "{")
		if i < 0 || i+1 >= len(t) {
			return true
		}
		var closer string
		switch t[i+1] {
		case '{':
			closer = "}}"
		case '%':
			closer = "%}"
		default:
			t = t[i+1:]
			continue
		}
		j := strings.Index(t[i+2:], closer)
		if j < 0 || strings.Contains(t[i+2:i+2+j], "{{") || strings.Contains(t[i+2:i+2+j], "{%") {
			return false
		}
		t = t[i+2+j+2:]
	}
}

func (s *Server) adminUpdateEmailTemplate(w http.ResponseWriter, r *http.Request, ids []string) {
	if !s.exists(w, func() bool { return s.emailTemplateLocked(ids[0]) != nil }) {
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	subject := f.str("subject", false)
	content := f.str("content", false)
	if f.failed(w) {
		return
	}
	if subject != nil && !validTemplate(*subject) || content != nil && !validTemplate(*content) {
		writeDetail(w, http.StatusBadRequest, "EMAIL_TEMPLATE_INVALID_TEMPLATE")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.emailTemplateLocked(ids[0])
	setIf(&e.subject, subject)
	setIf(&e.content, content)
	e.updated = s.nowLocked()
	s.emitLocked(eventEmailTemplateUpdated, e.read())
	writeJSON(w, http.StatusOK, e.read())
}

var oauthProviderTypes = []string{"DISCORD", "FACEBOOK", "GITHUB", "GOOGLE", "LINKEDIN", "MICROSOFT", "REDDIT", "OPENID"}

func (s *Server) adminListOAuthProviders(w http.ResponseWriter, r *http.Request, _ []string) {
	query, byQuery := queryFilter(r, "query")
	adminList(s, w, r, func() []*oauthProvider { return sortedBySeq(s.adm.oauthProviders) },
		func(p *oauthProvider) bool {
			return !byQuery || p.name != nil && containsFold(*p.name, query) || containsFold(p.provider, query)
		},
		(*oauthProvider).read)
}

func (s *Server) adminGetOAuthProvider(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (oauthProviderRead, bool) { return found(s.adm.oauthProviders[ids[0]], (*oauthProvider).read) })
}

func (s *Server) adminCreateOAuthProvider(w http.ResponseWriter, r *http.Request, _ []string) {
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	provider := f.enum("provider", true, oauthProviderTypes)
	clientID := f.str("client_id", true)
	clientSecret := f.str("client_secret", true)
	scopes, _ := f.strList("scopes", true)
	name := f.str("name", false)
	endpoint := f.httpURL("openid_configuration_endpoint", false)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &oauthProvider{
		meta: s.adm.newMeta(s.nowLocked()), provider: *provider, clientID: *clientID, clientSecret: *clientSecret,
		scopes: scopes, name: name, openidConfigurationEndpoint: endpoint,
	}
	s.adm.oauthProviders[p.id] = p
	s.emitLocked(eventOAuthProviderCreated, p.read())
	writeJSON(w, http.StatusCreated, p.read())
}

func (s *Server) adminUpdateOAuthProvider(w http.ResponseWriter, r *http.Request, ids []string) {
	if !s.exists(w, func() bool { return s.adm.oauthProviders[ids[0]] != nil }) {
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	clientID := f.str("client_id", false)
	clientSecret := f.str("client_secret", false)
	scopes, hasScopes := f.strList("scopes", false)
	name, setName := f.nullableStr("name")
	endpoint, setEndpoint := f.nullableURL("openid_configuration_endpoint")
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.adm.oauthProviders[ids[0]]
	if p == nil {
		writeNotFound(w)
		return
	}
	setIf(&p.clientID, clientID)
	setIf(&p.clientSecret, clientSecret)
	if hasScopes {
		p.scopes = scopes
	}
	if setName {
		p.name = name
	}
	if setEndpoint {
		p.openidConfigurationEndpoint = endpoint
	}
	p.updated = s.nowLocked()
	s.emitLocked(eventOAuthProviderUpdated, p.read())
	writeJSON(w, http.StatusOK, p.read())
}

func (s *Server) adminDeleteOAuthProvider(w http.ResponseWriter, r *http.Request, ids []string) {
	adminDelete(s, w, func() *oauthProvider { return s.adm.oauthProviders[ids[0]] }, func(p *oauthProvider) {
		before := p.read()
		delete(s.adm.oauthProviders, p.id)
		for _, t := range s.tenantList {
			t.oauthProviders = slices.DeleteFunc(t.oauthProviders, func(x *oauthProvider) bool { return x == p })
		}
		s.emitLocked(eventOAuthProviderDeleted, before)
	})
}

// adminOAuthProviderAccessToken answers 404 once the provider and the user
// exist: no user of fieftest has an OAuth account.
func (s *Server) adminOAuthProviderAccessToken(w http.ResponseWriter, r *http.Request, ids []string) {
	writeNotFound(w)
}

var userFieldTypes = []string{"STRING", "INTEGER", "BOOLEAN", "DATE", "DATETIME", "CHOICE", "PHONE_NUMBER", "ADDRESS", "TIMEZONE"}

func (s *Server) adminListUserFields(w http.ResponseWriter, r *http.Request, _ []string) {
	query, byQuery := queryFilter(r, "query")
	adminList(s, w, r, func() []*userField { return sortedBySeq(s.adm.userFields) },
		func(uf *userField) bool {
			return !byQuery || containsFold(uf.name, query) || containsFold(uf.slug, query)
		},
		(*userField).read)
}

func (s *Server) adminGetUserField(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (userFieldRead, bool) { return found(s.adm.userFields[ids[0]], (*userField).read) })
}

// readFieldConfiguration reads a UserFieldConfiguration: at_registration,
// required and at_update are required booleans.
func readFieldConfiguration(f *fieldReader, required bool) (map[string]any, bool) {
	m, ok := f.object("configuration", required)
	if !ok {
		return nil, false
	}
	sub := &fieldReader{body: m}
	sub.boolean("at_registration", true)
	sub.boolean("required", true)
	sub.boolean("at_update", true)
	for _, e := range sub.errs {
		e.Loc = append([]any{"body", "configuration"}, e.Loc[1:]...)
		f.errs = append(f.errs, e)
	}
	return m, len(sub.errs) == 0
}

func (s *Server) userFieldBySlugLocked(slug string) *userField {
	for _, uf := range s.adm.userFields {
		if uf.slug == slug {
			return uf
		}
	}
	return nil
}

func (s *Server) adminCreateUserField(w http.ResponseWriter, r *http.Request, _ []string) {
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	name := f.str("name", true)
	slug := f.str("slug", true)
	typ := f.enum("type", true, userFieldTypes)
	cfg, _ := readFieldConfiguration(f, true)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.userFieldBySlugLocked(*slug) != nil {
		writeDetail(w, http.StatusBadRequest, "USER_FIELD_SLUG_ALREADY_EXISTS")
		return
	}
	uf := &userField{meta: s.adm.newMeta(s.nowLocked()), name: *name, slug: *slug, typ: *typ, configuration: copyFields(cfg)}
	s.adm.userFields[uf.id] = uf
	s.emitLocked(eventUserFieldCreated, uf.read())
	writeJSON(w, http.StatusCreated, uf.read())
}

func (s *Server) adminUpdateUserField(w http.ResponseWriter, r *http.Request, ids []string) {
	if !s.exists(w, func() bool { return s.adm.userFields[ids[0]] != nil }) {
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	name := f.str("name", false)
	slug := f.str("slug", false)
	cfg, hasCfg := readFieldConfiguration(f, false)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uf := s.adm.userFields[ids[0]]
	if uf == nil {
		writeNotFound(w)
		return
	}
	if slug != nil && *slug != uf.slug && s.userFieldBySlugLocked(*slug) != nil {
		writeDetail(w, http.StatusBadRequest, "USER_FIELD_SLUG_ALREADY_EXISTS")
		return
	}
	setIf(&uf.name, name)
	setIf(&uf.slug, slug)
	if hasCfg {
		uf.configuration = copyFields(cfg)
	}
	uf.updated = s.nowLocked()
	s.emitLocked(eventUserFieldUpdated, uf.read())
	writeJSON(w, http.StatusOK, uf.read())
}

func (s *Server) adminDeleteUserField(w http.ResponseWriter, r *http.Request, ids []string) {
	adminDelete(s, w, func() *userField { return s.adm.userFields[ids[0]] }, func(uf *userField) {
		before := uf.read()
		delete(s.adm.userFields, uf.id)
		s.emitLocked(eventUserFieldDeleted, before)
	})
}
