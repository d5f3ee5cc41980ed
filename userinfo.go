package fief

// UserInfo holds a user's claims, as Fief's userinfo endpoint and ID tokens
// give them: sub, email, email_verified, is_active, tenant_id, fields, and
// in ID tokens the registered claims (iss, aud, exp, ...). Numbers are
// float64, as encoding/json decodes them.
type UserInfo map[string]any

// ID returns the sub claim, the user's ID.
func (u UserInfo) ID() string { s, _ := u["sub"].(string); return s }

// Email returns the email claim.
func (u UserInfo) Email() string { s, _ := u["email"].(string); return s }

// EmailVerified returns the email_verified claim.
func (u UserInfo) EmailVerified() bool { b, _ := u["email_verified"].(bool); return b }

// IsActive returns the is_active claim.
func (u UserInfo) IsActive() bool { b, _ := u["is_active"].(bool); return b }

// TenantID returns the tenant_id claim.
func (u UserInfo) TenantID() string { s, _ := u["tenant_id"].(string); return s }

// Fields returns the user's field values, keyed by field slug (nil if none).
func (u UserInfo) Fields() map[string]any { f, _ := u["fields"].(map[string]any); return f }
