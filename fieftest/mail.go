package fieftest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// MailType is the kind of an email, named as Fief names its email
// templates.
type MailType string

// The emails Fief sends, and so the server records.
const (
	// MailWelcome is sent to a user who registered (/register) or was
	// created through the admin API (POST /admin/api/users/).
	MailWelcome MailType = "WELCOME"
	// MailVerifyEmail carries an email-verification code: at sign-in or
	// sign-up to an unverified user (GET /verify-request), and to the new
	// address of an email change (PATCH /api/email/change).
	MailVerifyEmail MailType = "VERIFY_EMAIL"
	// MailForgotPassword carries the link of a password reset (POST
	// /forgot).
	MailForgotPassword MailType = "FORGOT_PASSWORD"
)

// Mail is an email the server "sent": it sends none, it records them (see
// [Server.Mail]). Its JSON form is the one of the mail route of the admin
// API (see [Server.Mail]).
type Mail struct {
	// ID is the mail's UUID.
	ID string `json:"id"`
	// SentAt is the server's time ([Server.Now]) when it was sent, in UTC.
	SentAt time.Time `json:"sent_at"`
	// Type says which of Fief's emails it is.
	Type MailType `json:"type"`
	// TenantID and UserID are the tenant and user the email is about.
	TenantID string `json:"tenant_id"`
	UserID   string `json:"user_id"`
	// To is the recipient: the new address for an email change.
	To string `json:"to"`
	// Subject is the subject of the tenant's email template for Type.
	Subject string `json:"subject"`
	// Text is the body, as plain text.
	Text string `json:"text"`
	// Code is the verification code of a MailVerifyEmail.
	Code string `json:"code,omitempty"`
	// ResetURL is the link of a MailForgotPassword: the /reset page with
	// its token, on the address the request that asked for it was sent to.
	ResetURL string `json:"reset_url,omitempty"`
}

// mailKeep is how many emails the server keeps for [Server.Mail] and the
// mail route: the oldest are forgotten, so that a long-running server's
// memory stays bounded (files in MailDir stay).
const mailKeep = 1000

// mailPath is the development route listing the emails, under the admin
// API and protected by its key. Fief's admin API has no path starting
// with "_", so it cannot hide one of Fief's routes.
const mailPath = "/_fieftest/mail"

// Mail returns the emails the server sent, newest first: the last 1000.
// They are also listed, with the admin API key, at GET
// /admin/api/_fieftest/mail (a fieftest extension: ?to=ADDRESS keeps the
// emails to this address, compared case-insensitively; DELETE forgets
// them all), logged to [Server.Logger] and written to [Server.MailDir].
func (s *Server) Mail() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Mail, len(s.mail))
	for i, m := range s.mail {
		out[len(s.mail)-1-i] = m
	}
	return out
}

// sendMailLocked records the email m (ID, SentAt and Subject are set
// here), logs it and writes it to MailDir. The caller holds s.mu.
func (s *Server) sendMailLocked(t *Tenant, m Mail) {
	m.ID = newUUID()
	m.SentAt = s.nowLocked().UTC()
	m.TenantID = t.id
	m.Subject = s.mailSubjectLocked(t, m)
	m.Text = mailText(t.name, m)
	s.mail = append(s.mail, m)
	if len(s.mail) > mailKeep {
		s.mail = append(s.mail[:0:0], s.mail[len(s.mail)-mailKeep:]...)
	}
	if s.Logger != nil {
		attrs := []slog.Attr{slog.String("type", string(m.Type)), slog.String("to", m.To), slog.String("subject", m.Subject)}
		if m.Code != "" {
			attrs = append(attrs, slog.String("code", m.Code))
		}
		if m.ResetURL != "" {
			attrs = append(attrs, slog.String("reset_url", m.ResetURL))
		}
		s.Logger.LogAttrs(context.Background(), slog.LevelInfo, "mail", attrs...)
	}
	if s.MailDir != "" {
		if err := writeMailFile(s.MailDir, m); err != nil {
			s.warn("fieftest: writing an email to MailDir", "error", err)
		}
	}
}

// sendWelcomeLocked sends the welcome email of a user who registered or
// was created through the admin API, as Fief's worker does after either.
func (s *Server) sendWelcomeLocked(u *User) {
	s.sendMailLocked(u.tenant, Mail{Type: MailWelcome, UserID: u.ID, To: u.email})
}

// templateVar matches a Jinja variable of an email subject.
var templateVar = regexp.MustCompile(`{{\s*([a-z_.]+)\s*}}`)

// mailSubjectLocked renders the subject of the email template of m's type:
// its variables tenant.name, user.email, code and reset_url (Fief renders
// the whole Jinja template; the default subjects use only these).
func (s *Server) mailSubjectLocked(t *Tenant, m Mail) string {
	subject := string(m.Type)
	for _, e := range s.adm.emailTemplates {
		if e.typ == string(m.Type) {
			subject = e.subject
		}
	}
	return templateVar.ReplaceAllStringFunc(subject, func(v string) string {
		switch templateVar.FindStringSubmatch(v)[1] {
		case "tenant.name":
			return t.name
		case "user.email":
			return m.To
		case "code":
			return m.Code
		case "reset_url":
			return m.ResetURL
		}
		return v
	})
}

// mailText returns the plain-text body of an email.
func mailText(tenantName string, m Mail) string {
	switch m.Type {
	case MailWelcome:
		return fmt.Sprintf("Welcome to %s!\n\nYour account %s is ready.\n", tenantName, m.To)
	case MailVerifyEmail:
		return fmt.Sprintf("You recently created or updated your account email on %s. "+
			"To verify your email address, enter this verification code:\n\n%s\n", tenantName, m.Code)
	case MailForgotPassword:
		return fmt.Sprintf("Someone asked to reset the password of your %s account. "+
			"If it was you, open this link to choose a new password:\n\n%s\n\n"+
			"If it was not you, ignore this email.\n", tenantName, m.ResetURL)
	}
	return ""
}

// writeMailFile writes m to dir as a message file (RFC 5322, readable
// with any text editor or mail client), named after its time, type and
// ID so that names sort by date.
func writeMailFile(dir string, m Mail) error {
	name := fmt.Sprintf("%s-%s-%s.eml", m.SentAt.Format("20060102T150405.000000Z"), strings.ToLower(string(m.Type)), m.ID[:8])
	var b strings.Builder
	fmt.Fprintf(&b, "Message-ID: <%s@fieftest>\r\n", m.ID)
	fmt.Fprintf(&b, "Date: %s\r\n", m.SentAt.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "To: <%s>\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", headerSafe(m.Subject))
	fmt.Fprintf(&b, "X-Fief-Type: %s\r\n", m.Type)
	fmt.Fprintf(&b, "X-Fief-User-ID: %s\r\n", m.UserID)
	if m.Code != "" {
		fmt.Fprintf(&b, "X-Fief-Code: %s\r\n", m.Code)
	}
	if m.ResetURL != "" {
		fmt.Fprintf(&b, "X-Fief-Reset-URL: %s\r\n", m.ResetURL)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(m.Text, "\n", "\r\n"))
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// headerSafe keeps a header value on one line: a tenant name or template
// holding a line break cannot add headers.
func headerSafe(v string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
}

// mailListing is the answer of the mail route, in the shape of the admin
// API's lists.
type mailListing struct {
	Count   int    `json:"count"`
	Results []Mail `json:"results"`
}

// adminMail serves GET and DELETE /admin/api/_fieftest/mail.
func (s *Server) adminMail(w http.ResponseWriter, r *http.Request, _ []string) {
	if r.Method == http.MethodDelete {
		s.mu.Lock()
		s.mail = nil
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	to := r.URL.Query().Get("to")
	out := []Mail{}
	for _, m := range s.Mail() {
		if to == "" || strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, mailListing{Count: len(out), Results: out})
}
