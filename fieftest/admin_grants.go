package fieftest

import "slices"

// The grants of permissions and roles to users. Fief grants the
// permissions of a role to its holders in a background task; here they
// are granted at once. As in Fief, only the direct grants and the role
// grants are announced, not the permissions that come with a role.

// createPermissionLocked stores and announces a new permission.
func (s *Server) createPermissionLocked(name, codename string) *permission {
	p := &permission{meta: s.adm.newMeta(s.nowLocked()), name: name, codename: codename}
	s.adm.permissions[p.id] = p
	s.emitLocked(eventPermissionCreated, p.read())
	return p
}

// setDirectPermissionsLocked makes the direct permissions of u exactly
// those of these codenames, creating the permissions that do not exist.
func (s *Server) setDirectPermissionsLocked(u *User, codenames []string) {
	want := make([]*permission, 0, len(codenames))
	for _, c := range codenames {
		p := s.adm.permissionByCodename(c)
		if p == nil {
			p = s.createPermissionLocked(c, c)
		}
		if !slices.Contains(want, p) {
			want = append(want, p)
		}
	}
	for _, up := range slices.Clone(u.perms) {
		if up.fromRole == nil && !slices.Contains(want, up.perm) {
			s.removeDirectPermissionLocked(u, up)
		}
	}
	for _, p := range want {
		if u.directPermission(p.id) == nil {
			s.addDirectPermissionLocked(u, p)
		}
	}
}

// directPermission returns the direct grant of this permission to u.
func (u *User) directPermission(permID string) *userPerm {
	for _, up := range u.perms {
		if up.fromRole == nil && up.perm.id == permID {
			return up
		}
	}
	return nil
}

// roleGrant returns the grant of this role to u.
func (u *User) roleGrant(roleID string) *userRole {
	for _, ur := range u.roles {
		if ur.role.id == roleID {
			return ur
		}
	}
	return nil
}

func (s *Server) addDirectPermissionLocked(u *User, p *permission) {
	up := &userPerm{meta: s.adm.newMeta(s.nowLocked()), perm: p}
	u.perms = append(u.perms, up)
	s.emitLocked(eventUserPermissionCreated, up.read(u))
}

func (s *Server) removeDirectPermissionLocked(u *User, up *userPerm) {
	u.perms = slices.DeleteFunc(u.perms, func(x *userPerm) bool { return x == up })
	s.emitLocked(eventUserPermissionDeleted, up.read(u))
}

// grantRoleLocked grants role r to u, with its permissions, and announces
// it (user_role.created).
func (s *Server) grantRoleLocked(u *User, r *role) { s.grantRoleAnnouncedLocked(u, r, true) }

func (s *Server) grantRoleAnnouncedLocked(u *User, r *role, announce bool) {
	ur := &userRole{meta: s.adm.newMeta(s.nowLocked()), role: r}
	u.roles = append(u.roles, ur)
	if announce {
		s.emitLocked(eventUserRoleCreated, ur.read(u))
	}
	for _, p := range r.permissions {
		u.perms = append(u.perms, &userPerm{meta: s.adm.newMeta(s.nowLocked()), perm: p, fromRole: r})
	}
}

// revokeRoleLocked removes the grant ur from u, with the permissions that
// came with it.
func (s *Server) revokeRoleLocked(u *User, ur *userRole) {
	u.roles = slices.DeleteFunc(u.roles, func(x *userRole) bool { return x == ur })
	u.perms = slices.DeleteFunc(u.perms, func(x *userPerm) bool { return x.fromRole == ur.role })
	s.emitLocked(eventUserRoleDeleted, ur.read(u))
}

// syncRolePermissionsLocked gives the holders of r exactly the permissions
// of r, after the role's permissions changed.
func (s *Server) syncRolePermissionsLocked(r *role) {
	for _, u := range s.allUsersLocked() {
		if u.roleGrant(r.id) == nil {
			continue
		}
		u.perms = slices.DeleteFunc(u.perms, func(x *userPerm) bool {
			return x.fromRole == r && !slices.Contains(r.permissions, x.perm)
		})
		for _, p := range r.permissions {
			if !slices.ContainsFunc(u.perms, func(x *userPerm) bool { return x.fromRole == r && x.perm == p }) {
				u.perms = append(u.perms, &userPerm{meta: s.adm.newMeta(s.nowLocked()), perm: p, fromRole: r})
			}
		}
	}
}

// deletePermissionLocked deletes p, its grants and its place in roles.
func (s *Server) deletePermissionLocked(p *permission) {
	before := p.read()
	delete(s.adm.permissions, p.id)
	for _, r := range s.adm.roles {
		r.permissions = slices.DeleteFunc(r.permissions, func(x *permission) bool { return x == p })
	}
	for _, u := range s.allUsersLocked() {
		u.perms = slices.DeleteFunc(u.perms, func(x *userPerm) bool { return x.perm == p })
	}
	s.emitLocked(eventPermissionDeleted, before)
}

// deleteRoleLocked deletes r and its grants, with their permissions.
func (s *Server) deleteRoleLocked(r *role) {
	before := r.read()
	delete(s.adm.roles, r.id)
	for _, u := range s.allUsersLocked() {
		u.roles = slices.DeleteFunc(u.roles, func(x *userRole) bool { return x.role == r })
		u.perms = slices.DeleteFunc(u.perms, func(x *userPerm) bool { return x.fromRole == r })
	}
	s.emitLocked(eventRoleDeleted, before)
}

// allUsersLocked returns the users of every tenant, in creation order.
func (s *Server) allUsersLocked() []*User {
	var us []*User
	for _, t := range s.tenantList {
		for _, u := range t.users {
			us = append(us, u)
		}
	}
	slices.SortFunc(us, func(a, b *User) int { return int(a.seq - b.seq) })
	return us
}
