package fiefadmin

import (
	"context"
	"iter"
	"time"
)

// EmailTemplatesService reads and changes the templates of the emails Fief
// sends (/admin/api/email-templates). The set of templates is fixed: there
// is no create nor delete.
type EmailTemplatesService struct{ c *Client }

// EmailTemplateType names an email template.
type EmailTemplateType string

// The email templates.
const (
	EmailTemplateBase           EmailTemplateType = "BASE"
	EmailTemplateWelcome        EmailTemplateType = "WELCOME"
	EmailTemplateVerifyEmail    EmailTemplateType = "VERIFY_EMAIL"
	EmailTemplateForgotPassword EmailTemplateType = "FORGOT_PASSWORD"
)

// EmailTemplate is the subject and body (Jinja templates) of an email.
type EmailTemplate struct {
	ID        UUID              `json:"id"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	Type      EmailTemplateType `json:"type"`
	Subject   string            `json:"subject"`
	Content   string            `json:"content"`
}

// EmailTemplateUpdate changes a template; nil fields are left as they are.
type EmailTemplateUpdate struct {
	Subject *string `json:"subject,omitempty"`
	Content *string `json:"content,omitempty"`
}

// List walks every email template.
func (s *EmailTemplatesService) List(ctx context.Context, opts *ListOptions) iter.Seq2[EmailTemplate, error] {
	return all[EmailTemplate](ctx, s.c, newList("email_templates.list", "/email-templates/", opts, nil))
}

// ListPage returns one page of the email templates.
func (s *EmailTemplatesService) ListPage(ctx context.Context, opts *ListOptions) (*Page[EmailTemplate], error) {
	return page[EmailTemplate](ctx, s.c, newList("email_templates.list", "/email-templates/", opts, nil))
}

// Get returns an email template.
func (s *EmailTemplatesService) Get(ctx context.Context, id UUID) (*EmailTemplate, error) {
	return get[EmailTemplate](ctx, s.c, "email_templates.get", "/email-templates/%s", id)
}

// Update changes an email template. A template Fief cannot render gives
// [CodeEmailTemplateInvalidTemplate].
func (s *EmailTemplatesService) Update(ctx context.Context, id UUID, t EmailTemplateUpdate) (*EmailTemplate, error) {
	return update[EmailTemplate](ctx, s.c, "email_templates.update", "/email-templates/%s", t, id)
}
