package fiefadmin

import (
	"context"
	"iter"
	"time"
)

// RolesService manages roles (/admin/api/roles).
type RolesService struct{ c *Client }

// Role is a named set of permissions.
type Role struct {
	ID        UUID      `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Name      string    `json:"name"`
	// GrantedByDefault roles are given to every new user.
	GrantedByDefault bool         `json:"granted_by_default"`
	Permissions      []Permission `json:"permissions"`
}

// RoleSummary is a role without its permissions, as Fief shows it inside
// other objects.
type RoleSummary struct {
	ID               UUID      `json:"id"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Name             string    `json:"name"`
	GrantedByDefault bool      `json:"granted_by_default"`
}

// RoleCreate is a new role.
type RoleCreate struct {
	Name             string `json:"name"`
	GrantedByDefault bool   `json:"granted_by_default"`
	// Permissions are the ids of the role's permissions.
	Permissions []UUID `json:"permissions"`
}

// RoleUpdate changes a role; nil fields are left as they are. A non-nil
// empty Permissions removes every permission from the role.
type RoleUpdate struct {
	Name             *string `json:"name,omitempty"`
	GrantedByDefault *bool   `json:"granted_by_default,omitempty"`
	Permissions      []UUID  `json:"permissions,omitzero"`
}

// List walks every role matching opts (nil for all).
func (s *RolesService) List(ctx context.Context, opts *SearchOptions) iter.Seq2[Role, error] {
	return all[Role](ctx, s.c, opts.list("roles.list", "/roles/"))
}

// ListPage returns one page of the roles matching opts.
func (s *RolesService) ListPage(ctx context.Context, opts *SearchOptions) (*Page[Role], error) {
	return page[Role](ctx, s.c, opts.list("roles.list", "/roles/"))
}

// Get returns a role.
func (s *RolesService) Get(ctx context.Context, id UUID) (*Role, error) {
	return get[Role](ctx, s.c, "roles.get", "/roles/%s", id)
}

// Create creates a role. An unknown permission gives
// [CodeRoleCreateNotExistingPermission].
func (s *RolesService) Create(ctx context.Context, r RoleCreate) (*Role, error) {
	if r.Permissions == nil {
		r.Permissions = []UUID{}
	}
	return create[Role](ctx, s.c, "roles.create", "/roles/", r)
}

// Update changes a role.
func (s *RolesService) Update(ctx context.Context, id UUID, r RoleUpdate) (*Role, error) {
	return update[Role](ctx, s.c, "roles.update", "/roles/%s", r, id)
}

// Delete deletes a role.
func (s *RolesService) Delete(ctx context.Context, id UUID) error {
	return remove(ctx, s.c, "roles.delete", "/roles/%s", id)
}
