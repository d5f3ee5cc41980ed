package fieftest

import (
	"slices"
	"time"
)

// adminStore holds the objects that exist only through the admin API
// (permissions, roles, webhooks, email templates, OAuth providers, user
// fields) and the admin API key. It is guarded by Server.mu. Users,
// clients and tenants live on their [Tenant], shared with the auth app.
type adminStore struct {
	key            string
	seq            int64 // creation counter: the "database order" of every object
	permissions    map[string]*permission
	roles          map[string]*role
	webhooks       map[string]*webhook
	webhookLogs    []*webhookLog
	emailTemplates []*emailTemplate
	oauthProviders map[string]*oauthProvider
	userFields     map[string]*userField
}

// meta is what every stored object has: a UUID, its creation rank and its
// timestamps.
type meta struct {
	id      string
	seq     int64
	created time.Time
	updated time.Time
}

func (st *adminStore) init(now time.Time) {
	st.key = randomToken()
	st.permissions = make(map[string]*permission)
	st.roles = make(map[string]*role)
	st.webhooks = make(map[string]*webhook)
	st.oauthProviders = make(map[string]*oauthProvider)
	st.userFields = make(map[string]*userField)
	for _, ty := range emailTemplateTypes {
		d := defaultEmailTemplates[ty]
		st.emailTemplates = append(st.emailTemplates, &emailTemplate{meta: st.newMeta(now), typ: ty, subject: d[0], content: d[1]})
	}
}

// newMeta returns the meta of an object created now, with a new UUID.
func (st *adminStore) newMeta(now time.Time) meta {
	st.seq++
	return meta{id: newUUID(), seq: st.seq, created: now, updated: now}
}

// nextSeq returns the next creation rank.
func (st *adminStore) nextSeq() int64 {
	st.seq++
	return st.seq
}

// permission is a Fief permission (global, like in Fief's workspace).
type permission struct {
	meta
	name, codename string
}

// role is a Fief role: a named set of permissions.
type role struct {
	meta
	name             string
	grantedByDefault bool
	permissions      []*permission
}

// userPerm is a permission a user holds, directly (fromRole nil) or
// through a role.
type userPerm struct {
	meta     // id unused: Fief identifies a grant by user and permission
	perm     *permission
	fromRole *role
}

// userRole is a role granted to a user.
type userRole struct {
	meta
	role *role
}

// webhook is a registered webhook.
type webhook struct {
	meta
	url    string
	events []string
	secret string
}

// webhookLog is one delivery attempt of a webhook, as listed by
// GET /admin/api/webhooks/{id}/logs.
type webhookLog struct {
	meta
	webhookID    string
	event        string
	attempt      int
	payload      string
	success      bool
	statusCode   int // 0 without an answer
	response     *string
	errorType    *string
	errorMessage *string
}

// emailTemplate is one of Fief's email templates.
type emailTemplate struct {
	meta
	typ, subject, content string
}

// oauthProvider is a configured OAuth provider (social login).
type oauthProvider struct {
	meta
	provider                    string
	clientID, clientSecret      string
	scopes                      []string
	name                        *string
	openidConfigurationEndpoint *string
}

// userField is the definition of a custom user field.
type userField struct {
	meta
	name, slug, typ string
	configuration   map[string]any
}

var emailTemplateTypes = []string{"BASE", "WELCOME", "VERIFY_EMAIL", "FORGOT_PASSWORD"}

// defaultEmailTemplates are Fief's default subjects and short stand-ins for
// its default contents, by type.
var defaultEmailTemplates = map[string][2]string{
	"BASE":            {"", "<html><body>{% block main %}{% endblock %}</body></html>"},
	"WELCOME":         {"Welcome to {{ tenant.name }}", `{% extends "BASE" %}{% block main %}<h1>Welcome, {{ user.email }}</h1>{% endblock %}`},
	"VERIFY_EMAIL":    {"Verify your email for your {{ tenant.name }}'s account", `{% extends "BASE" %}{% block main %}<p>Your code: {{ code }}</p>{% endblock %}`},
	"FORGOT_PASSWORD": {"Reset your {{ tenant.name }}'s password", `{% extends "BASE" %}{% block main %}<a href="{{ reset_url }}">Reset</a>{% endblock %}`},
}

// sortedBySeq returns the values of m in creation order.
func sortedBySeq[T interface{ seqOf() int64 }](m map[string]T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b T) int { return int(a.seqOf() - b.seqOf()) })
	return out
}

func (m *meta) seqOf() int64 { return m.seq }

// permissionByCodenameLocked finds a permission by codename.
func (st *adminStore) permissionByCodename(codename string) *permission {
	for _, p := range st.permissions {
		if p.codename == codename {
			return p
		}
	}
	return nil
}
