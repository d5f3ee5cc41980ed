package fiefadmin

import (
	"context"
	"iter"
	"time"
)

// TenantsService manages tenants (/admin/api/tenants).
type TenantsService struct{ c *Client }

// TenantSummary is a tenant without its OAuth providers, as Fief shows it
// inside other objects.
type TenantSummary struct {
	ID        UUID      `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Name      string    `json:"name"`
	// Default is true for the tenant served at the server's root.
	Default bool `json:"default"`
	// Slug is the tenant's path on the server (for non-default tenants).
	Slug                string  `json:"slug"`
	RegistrationAllowed bool    `json:"registration_allowed"`
	ThemeID             *UUID   `json:"theme_id"`
	LogoURL             *string `json:"logo_url"`
	ApplicationURL      *string `json:"application_url"`
}

// Tenant is a tenant: its own users, clients and sign-in pages.
type Tenant struct {
	TenantSummary
	OAuthProviders []OAuthProvider `json:"oauth_providers"`
}

// TenantCreate is a new tenant.
type TenantCreate struct {
	Name string `json:"name"`
	// RegistrationAllowed nil means Fief's default, true.
	RegistrationAllowed *bool  `json:"registration_allowed,omitempty"`
	ThemeID             *UUID  `json:"theme_id,omitempty"`
	LogoURL             string `json:"logo_url,omitempty"`
	ApplicationURL      string `json:"application_url,omitempty"`
	// OAuthProviders are the ids of the OAuth providers offered at sign-in.
	OAuthProviders []UUID `json:"oauth_providers,omitzero"`
}

// TenantUpdate changes a tenant; nil fields are left as they are.
type TenantUpdate struct {
	Name                *string `json:"name,omitempty"`
	RegistrationAllowed *bool   `json:"registration_allowed,omitempty"`
	ThemeID             *UUID   `json:"theme_id,omitempty"`
	LogoURL             *string `json:"logo_url,omitempty"`
	ApplicationURL      *string `json:"application_url,omitempty"`
	OAuthProviders      []UUID  `json:"oauth_providers,omitzero"`
}

// List walks every tenant matching opts (nil for all).
func (s *TenantsService) List(ctx context.Context, opts *SearchOptions) iter.Seq2[Tenant, error] {
	return all[Tenant](ctx, s.c, opts.list("tenants.list", "/tenants/"))
}

// ListPage returns one page of the tenants matching opts.
func (s *TenantsService) ListPage(ctx context.Context, opts *SearchOptions) (*Page[Tenant], error) {
	return page[Tenant](ctx, s.c, opts.list("tenants.list", "/tenants/"))
}

// Get returns a tenant.
func (s *TenantsService) Get(ctx context.Context, id UUID) (*Tenant, error) {
	return get[Tenant](ctx, s.c, "tenants.get", "/tenants/%s", id)
}

// Create creates a tenant.
func (s *TenantsService) Create(ctx context.Context, t TenantCreate) (*Tenant, error) {
	return create[Tenant](ctx, s.c, "tenants.create", "/tenants/", t)
}

// Update changes a tenant.
func (s *TenantsService) Update(ctx context.Context, id UUID, t TenantUpdate) (*Tenant, error) {
	return update[Tenant](ctx, s.c, "tenants.update", "/tenants/%s", t, id)
}

// Delete deletes a tenant.
func (s *TenantsService) Delete(ctx context.Context, id UUID) error {
	return remove(ctx, s.c, "tenants.delete", "/tenants/%s", id)
}
