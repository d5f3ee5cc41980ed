package fieftest

import (
	"encoding/json"
	"slices"
	"time"
)

// The read models below are the JSON objects of the admin API (and of
// webhook payloads), field for field in Fief's order. They are snapshots:
// they share nothing mutable with the store.

// pyTime is a time written as Python's datetime.isoformat() writes an
// aware UTC datetime: microseconds (omitted when zero) and "+00:00".
type pyTime time.Time

func (t pyTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(formatPyTime(time.Time(t)))
}

func formatPyTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05") + "+00:00"
	}
	return t.Format("2006-01-02T15:04:05.000000") + "+00:00"
}

type timestamps struct {
	CreatedAt pyTime `json:"created_at"`
	UpdatedAt pyTime `json:"updated_at"`
}

func stamps(created, updated time.Time) timestamps {
	return timestamps{pyTime(created), pyTime(updated)}
}

type tenantEmbeddedRead struct {
	timestamps
	ID                  string  `json:"id"`
	Name                string  `json:"name"`
	Default             bool    `json:"default"`
	Slug                string  `json:"slug"`
	RegistrationAllowed bool    `json:"registration_allowed"`
	ThemeID             *string `json:"theme_id"`
	LogoURL             *string `json:"logo_url"`
	ApplicationURL      *string `json:"application_url"`
}

type tenantRead struct {
	tenantEmbeddedRead
	OAuthProviders []oauthProviderRead `json:"oauth_providers"`
}

type userRead struct {
	timestamps
	ID            string             `json:"id"`
	Email         string             `json:"email"`
	EmailVerified bool               `json:"email_verified"`
	IsActive      bool               `json:"is_active"`
	TenantID      string             `json:"tenant_id"`
	Tenant        tenantEmbeddedRead `json:"tenant"`
	Fields        map[string]any     `json:"fields"`
}

type permissionRead struct {
	timestamps
	ID       string `json:"id"`
	Name     string `json:"name"`
	Codename string `json:"codename"`
}

type roleEmbeddedRead struct {
	timestamps
	ID               string `json:"id"`
	Name             string `json:"name"`
	GrantedByDefault bool   `json:"granted_by_default"`
}

type roleRead struct {
	roleEmbeddedRead
	Permissions []permissionRead `json:"permissions"`
}

type userPermissionRead struct {
	timestamps
	UserID       string            `json:"user_id"`
	PermissionID string            `json:"permission_id"`
	FromRoleID   *string           `json:"from_role_id"`
	Permission   permissionRead    `json:"permission"`
	FromRole     *roleEmbeddedRead `json:"from_role"`
}

type userRoleRead struct {
	timestamps
	UserID string           `json:"user_id"`
	RoleID string           `json:"role_id"`
	Role   roleEmbeddedRead `json:"role"`
}

type clientRead struct {
	timestamps
	ID                               string             `json:"id"`
	Name                             string             `json:"name"`
	FirstParty                       bool               `json:"first_party"`
	ClientType                       string             `json:"client_type"`
	ClientID                         string             `json:"client_id"`
	ClientSecret                     string             `json:"client_secret"`
	RedirectURIs                     []string           `json:"redirect_uris"`
	AuthorizationCodeLifetimeSeconds int64              `json:"authorization_code_lifetime_seconds"`
	AccessIDTokenLifetimeSeconds     int64              `json:"access_id_token_lifetime_seconds"`
	RefreshTokenLifetimeSeconds      int64              `json:"refresh_token_lifetime_seconds"`
	TenantID                         string             `json:"tenant_id"`
	Tenant                           tenantEmbeddedRead `json:"tenant"`
	EncryptJWK                       *string            `json:"encrypt_jwk"`
}

type webhookRead struct {
	timestamps
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

type webhookSecretRead struct {
	webhookRead
	Secret string `json:"secret"`
}

type webhookLogRead struct {
	timestamps
	ID           string  `json:"id"`
	WebhookID    string  `json:"webhook_id"`
	Event        string  `json:"event"`
	Attempt      int     `json:"attempt"`
	Payload      string  `json:"payload"`
	Success      bool    `json:"success"`
	Response     *string `json:"response"`
	ErrorType    *string `json:"error_type"`
	ErrorMessage *string `json:"error_message"`
}

type emailTemplateRead struct {
	timestamps
	ID      string `json:"id"`
	Type    string `json:"type"`
	Subject string `json:"subject"`
	Content string `json:"content"`
}

type oauthProviderRead struct {
	timestamps
	ID                          string   `json:"id"`
	Provider                    string   `json:"provider"`
	ClientID                    string   `json:"client_id"`
	ClientSecret                string   `json:"client_secret"`
	Scopes                      []string `json:"scopes"`
	Name                        *string  `json:"name"`
	OpenIDConfigurationEndpoint *string  `json:"openid_configuration_endpoint"`
}

type userFieldRead struct {
	timestamps
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Slug          string         `json:"slug"`
	Type          string         `json:"type"`
	Configuration map[string]any `json:"configuration"`
}

func clonePtr(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func (t *Tenant) embeddedReadLocked() tenantEmbeddedRead {
	return tenantEmbeddedRead{
		timestamps:          stamps(t.created, t.updated),
		ID:                  t.id,
		Name:                t.name,
		Default:             t.slug == "",
		Slug:                t.adminSlug,
		RegistrationAllowed: t.registrationAllowed,
		LogoURL:             clonePtr(t.logoURL),
		ApplicationURL:      clonePtr(t.applicationURL),
	}
}

func (t *Tenant) readLocked() tenantRead {
	r := tenantRead{tenantEmbeddedRead: t.embeddedReadLocked(), OAuthProviders: []oauthProviderRead{}}
	for _, p := range t.oauthProviders {
		r.OAuthProviders = append(r.OAuthProviders, p.read())
	}
	return r
}

func (u *User) readLocked() userRead {
	return userRead{
		timestamps:    stamps(u.created, u.updated),
		ID:            u.ID,
		Email:         u.email,
		EmailVerified: u.verified,
		IsActive:      u.active,
		TenantID:      u.tenant.id,
		Tenant:        u.tenant.embeddedReadLocked(),
		Fields:        copyFields(u.fields),
	}
}

func (p *permission) read() permissionRead {
	return permissionRead{timestamps: stamps(p.created, p.updated), ID: p.id, Name: p.name, Codename: p.codename}
}

func (r *role) embeddedRead() roleEmbeddedRead {
	return roleEmbeddedRead{timestamps: stamps(r.created, r.updated), ID: r.id, Name: r.name, GrantedByDefault: r.grantedByDefault}
}

func (r *role) read() roleRead {
	out := roleRead{roleEmbeddedRead: r.embeddedRead(), Permissions: []permissionRead{}}
	for _, p := range r.permissions {
		out.Permissions = append(out.Permissions, p.read())
	}
	return out
}

func (up *userPerm) read(u *User) userPermissionRead {
	r := userPermissionRead{
		timestamps:   stamps(up.created, up.updated),
		UserID:       u.ID,
		PermissionID: up.perm.id,
		Permission:   up.perm.read(),
	}
	if up.fromRole != nil {
		id, e := up.fromRole.id, up.fromRole.embeddedRead()
		r.FromRoleID, r.FromRole = &id, &e
	}
	return r
}

func (ur *userRole) read(u *User) userRoleRead {
	return userRoleRead{timestamps: stamps(ur.created, ur.updated), UserID: u.ID, RoleID: ur.role.id, Role: ur.role.embeddedRead()}
}

func (c *Client) readLocked() clientRead {
	typ := "confidential"
	if c.public {
		typ = "public"
	}
	return clientRead{
		timestamps:                       stamps(c.created, c.updated),
		ID:                               c.ID,
		Name:                             c.name,
		FirstParty:                       !c.thirdParty,
		ClientType:                       typ,
		ClientID:                         c.ClientID,
		ClientSecret:                     c.ClientSecret,
		RedirectURIs:                     append([]string{}, c.redirectURIs...),
		AuthorizationCodeLifetimeSeconds: int64(c.codeLifetime / time.Second),
		AccessIDTokenLifetimeSeconds:     int64(c.tokenLifetime / time.Second),
		RefreshTokenLifetimeSeconds:      int64(c.refreshLifetime / time.Second),
		TenantID:                         c.tenant.id,
		Tenant:                           c.tenant.embeddedReadLocked(),
		EncryptJWK:                       clonePtr(c.encryptJWK),
	}
}

func (h *webhook) read() webhookRead {
	return webhookRead{timestamps: stamps(h.created, h.updated), ID: h.id, URL: h.url, Events: slices.Clone(h.events)}
}

func (h *webhook) secretRead() webhookSecretRead {
	return webhookSecretRead{webhookRead: h.read(), Secret: h.secret}
}

func (l *webhookLog) read() webhookLogRead {
	return webhookLogRead{
		timestamps: stamps(l.created, l.updated), ID: l.id, WebhookID: l.webhookID, Event: l.event,
		Attempt: l.attempt, Payload: l.payload, Success: l.success,
		Response: clonePtr(l.response), ErrorType: clonePtr(l.errorType), ErrorMessage: clonePtr(l.errorMessage),
	}
}

func (e *emailTemplate) read() emailTemplateRead {
	return emailTemplateRead{timestamps: stamps(e.created, e.updated), ID: e.id, Type: e.typ, Subject: e.subject, Content: e.content}
}

func (p *oauthProvider) read() oauthProviderRead {
	return oauthProviderRead{
		timestamps: stamps(p.created, p.updated), ID: p.id, Provider: p.provider,
		ClientID: p.clientID, ClientSecret: p.clientSecret, Scopes: append([]string{}, p.scopes...),
		Name: clonePtr(p.name), OpenIDConfigurationEndpoint: clonePtr(p.openidConfigurationEndpoint),
	}
}

func (f *userField) read() userFieldRead {
	return userFieldRead{timestamps: stamps(f.created, f.updated), ID: f.id, Name: f.name, Slug: f.slug, Type: f.typ, Configuration: copyFields(f.configuration)}
}
