package fiefwebhook_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// The bodies of the events about other objects than users, as Fief writes
// them: each object as its admin API reads it (a client with its secret; an
// OAuth provider's credentials and a client's encryption key masked).
const (
	stamps       = `"created_at": "2026-11-30T11:53:03.994238+00:00", "updated_at": "2026-11-30T11:53:03.994246+00:00"`
	tenantData   = `{` + stamps + `, "id": "20fdf797-36d9-47b7-bb7c-2e323f823c1f", "name": "Fief", "default": true, "slug": "fief", "registration_allowed": true, "theme_id": null, "logo_url": null, "application_url": null`
	providerData = `{` + stamps + `, "id": "5b0a1b4e-7d0c-4a1e-9f0e-0d6f7c3b2a11", "provider": "GITHUB", "client_id": "**********", "client_secret": "**********", "scopes": ["user:email"], "name": "GitHub", "openid_configuration_endpoint": null}`
	permData     = `{` + stamps + `, "id": "4ec07bd3-75d4-44cd-9718-4dd81e9d92e2", "name": "Castles read", "codename": "castles:read"}`
	clientSecret = "client-secret-MARKER-6f1d"
)

func TestOtherObjectsDecodeIntoAdminTypes(t *testing.T) {
	bodies := map[fiefadmin.WebhookEvent]string{
		fiefadmin.EventTenantUpdated:        `{"type": "tenant.updated", "data": ` + tenantData + `, "oauth_providers": [` + providerData + `]}}`,
		fiefadmin.EventClientCreated:        `{"type": "client.created", "data": {` + stamps + `, "id": "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Fief's client", "first_party": true, "client_type": "confidential", "client_id": "Jk1vYb0b", "client_secret": "` + clientSecret + `", "redirect_uris": ["http://localhost:8000/docs/oauth2-redirect"], "authorization_code_lifetime_seconds": 600, "access_id_token_lifetime_seconds": 86400, "refresh_token_lifetime_seconds": 2592000, "tenant_id": "20fdf797-36d9-47b7-bb7c-2e323f823c1f", "tenant": ` + tenantData + `}, "encrypt_jwk": "**********"}}`,
		fiefadmin.EventOAuthProviderCreated: `{"type": "oauth_provider.created", "data": ` + providerData + `}`,
		fiefadmin.EventPermissionCreated:    `{"type": "permission.created", "data": ` + permData + `}`,
		fiefadmin.EventRoleUpdated:          `{"type": "role.updated", "data": {` + stamps + `, "id": "7e3fae55-8931-4278-8d04-4283229ce6e4", "name": "Castle manager", "granted_by_default": false, "permissions": [` + permData + `]}}`,
		fiefadmin.EventUserFieldCreated:     `{"type": "user_field.created", "data": {` + stamps + `, "id": "0f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a0f9", "name": "Title", "slug": "title", "type": "CHOICE", "configuration": {"at_registration": true, "required": false, "at_update": true, "choices": [["duchess", "Duchess"], ["queen", "Queen"]], "default": "duchess"}}}`,
		fiefadmin.EventEmailTemplateUpdated: `{"type": "email_template.updated", "data": {` + stamps + `, "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "type": "WELCOME", "subject": "Welcome to {{ tenant.name }}", "content": "<p>Hello</p>"}}`,
	}
	for typ, body := range bodies {
		e, err := fiefwebhook.Decode([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		switch o := e.Object.(type) {
		case *fiefadmin.Tenant:
			if o.Slug != "fief" || len(o.OAuthProviders) != 1 || o.OAuthProviders[0].Provider != fiefadmin.ProviderGitHub {
				t.Errorf("%s: %+v", typ, o)
			}
		case *fiefadmin.OAuthClient:
			if o.ClientType != fiefadmin.ClientConfidential || o.Tenant.ID != o.TenantID || o.ClientSecret != clientSecret || o.EncryptJWK == nil {
				t.Errorf("%s: %+v", typ, o)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				if out := fmt.Sprintf(verb, *o); strings.Contains(out, clientSecret) {
					t.Errorf("%s: %s prints the client's secret: %s", typ, verb, out)
				}
			}
		case *fiefadmin.OAuthProvider:
			if o.Name == nil || *o.Name != "GitHub" || len(o.Scopes) != 1 {
				t.Errorf("%s: %+v", typ, o)
			}
		case *fiefadmin.Permission:
			if o.Codename != "castles:read" {
				t.Errorf("%s: %+v", typ, o)
			}
		case *fiefadmin.Role:
			if len(o.Permissions) != 1 || o.Permissions[0].Codename != "castles:read" {
				t.Errorf("%s: %+v", typ, o)
			}
		case *fiefadmin.UserField:
			if o.Type != fiefadmin.UserFieldChoice || len(o.Configuration.Choices) != 2 || o.Configuration.Default != "duchess" {
				t.Errorf("%s: %+v", typ, o)
			}
		case *fiefadmin.EmailTemplate:
			if o.Type != fiefadmin.EmailTemplateWelcome {
				t.Errorf("%s: %+v", typ, o)
			}
		default:
			t.Errorf("%s: object %T", typ, o)
		}
		if f := fiefwebhook.EffectOf(e); !f.None() {
			t.Errorf("%s: effect %+v, want none", typ, f)
		}
	}
}

// TestEventPrintsNoSecret: a client.* event carries the client's secret, in
// its raw data and its object; no verb and no log handler prints it.
func TestEventPrintsNoSecret(t *testing.T) {
	body := `{"type": "client.updated", "data": {` + stamps + `, "id": "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Fief's client", "client_id": "Jk1vYb0b", "client_secret": "` + clientSecret + `", "tenant_id": "20fdf797-36d9-47b7-bb7c-2e323f823c1f"}}`
	e, err := fiefwebhook.Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, fmt.Sprintf(verb, e), fmt.Sprintf(verb, *e))
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("webhook", "event", e)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("webhook", "event", *e)
	outs = append(outs, logs.String())
	for _, out := range outs {
		if strings.Contains(out, clientSecret) || strings.Contains(out, hex.EncodeToString([]byte(clientSecret))) {
			t.Fatalf("the client's secret is printed: %s", out)
		}
	}
	if s := e.String(); !strings.Contains(s, "client.updated") || !strings.Contains(s, "Jk1vYb0b") || !strings.Contains(s, "[redacted]") {
		t.Fatalf("String = %s, want the type and the client, its secret redacted", s)
	}
}
