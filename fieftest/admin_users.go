package fieftest

import (
	"net/http"
	"strings"
	"time"
)

// tenantQuery reads the optional "tenant" filter, a UUID; it answers 422
// on a bad one.
func tenantQuery(w http.ResponseWriter, r *http.Request) (id string, given, ok bool) {
	raw, given := queryFilter(r, "tenant")
	if !given {
		return "", false, true
	}
	id, valid := canonicalUUID(raw)
	switch {
	case !valid:
		writeV1Errors(w, []v1Error{{Loc: []any{"query", "tenant"}, Msg: "value is not a valid uuid", Type: "type_error.uuid"}})
		return "", true, false
	case !isUUID4(id):
		writeV1Errors(w, []v1Error{uuid4Error([]any{"query", "tenant"})})
		return "", true, false
	}
	return id, true, true
}

// userByIDLocked finds a user of any tenant.
func (s *Server) userByIDLocked(id string) *User {
	for _, t := range s.tenantList {
		if u, ok := t.users[id]; ok {
			return u
		}
	}
	return nil
}

// tenantByIDLocked finds a tenant by UUID.
func (s *Server) tenantByIDLocked(id string) *Tenant {
	for _, t := range s.tenantList {
		if t.id == id {
			return t
		}
	}
	return nil
}

func (s *Server) adminListUsers(w http.ResponseWriter, r *http.Request, _ []string) {
	tenantID, byTenant, ok := tenantQuery(w, r)
	if !ok {
		return
	}
	query, byQuery := queryFilter(r, "query")
	email, byEmail := queryFilter(r, "email")
	adminList(s, w, r, s.allUsersLocked, func(u *User) bool {
		return (!byTenant || u.tenant.id == tenantID) && (!byQuery || containsFold(u.email, query)) && (!byEmail || strings.EqualFold(u.email, email))
	}, (*User).readLocked)
}

func (s *Server) adminGetUser(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (userRead, bool) { return found(s.userByIDLocked(ids[0]), (*User).readLocked) })
}

// knownFieldsLocked keeps the values of the user fields that exist,
// dropping the others, as Fief does.
func (s *Server) knownFieldsLocked(in map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range s.adm.userFields {
		if v, ok := in[f.slug]; ok {
			out[f.slug] = v
		}
	}
	return copyFields(out)
}

func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request, _ []string) {
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	email := f.email("email", true)
	password := f.str("password", true)
	verified := f.boolean("email_verified", true)
	tenantID := f.uuid("tenant_id", true)
	fields, _ := f.object("fields", false)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenantByIDLocked(*tenantID)
	if t == nil {
		writeDetail(w, http.StatusBadRequest, "USER_CREATE_UNKNOWN_TENANT")
		return
	}
	if reasons := passwordProblems(*password); len(reasons) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "USER_CREATE_INVALID_PASSWORD", "reason": reasons})
		return
	}
	if _, dup := t.byEmail[strings.ToLower(*email)]; dup {
		writeDetail(w, http.StatusBadRequest, "USER_CREATE_ALREADY_EXISTS")
		return
	}
	u := &User{ID: newUUID(), tenant: t, email: *email, verified: *verified, active: true, fields: s.knownFieldsLocked(fields)}
	u.setPasswordLocked(*password)
	if err := t.insertUserLocked(u); err != nil {
		writeDetail(w, http.StatusBadRequest, "USER_CREATE_ALREADY_EXISTS")
		return
	}
	s.sendWelcomeLocked(u)
	writeJSON(w, http.StatusCreated, u.readLocked())
}

func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	exists := s.userByIDLocked(ids[0]) != nil
	s.mu.Unlock()
	if !exists {
		writeNotFound(w)
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	email := f.email("email", false)
	verified := f.boolean("email_verified", false)
	password := f.str("password", false)
	fields, hasFields := f.object("fields", false)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByIDLocked(ids[0])
	if u == nil {
		writeNotFound(w)
		return
	}
	if email != nil && *email != u.email {
		if other, taken := u.tenant.byEmail[strings.ToLower(*email)]; taken && other != u {
			writeDetail(w, http.StatusBadRequest, "USER_UPDATE_EMAIL_ALREADY_EXISTS")
			return
		}
	}
	if password != nil {
		if reasons := passwordProblems(*password); len(reasons) > 0 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "USER_UPDATE_INVALID_PASSWORD", "reason": reasons})
			return
		}
	}
	before := u.stateLocked()
	if email != nil && *email != u.email {
		u.setEmailLocked(*email)
	}
	if verified != nil {
		u.verified = *verified
	}
	if password != nil {
		u.setPasswordLocked(*password)
	}
	if hasFields {
		for k, v := range s.knownFieldsLocked(fields) {
			u.fields[k] = v
		}
	}
	s.userUpdatedLocked(u, before)
	writeJSON(w, http.StatusOK, u.readLocked())
}

func (s *Server) adminDeleteUser(w http.ResponseWriter, r *http.Request, ids []string) {
	adminDelete(s, w, func() *User { return s.userByIDLocked(ids[0]) }, func(u *User) { u.tenant.removeUserLocked(u) })
}

func (s *Server) adminUserAccessToken(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	u := s.userByIDLocked(ids[0])
	s.mu.Unlock()
	if u == nil {
		writeNotFound(w)
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	clientID := f.uuid("client_id", true)
	scopes, _ := f.strList("scopes", true)
	if f.failed(w) {
		return
	}
	t := u.tenant
	key := t.currentKey()
	s.mu.Lock()
	var c *Client
	for _, x := range t.clientList {
		if x.ID == *clientID {
			c = x
		}
	}
	if c == nil || t.users[u.ID] != u {
		s.mu.Unlock()
		if c == nil {
			writeDetail(w, http.StatusBadRequest, "USER_CREATE_ACCESS_TOKEN_UNKNOWN_CLIENT")
		} else {
			writeNotFound(w)
		}
		return
	}
	p := s.grantParamsLocked(t, c, u)
	s.mu.Unlock()
	p.key = key
	p.scope = scopes
	p.acr = "0"
	p.authTime = p.iat
	writeJSON(w, http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}{p.accessToken(), "bearer", int64(p.lifetime / time.Second)})
}

func (s *Server) adminListUserOAuthAccounts(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	u := s.userByIDLocked(ids[0])
	s.mu.Unlock()
	if u == nil {
		writeNotFound(w)
		return
	}
	q, ok := parseListQuery(w, r, "")
	if !ok {
		return
	}
	// fieftest has no social login: no user has an OAuth account.
	writePage(w, q, []struct{}{})
}
