package fieftest

import "net/http"

// userOr404Locked finds a user of any tenant, answering 404 if
// there is none.
func (s *Server) userOr404Locked(w http.ResponseWriter, id string) *User {
	u := s.userByIDLocked(id)
	if u == nil {
		writeNotFound(w)
	}
	return u
}

func (s *Server) adminListUserPermissions(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	u := s.userOr404Locked(w, ids[0])
	if u == nil {
		s.mu.Unlock()
		return
	}
	items := make([]userPermissionRead, 0, len(u.perms))
	for _, up := range u.perms {
		items = append(items, up.read(u))
	}
	s.mu.Unlock()
	if q, ok := parseListQuery(w, r, ""); ok {
		writePage(w, q, items)
	}
}

func (s *Server) adminListUserRoles(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	u := s.userOr404Locked(w, ids[0])
	if u == nil {
		s.mu.Unlock()
		return
	}
	items := make([]userRoleRead, 0, len(u.roles))
	for _, ur := range u.roles {
		items = append(items, ur.read(u))
	}
	s.mu.Unlock()
	if q, ok := parseListQuery(w, r, ""); ok {
		writePage(w, q, items)
	}
}

// readIDBody reads the body {"id": UUID} of the grant endpoints, after
// checking that the user exists.
func (s *Server) readIDBody(w http.ResponseWriter, r *http.Request, userID string) (string, bool) {
	s.mu.Lock()
	u := s.userOr404Locked(w, userID)
	s.mu.Unlock()
	if u == nil {
		return "", false
	}
	f, ok := readAdminBody(w, r)
	if !ok {
		return "", false
	}
	id := f.uuid("id", true)
	if f.failed(w) {
		return "", false
	}
	return *id, true
}

// writeCreatedNull answers 201 with the body null, as Fief's grant
// endpoints do.
func writeCreatedNull(w http.ResponseWriter) {
	writeJSON(w, http.StatusCreated, nil)
}

func (s *Server) adminAddUserPermission(w http.ResponseWriter, r *http.Request, ids []string) {
	permID, ok := s.readIDBody(w, r, ids[0])
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userOr404Locked(w, ids[0])
	if u == nil {
		return
	}
	p := s.adm.permissions[permID]
	switch {
	case p == nil:
		writeDetail(w, http.StatusBadRequest, "USER_PERMISSION_CREATE_NOT_EXISTING_PERMISSION")
	case u.directPermission(permID) != nil:
		writeDetail(w, http.StatusBadRequest, "USER_PERMISSION_CREATE_ALREADY_ADDED_PERMISSION")
	default:
		s.addDirectPermissionLocked(u, p)
		writeCreatedNull(w)
	}
}

func (s *Server) adminRemoveUserPermission(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userOr404Locked(w, ids[0])
	if u == nil {
		return
	}
	up := u.directPermission(ids[1])
	if up == nil {
		writeNotFound(w)
		return
	}
	s.removeDirectPermissionLocked(u, up)
	writeNoContent(w)
}

func (s *Server) adminAddUserRole(w http.ResponseWriter, r *http.Request, ids []string) {
	roleID, ok := s.readIDBody(w, r, ids[0])
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userOr404Locked(w, ids[0])
	if u == nil {
		return
	}
	ro := s.adm.roles[roleID]
	switch {
	case ro == nil:
		writeDetail(w, http.StatusBadRequest, "USER_ROLE_CREATE_NOT_EXISTING_ROLE")
	case u.roleGrant(roleID) != nil:
		writeDetail(w, http.StatusBadRequest, "USER_ROLE_CREATE_ALREADY_ADDED_ROLE")
	default:
		s.grantRoleLocked(u, ro)
		writeCreatedNull(w)
	}
}

func (s *Server) adminRemoveUserRole(w http.ResponseWriter, r *http.Request, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userOr404Locked(w, ids[0])
	if u == nil {
		return
	}
	ur := u.roleGrant(ids[1])
	if ur == nil {
		writeNotFound(w)
		return
	}
	s.revokeRoleLocked(u, ur)
	writeNoContent(w)
}
