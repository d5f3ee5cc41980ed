package fiefadmin

import (
	"context"
	"iter"
	"time"
)

// PermissionsService manages permissions (/admin/api/permissions).
type PermissionsService struct{ c *Client }

// Permission is a permission that users get directly or through roles;
// its Codename is what access tokens carry.
type Permission struct {
	ID        UUID      `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Name      string    `json:"name"`
	Codename  string    `json:"codename"`
}

// PermissionCreate is a new permission.
type PermissionCreate struct {
	Name     string `json:"name"`
	Codename string `json:"codename"`
}

// PermissionUpdate changes a permission; nil fields are left as they are.
type PermissionUpdate struct {
	Name     *string `json:"name,omitempty"`
	Codename *string `json:"codename,omitempty"`
}

// List walks every permission matching opts (nil for all).
func (s *PermissionsService) List(ctx context.Context, opts *SearchOptions) iter.Seq2[Permission, error] {
	return all[Permission](ctx, s.c, opts.list("permissions.list", "/permissions/"))
}

// ListPage returns one page of the permissions matching opts.
func (s *PermissionsService) ListPage(ctx context.Context, opts *SearchOptions) (*Page[Permission], error) {
	return page[Permission](ctx, s.c, opts.list("permissions.list", "/permissions/"))
}

// Get returns a permission.
func (s *PermissionsService) Get(ctx context.Context, id UUID) (*Permission, error) {
	return get[Permission](ctx, s.c, "permissions.get", "/permissions/%s", id)
}

// Create creates a permission. A taken codename gives
// [CodePermissionCreateCodenameAlreadyExists].
func (s *PermissionsService) Create(ctx context.Context, p PermissionCreate) (*Permission, error) {
	return create[Permission](ctx, s.c, "permissions.create", "/permissions/", p)
}

// Update changes a permission.
func (s *PermissionsService) Update(ctx context.Context, id UUID, p PermissionUpdate) (*Permission, error) {
	return update[Permission](ctx, s.c, "permissions.update", "/permissions/%s", p, id)
}

// Delete deletes a permission.
func (s *PermissionsService) Delete(ctx context.Context, id UUID) error {
	return remove(ctx, s.c, "permissions.delete", "/permissions/%s", id)
}
