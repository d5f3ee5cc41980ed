package fieftest

import (
	"errors"
	"fmt"
)

// RoleConfig describes a role for [Server.AddRole].
type RoleConfig struct {
	// Name is the role's name, unique on the server.
	Name string
	// GrantedByDefault grants the role to every user created afterwards
	// (through [Tenant.AddUser], the registration form or the admin API).
	GrantedByDefault bool
	// Permissions are the codenames of the role's permissions; those that
	// do not exist yet are created, with the codename as name.
	Permissions []string
}

// AddPermission adds a permission (permissions are shared by every
// tenant, as in Fief). It fails if a permission with this codename exists
// or the codename is empty.
func (s *Server) AddPermission(codename, name string) error {
	if codename == "" {
		return errors.New("fieftest: a permission without a codename")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.adm.permissionByCodename(codename) != nil {
		return fmt.Errorf("fieftest: duplicate permission %q", codename)
	}
	s.createPermissionLocked(name, codename)
	return nil
}

// AddRole adds a role and returns its ID. It fails if a role with this
// name exists or the name is empty.
func (s *Server) AddRole(cfg RoleConfig) (id string, err error) {
	if cfg.Name == "" {
		return "", errors.New("fieftest: a role without a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roleByNameLocked(cfg.Name) != nil {
		return "", fmt.Errorf("fieftest: duplicate role %q", cfg.Name)
	}
	r := &role{meta: s.adm.newMeta(s.nowLocked()), name: cfg.Name, grantedByDefault: cfg.GrantedByDefault, permissions: []*permission{}}
	for _, c := range cfg.Permissions {
		p := s.adm.permissionByCodename(c)
		if p == nil {
			p = s.createPermissionLocked(c, c)
		}
		r.permissions = append(r.permissions, p)
	}
	s.adm.roles[r.id] = r
	s.emitLocked(eventRoleCreated, r.read())
	return r.id, nil
}

func (s *Server) roleByNameLocked(name string) *role {
	for _, r := range s.adm.roles {
		if r.name == name {
			return r
		}
	}
	return nil
}

// GrantRole grants the role with this name to the user, with its
// permissions. It fails if there is no such role; granting a role the
// user holds does nothing.
func (u *User) GrantRole(name string) error {
	s := u.tenant.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roleByNameLocked(name)
	if r == nil {
		return fmt.Errorf("fieftest: no role %q", name)
	}
	if u.roleGrant(r.id) == nil {
		s.grantRoleLocked(u, r)
	}
	return nil
}

// RemoveRole takes the role with this name from the user, with the
// permissions that came with it (user_role.deleted). It reports whether the
// user held it.
func (u *User) RemoveRole(name string) bool {
	s := u.tenant.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roleByNameLocked(name)
	if r == nil {
		return false
	}
	ur := u.roleGrant(r.id)
	if ur == nil {
		return false
	}
	s.revokeRoleLocked(u, ur)
	return true
}
