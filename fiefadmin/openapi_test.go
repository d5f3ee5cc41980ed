package fiefadmin_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fiefadmin"
)

// The OpenAPI document a Fief v0.26.3 server publishes for its admin API.
const openAPIFile = "testdata/openapi-v0.26.3.json"

type openAPISchema struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Required   []string                   `json:"required"`
	Enum       []string                   `json:"enum"`
}

func loadSchemas(t *testing.T) map[string]openAPISchema {
	t.Helper()
	b, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]openAPISchema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas
}

// jsonFields lists the JSON members of a struct type, with whether each
// may be left out of an encoding.
func jsonFields(typ reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
	}
	return out
}

// TestTypesMatchOpenAPI: every type of the package has exactly the members
// of the schema of Fief's OpenAPI document it stands for, and a request
// type never leaves out a member the schema requires.
func TestTypesMatchOpenAPI(t *testing.T) {
	schemas := loadSchemas(t)
	for schema, v := range map[string]any{
		"UserRead":                   fiefadmin.User{},
		"TenantEmbedded":             fiefadmin.TenantSummary{},
		"Tenant":                     fiefadmin.Tenant{},
		"TenantCreate":               fiefadmin.TenantCreate{},
		"TenantUpdate":               fiefadmin.TenantUpdate{},
		"Permission":                 fiefadmin.Permission{},
		"PermissionEmbedded":         fiefadmin.Permission{},
		"PermissionCreate":           fiefadmin.PermissionCreate{},
		"PermissionUpdate":           fiefadmin.PermissionUpdate{},
		"Role":                       fiefadmin.Role{},
		"RoleEmbedded":               fiefadmin.RoleSummary{},
		"RoleCreate":                 fiefadmin.RoleCreate{},
		"RoleUpdate":                 fiefadmin.RoleUpdate{},
		"UserPermission":             fiefadmin.UserPermission{},
		"UserRole":                   fiefadmin.UserRole{},
		"OAuthAccount":               fiefadmin.OAuthAccount{},
		"AccessTokenResponse":        fiefadmin.AccessToken{},
		"Client":                     fiefadmin.OAuthClient{},
		"ClientCreate":               fiefadmin.OAuthClientCreate{},
		"ClientUpdate":               fiefadmin.OAuthClientUpdate{},
		"Webhook":                    fiefadmin.Webhook{},
		"WebhookSecret":              fiefadmin.WebhookWithSecret{},
		"WebhookCreate":              fiefadmin.WebhookCreate{},
		"WebhookUpdate":              fiefadmin.WebhookUpdate{},
		"WebhookLog":                 fiefadmin.WebhookLog{},
		"EmailTemplate":              fiefadmin.EmailTemplate{},
		"EmailTemplateUpdate":        fiefadmin.EmailTemplateUpdate{},
		"OAuthProvider":              fiefadmin.OAuthProvider{},
		"OAuthProviderEmbedded":      fiefadmin.OAuthProvider{},
		"OAuthProviderCreate":        fiefadmin.OAuthProviderCreate{},
		"OAuthProviderUpdate":        fiefadmin.OAuthProviderUpdate{},
		"OAuthAccountAccessToken":    fiefadmin.OAuthAccountAccessToken{},
		"UserField":                  fiefadmin.UserField{},
		"UserFieldCreate":            fiefadmin.UserFieldCreate{},
		"UserFieldUpdate":            fiefadmin.UserFieldUpdate{},
		"UserFieldConfiguration":     fiefadmin.UserFieldConfiguration{},
		"PaginatedResults_UserRead_": fiefadmin.Page[fiefadmin.User]{},
	} {
		s, ok := schemas[schema]
		if !ok {
			t.Errorf("no schema %s", schema)
			continue
		}
		fields := jsonFields(reflect.TypeOf(v))
		for prop := range s.Properties {
			if _, ok := fields[prop]; !ok {
				t.Errorf("%T lacks %s.%s", v, schema, prop)
			}
		}
		for name := range fields {
			if _, ok := s.Properties[name]; !ok {
				t.Errorf("%T has %s, which %s has not", v, name, schema)
			}
		}
		if strings.HasSuffix(schema, "Create") {
			for _, req := range s.Required {
				if fields[req] {
					t.Errorf("%T may leave out %s, required by %s", v, req, schema)
				}
			}
		}
	}
}

// TestEnumsMatchOpenAPI: the constants of the package are the values of the
// document's enums.
func TestEnumsMatchOpenAPI(t *testing.T) {
	schemas := loadSchemas(t)
	for schema, values := range map[string][]string{
		"WebhookEventType": strs(fiefadmin.EventClientCreated, fiefadmin.EventClientUpdated, fiefadmin.EventClientDeleted,
			fiefadmin.EventEmailTemplateUpdated, fiefadmin.EventOAuthProviderCreated, fiefadmin.EventOAuthProviderUpdated,
			fiefadmin.EventOAuthProviderDeleted, fiefadmin.EventPermissionCreated, fiefadmin.EventPermissionUpdated,
			fiefadmin.EventPermissionDeleted, fiefadmin.EventRoleCreated, fiefadmin.EventRoleUpdated, fiefadmin.EventRoleDeleted,
			fiefadmin.EventTenantCreated, fiefadmin.EventTenantUpdated, fiefadmin.EventTenantDeleted, fiefadmin.EventUserCreated,
			fiefadmin.EventUserUpdated, fiefadmin.EventUserDeleted, fiefadmin.EventUserForgotPasswordRequested,
			fiefadmin.EventUserPasswordReset, fiefadmin.EventUserFieldCreated, fiefadmin.EventUserFieldUpdated,
			fiefadmin.EventUserFieldDeleted, fiefadmin.EventUserPermissionCreated, fiefadmin.EventUserPermissionDeleted,
			fiefadmin.EventUserRoleCreated, fiefadmin.EventUserRoleDeleted),
		"ClientType":        strs(fiefadmin.ClientPublic, fiefadmin.ClientConfidential),
		"EmailTemplateType": strs(fiefadmin.EmailTemplateBase, fiefadmin.EmailTemplateWelcome, fiefadmin.EmailTemplateVerifyEmail, fiefadmin.EmailTemplateForgotPassword),
		"AvailableOAuthProvider": strs(fiefadmin.ProviderDiscord, fiefadmin.ProviderFacebook, fiefadmin.ProviderGitHub, fiefadmin.ProviderGoogle,
			fiefadmin.ProviderLinkedIn, fiefadmin.ProviderMicrosoft, fiefadmin.ProviderReddit, fiefadmin.ProviderOpenID),
		"UserFieldType": strs(fiefadmin.UserFieldString, fiefadmin.UserFieldInteger, fiefadmin.UserFieldBoolean, fiefadmin.UserFieldDate,
			fiefadmin.UserFieldDateTime, fiefadmin.UserFieldChoice, fiefadmin.UserFieldPhoneNumber, fiefadmin.UserFieldAddress, fiefadmin.UserFieldTimezone),
	} {
		want := slices.Sorted(slices.Values(schemas[schema].Enum))
		got := slices.Sorted(slices.Values(values))
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: constants %v, document %v", schema, got, want)
		}
	}
}

func strs[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
