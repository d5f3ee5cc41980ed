package fieftest

import "net/http"

func (s *Server) adminListPermissions(w http.ResponseWriter, r *http.Request, _ []string) {
	query, byQuery := queryFilter(r, "query")
	adminList(s, w, r, func() []*permission { return sortedBySeq(s.adm.permissions) },
		func(p *permission) bool {
			return !byQuery || containsFold(p.name, query) || containsFold(p.codename, query)
		},
		(*permission).read)
}

func (s *Server) adminGetPermission(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (permissionRead, bool) { return found(s.adm.permissions[ids[0]], (*permission).read) })
}

func (s *Server) adminCreatePermission(w http.ResponseWriter, r *http.Request, _ []string) {
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	name := f.str("name", true)
	codename := f.str("codename", true)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.adm.permissionByCodename(*codename) != nil {
		writeDetail(w, http.StatusBadRequest, "PERMISSION_CREATE_CODENAME_ALREADY_EXISTS")
		return
	}
	p := s.createPermissionLocked(*name, *codename)
	writeJSON(w, http.StatusCreated, p.read())
}

func (s *Server) adminUpdatePermission(w http.ResponseWriter, r *http.Request, ids []string) {
	if !s.exists(w, func() bool { return s.adm.permissions[ids[0]] != nil }) {
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	name := f.str("name", false)
	codename := f.str("codename", false)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.adm.permissions[ids[0]]
	if p == nil {
		writeNotFound(w)
		return
	}
	if codename != nil && *codename != p.codename && s.adm.permissionByCodename(*codename) != nil {
		writeDetail(w, http.StatusBadRequest, "PERMISSION_UPDATE_CODENAME_ALREADY_EXISTS")
		return
	}
	setIf(&p.name, name)
	setIf(&p.codename, codename)
	p.updated = s.nowLocked()
	s.emitLocked(eventPermissionUpdated, p.read())
	writeJSON(w, http.StatusOK, p.read())
}

func (s *Server) adminDeletePermission(w http.ResponseWriter, r *http.Request, ids []string) {
	adminDelete(s, w, func() *permission { return s.adm.permissions[ids[0]] }, s.deletePermissionLocked)
}

func (s *Server) adminListRoles(w http.ResponseWriter, r *http.Request, _ []string) {
	query, byQuery := queryFilter(r, "query")
	adminList(s, w, r, func() []*role { return sortedBySeq(s.adm.roles) },
		func(ro *role) bool { return !byQuery || containsFold(ro.name, query) },
		(*role).read)
}

func (s *Server) adminGetRole(w http.ResponseWriter, r *http.Request, ids []string) {
	adminGet(s, w, func() (roleRead, bool) { return found(s.adm.roles[ids[0]], (*role).read) })
}

// permissionsLocked resolves permission UUIDs; ok is false if one is
// unknown.
func (s *Server) permissionsLocked(ids []string) ([]*permission, bool) {
	out := []*permission{}
	for _, id := range ids {
		p := s.adm.permissions[id]
		if p == nil {
			return nil, false
		}
		out = append(out, p)
	}
	return out, true
}

func (s *Server) adminCreateRole(w http.ResponseWriter, r *http.Request, _ []string) {
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	name := f.str("name", true)
	byDefault := f.boolean("granted_by_default", true)
	permIDs, _ := f.uuidList("permissions", true)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	perms, ok := s.permissionsLocked(permIDs)
	if !ok {
		writeDetail(w, http.StatusBadRequest, "ROLE_CREATE_NOT_EXISTING_PERMISSION")
		return
	}
	ro := &role{meta: s.adm.newMeta(s.nowLocked()), name: *name, grantedByDefault: *byDefault, permissions: perms}
	s.adm.roles[ro.id] = ro
	s.emitLocked(eventRoleCreated, ro.read())
	writeJSON(w, http.StatusCreated, ro.read())
}

func (s *Server) adminUpdateRole(w http.ResponseWriter, r *http.Request, ids []string) {
	if !s.exists(w, func() bool { return s.adm.roles[ids[0]] != nil }) {
		return
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	name := f.str("name", false)
	byDefault := f.boolean("granted_by_default", false)
	permIDs, hasPerms := f.uuidList("permissions", false)
	if f.failed(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ro := s.adm.roles[ids[0]]
	if ro == nil {
		writeNotFound(w)
		return
	}
	if hasPerms {
		perms, ok := s.permissionsLocked(permIDs)
		if !ok {
			writeDetail(w, http.StatusBadRequest, "ROLE_UPDATE_NOT_EXISTING_PERMISSION")
			return
		}
		ro.permissions = perms
		s.syncRolePermissionsLocked(ro)
	}
	setIf(&ro.name, name)
	setIf(&ro.grantedByDefault, byDefault)
	ro.updated = s.nowLocked()
	s.emitLocked(eventRoleUpdated, ro.read())
	writeJSON(w, http.StatusOK, ro.read())
}

func (s *Server) adminDeleteRole(w http.ResponseWriter, r *http.Request, ids []string) {
	adminDelete(s, w, func() *role { return s.adm.roles[ids[0]] }, s.deleteRoleLocked)
}

// exists runs found under the lock and answers 404 if it reports false:
// Fief looks the object up before it reads the body.
func (s *Server) exists(w http.ResponseWriter, found func() bool) bool {
	s.mu.Lock()
	ok := found()
	s.mu.Unlock()
	if !ok {
		writeNotFound(w)
	}
	return ok
}

// setIf sets *dst to *v when v is not nil.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
