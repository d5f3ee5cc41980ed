package fiefadmin

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// WebhooksService manages the webhooks Fief calls on events
// (/admin/api/webhooks).
type WebhooksService struct{ c *Client }

// WebhookEvent is the type of an event a webhook can listen to, and the
// Type of the events fiefwebhook receives.
type WebhookEvent string

// The events of Fief.
const (
	EventClientCreated               WebhookEvent = "client.created"
	EventClientUpdated               WebhookEvent = "client.updated"
	EventClientDeleted               WebhookEvent = "client.deleted"
	EventEmailTemplateUpdated        WebhookEvent = "email_template.updated"
	EventOAuthProviderCreated        WebhookEvent = "oauth_provider.created"
	EventOAuthProviderUpdated        WebhookEvent = "oauth_provider.updated"
	EventOAuthProviderDeleted        WebhookEvent = "oauth_provider.deleted"
	EventPermissionCreated           WebhookEvent = "permission.created"
	EventPermissionUpdated           WebhookEvent = "permission.updated"
	EventPermissionDeleted           WebhookEvent = "permission.deleted"
	EventRoleCreated                 WebhookEvent = "role.created"
	EventRoleUpdated                 WebhookEvent = "role.updated"
	EventRoleDeleted                 WebhookEvent = "role.deleted"
	EventTenantCreated               WebhookEvent = "tenant.created"
	EventTenantUpdated               WebhookEvent = "tenant.updated"
	EventTenantDeleted               WebhookEvent = "tenant.deleted"
	EventUserCreated                 WebhookEvent = "user.created"
	EventUserUpdated                 WebhookEvent = "user.updated"
	EventUserDeleted                 WebhookEvent = "user.deleted"
	EventUserForgotPasswordRequested WebhookEvent = "user.forgot_password_requested"
	EventUserPasswordReset           WebhookEvent = "user.password_reset"
	EventUserFieldCreated            WebhookEvent = "user_field.created"
	EventUserFieldUpdated            WebhookEvent = "user_field.updated"
	EventUserFieldDeleted            WebhookEvent = "user_field.deleted"
	EventUserPermissionCreated       WebhookEvent = "user_permission.created"
	EventUserPermissionDeleted       WebhookEvent = "user_permission.deleted"
	EventUserRoleCreated             WebhookEvent = "user_role.created"
	EventUserRoleDeleted             WebhookEvent = "user_role.deleted"
)

// Webhook is a URL Fief posts events to.
type Webhook struct {
	ID        UUID           `json:"id"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	URL       string         `json:"url"`
	Events    []WebhookEvent `json:"events"`
}

// WebhookWithSecret is a webhook with the secret its deliveries are
// signed with. Fief shows the secret only when the webhook is created and
// when the secret is regenerated.
type WebhookWithSecret struct {
	Webhook
	Secret string `json:"secret"`
}

// String describes w without its secret.
func (w WebhookWithSecret) String() string {
	return fmt.Sprintf("%+v (secret %s)", w.Webhook, redactSet(w.Secret))
}

// WebhookCreate is a new webhook.
type WebhookCreate struct {
	URL    string         `json:"url"`
	Events []WebhookEvent `json:"events"`
}

// WebhookUpdate changes a webhook; nil fields are left as they are.
type WebhookUpdate struct {
	URL    *string        `json:"url,omitempty"`
	Events []WebhookEvent `json:"events,omitzero"`
}

// WebhookLog is one delivery attempt of an event to a webhook.
type WebhookLog struct {
	ID        UUID         `json:"id"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	WebhookID UUID         `json:"webhook_id"`
	Event     WebhookEvent `json:"event"`
	// Attempt counts the attempts of the delivery, from 1.
	Attempt int `json:"attempt"`
	// Payload is the JSON body that was posted.
	Payload string `json:"payload"`
	Success bool   `json:"success"`
	// Response is the receiver's answer body, if any.
	Response *string `json:"response"`
	// ErrorType and ErrorMessage say why a failed attempt failed.
	ErrorType    *string `json:"error_type"`
	ErrorMessage *string `json:"error_message"`
}

// List walks every webhook.
func (s *WebhooksService) List(ctx context.Context, opts *ListOptions) iter.Seq2[Webhook, error] {
	return all[Webhook](ctx, s.c, newList("webhooks.list", "/webhooks/", opts, nil))
}

// ListPage returns one page of the webhooks.
func (s *WebhooksService) ListPage(ctx context.Context, opts *ListOptions) (*Page[Webhook], error) {
	return page[Webhook](ctx, s.c, newList("webhooks.list", "/webhooks/", opts, nil))
}

// Get returns a webhook (without its secret).
func (s *WebhooksService) Get(ctx context.Context, id UUID) (*Webhook, error) {
	return get[Webhook](ctx, s.c, "webhooks.get", "/webhooks/%s", id)
}

// Create creates a webhook; the answer holds its secret, shown only now.
func (s *WebhooksService) Create(ctx context.Context, w WebhookCreate) (*WebhookWithSecret, error) {
	if w.Events == nil {
		w.Events = []WebhookEvent{}
	}
	return create[WebhookWithSecret](ctx, s.c, "webhooks.create", "/webhooks/", w)
}

// Update changes a webhook.
func (s *WebhooksService) Update(ctx context.Context, id UUID, w WebhookUpdate) (*Webhook, error) {
	return update[Webhook](ctx, s.c, "webhooks.update", "/webhooks/%s", w, id)
}

// Delete deletes a webhook.
func (s *WebhooksService) Delete(ctx context.Context, id UUID) error {
	return remove(ctx, s.c, "webhooks.delete", "/webhooks/%s", id)
}

// RegenerateSecret gives a webhook a new secret, and returns it. The old
// secret stops being used at once.
func (s *WebhooksService) RegenerateSecret(ctx context.Context, id UUID) (*WebhookWithSecret, error) {
	return fetch[WebhookWithSecret](ctx, s.c, call{op: "webhooks.secret", method: "POST", path: "/webhooks/%s/secret", ids: []UUID{id}})
}

// Logs walks the delivery attempts of a webhook, oldest first (by
// creation time, [DefaultOrdering]) unless opts.Ordering says otherwise.
// Oldest first, attempts logged while the loop runs come after those it
// has read: none is read twice, and the walk ends with the newest. (Before
// this order, the walk went newest first, and every attempt logged during
// it pushed an entry already read onto the next page.) Use LogsPage with
// the ordering "-created_at" for the latest attempts alone.
func (s *WebhooksService) Logs(ctx context.Context, id UUID, opts *ListOptions) iter.Seq2[WebhookLog, error] {
	return all[WebhookLog](ctx, s.c, newList("webhooks.logs", "/webhooks/%s/logs", opts, nil, id))
}

// LogsPage returns one page of the delivery attempts of a webhook (newest
// first by Fief's default).
func (s *WebhooksService) LogsPage(ctx context.Context, id UUID, opts *ListOptions) (*Page[WebhookLog], error) {
	return page[WebhookLog](ctx, s.c, newList("webhooks.logs", "/webhooks/%s/logs", opts, nil, id))
}
