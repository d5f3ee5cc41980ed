package fiefwebhook

import (
	"encoding/json"
	"time"
)

// The objects of Fief's events, as its admin API reads them. Fields Fief
// adds later are ignored; [Event.Data] keeps the raw object. Secrets a
// payload carries (a client's secret and encryption key, an OAuth provider's
// credentials) are left out of these types.

// Tenant is a Fief tenant (tenant.* events, and embedded in users and
// clients).
type Tenant struct {
	ID                  string    `json:"id"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
	Name                string    `json:"name"`
	Default             bool      `json:"default"`
	Slug                string    `json:"slug"`
	RegistrationAllowed bool      `json:"registration_allowed"`
	ThemeID             *string   `json:"theme_id"`
	LogoURL             *string   `json:"logo_url"`
	ApplicationURL      *string   `json:"application_url"`
}

// User is a Fief user (user.* events). user.deleted carries the user as it
// was.
type User struct {
	ID            string         `json:"id"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	Email         string         `json:"email"`
	EmailVerified bool           `json:"email_verified"`
	IsActive      bool           `json:"is_active"`
	TenantID      string         `json:"tenant_id"`
	Tenant        Tenant         `json:"tenant"`
	Fields        map[string]any `json:"fields"`
}

// Permission is a Fief permission (permission.* events, and embedded in
// grants and roles).
type Permission struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Name      string    `json:"name"`
	Codename  string    `json:"codename"`
}

// Role is a Fief role (role.* events, and embedded in grants). Permissions
// is filled in role.* events only.
type Role struct {
	ID               string       `json:"id"`
	CreatedAt        time.Time    `json:"created_at"`
	UpdatedAt        time.Time    `json:"updated_at"`
	Name             string       `json:"name"`
	GrantedByDefault bool         `json:"granted_by_default"`
	Permissions      []Permission `json:"permissions,omitempty"`
}

// UserPermission is a permission granted to a user (user_permission.*
// events): directly when FromRoleID is nil, else through that role.
type UserPermission struct {
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	UserID       string     `json:"user_id"`
	PermissionID string     `json:"permission_id"`
	FromRoleID   *string    `json:"from_role_id"`
	Permission   Permission `json:"permission"`
	FromRole     *Role      `json:"from_role"`
}

// UserRole is a role granted to a user (user_role.* events). Fief sends no
// user_permission.* events for the permissions that come with the role.
type UserRole struct {
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	UserID    string    `json:"user_id"`
	RoleID    string    `json:"role_id"`
	Role      Role      `json:"role"`
}

// Client is a Fief client (client.* events), without its secret and
// encryption key.
type Client struct {
	ID                               string    `json:"id"`
	CreatedAt                        time.Time `json:"created_at"`
	UpdatedAt                        time.Time `json:"updated_at"`
	Name                             string    `json:"name"`
	FirstParty                       bool      `json:"first_party"`
	ClientType                       string    `json:"client_type"`
	ClientID                         string    `json:"client_id"`
	RedirectURIs                     []string  `json:"redirect_uris"`
	AuthorizationCodeLifetimeSeconds int       `json:"authorization_code_lifetime_seconds"`
	AccessIDTokenLifetimeSeconds     int       `json:"access_id_token_lifetime_seconds"`
	RefreshTokenLifetimeSeconds      int       `json:"refresh_token_lifetime_seconds"`
	TenantID                         string    `json:"tenant_id"`
	Tenant                           *Tenant   `json:"tenant"`
}

// UserField is a custom user field (user_field.* events).
type UserField struct {
	ID            string          `json:"id"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
	Name          string          `json:"name"`
	Slug          string          `json:"slug"`
	Type          string          `json:"type"`
	Configuration json.RawMessage `json:"configuration"`
}

// OAuthProvider is an OAuth provider (oauth_provider.* events), without its
// credentials.
type OAuthProvider struct {
	ID                          string    `json:"id"`
	CreatedAt                   time.Time `json:"created_at"`
	UpdatedAt                   time.Time `json:"updated_at"`
	Provider                    string    `json:"provider"`
	Scopes                      []string  `json:"scopes"`
	Name                        *string   `json:"name"`
	OpenIDConfigurationEndpoint *string   `json:"openid_configuration_endpoint"`
}

// EmailTemplate is an email template (email_template.updated).
type EmailTemplate struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Type      string    `json:"type"`
	Subject   string    `json:"subject"`
	Content   string    `json:"content"`
}
