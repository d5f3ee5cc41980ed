package fieftest

// Event types, as Fief names them in webhook deliveries and in the events
// list of a webhook.
const (
	eventUserCreated                 = "user.created"
	eventUserUpdated                 = "user.updated"
	eventUserDeleted                 = "user.deleted"
	eventUserPasswordReset           = "user.password_reset"
	eventUserForgotPasswordRequested = "user.forgot_password_requested"
	eventUserPermissionCreated       = "user_permission.created"
	eventUserPermissionDeleted       = "user_permission.deleted"
	eventUserRoleCreated             = "user_role.created"
	eventUserRoleDeleted             = "user_role.deleted"
	eventPermissionCreated           = "permission.created"
	eventPermissionUpdated           = "permission.updated"
	eventPermissionDeleted           = "permission.deleted"
	eventRoleCreated                 = "role.created"
	eventRoleUpdated                 = "role.updated"
	eventRoleDeleted                 = "role.deleted"
	eventClientCreated               = "client.created"
	eventClientUpdated               = "client.updated"
	eventClientDeleted               = "client.deleted"
	eventTenantCreated               = "tenant.created"
	eventTenantUpdated               = "tenant.updated"
	eventTenantDeleted               = "tenant.deleted"
	eventEmailTemplateUpdated        = "email_template.updated"
	eventOAuthProviderCreated        = "oauth_provider.created"
	eventOAuthProviderUpdated        = "oauth_provider.updated"
	eventOAuthProviderDeleted        = "oauth_provider.deleted"
	eventUserFieldCreated            = "user_field.created"
	eventUserFieldUpdated            = "user_field.updated"
	eventUserFieldDeleted            = "user_field.deleted"
)

// webhookEventTypes are the event types a webhook may subscribe to, in
// Fief's order (the order of its 422 message).
var webhookEventTypes = []string{
	"client.created", "client.updated", "client.deleted",
	"email_template.updated",
	"oauth_provider.created", "oauth_provider.updated", "oauth_provider.deleted",
	"permission.created", "permission.updated", "permission.deleted",
	"role.created", "role.updated", "role.deleted",
	"tenant.created", "tenant.updated", "tenant.deleted",
	"user.created", "user.updated", "user.deleted", "user.forgot_password_requested", "user.password_reset",
	"user_field.created", "user_field.updated", "user_field.deleted",
	"user_permission.created", "user_permission.deleted",
	"user_role.created", "user_role.deleted",
}

// emitLocked is the single point through which every change of the store
// is announced: users, a user's permissions and roles, permissions, roles,
// clients, tenants, email templates, OAuth providers and user fields,
// whether the change comes from the admin API, the auth app (registration,
// email verification, /api/profile, /api/password, /api/email/verify) or
// the Go methods of [Server], [Tenant], [Client] and [User].
//
// eventType is Fief's event name (user.created, user_permission.deleted,
// ...; see webhookEventTypes) and object is the payload's "data": the read
// model of the object as the admin API shows it after the change (before
// it, for a deletion). It is a snapshot that shares nothing with the store,
// so it may be kept and encoded later.
//
// The caller holds s.mu and has already applied the change: emitLocked
// must not block and must not take s.mu. It queues a delivery to every
// webhook that lists the type (see [Webhook]; the deliveries are made
// outside the lock), and passes the event to s.eventHook, which the
// package's tests set to observe events.
func (s *Server) emitLocked(eventType string, object any) {
	s.queueWebhooksLocked(eventType, object)
	if s.eventHook != nil {
		s.eventHook(eventType, object)
	}
}
