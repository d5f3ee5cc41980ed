package security_test

import (
	"bytes"
	"crypto/rsa"
	"encoding"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"golang.org/x/oauth2"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"github.com/fief-dev/fief-go/fiefwebhook"
	"github.com/fief-dev/fief-go/internal/admincalls"
	"github.com/fief-dev/fief-go/internal/authcases"
	"github.com/fief-dev/fief-go/internal/logtest"
	"github.com/fief-dev/fief-go/internal/page"
	"github.com/fief-dev/fief-go/internal/seal"
	"github.com/go-jose/go-jose/v4"
)

// secretMarker is put in every token, code and secret of the samples; no
// output may show it, whole or in part, in text, hex or as bytes.
const secretMarker = "s3cr3t-MARKER-0123456789-abcdefghij"

// exportedTypes lists every exported type of the core module, by package.
// Each must be here: TestTokensNotPrintedByAnyVerb finds, by reflection, the
// ones holding a token, a code or a secret.
var exportedTypes = map[string]reflect.Type{
	"fief.AccessTokenInfo":              reflect.TypeFor[fief.AccessTokenInfo](),
	"fief.Requirements":                 reflect.TypeFor[fief.Requirements](),
	"fief.ACR":                          reflect.TypeFor[fief.ACR](),
	"fief.AuthURLParams":                reflect.TypeFor[fief.AuthURLParams](),
	"fief.Client":                       reflect.TypeFor[fief.Client](),
	"fief.Config":                       reflect.TypeFor[fief.Config](),
	"fief.ConfigError":                  reflect.TypeFor[fief.ConfigError](),
	"fief.ResponseError":                reflect.TypeFor[fief.ResponseError](),
	"fief.KeySetStatus":                 reflect.TypeFor[fief.KeySetStatus](),
	"fief.TokenResponse":                reflect.TypeFor[fief.TokenResponse](),
	"fief.ExchangeParams":               reflect.TypeFor[fief.ExchangeParams](),
	"fief.UserInfo":                     reflect.TypeFor[fief.UserInfo](),
	"fiefcli.Config":                    reflect.TypeFor[fiefcli.Config](),
	"fiefcli.Auth":                      reflect.TypeFor[fiefcli.Auth](),
	"fiefcli.AuthorizationError":        reflect.TypeFor[fiefcli.AuthorizationError](),
	"fiefhttp.Auth":                     reflect.TypeFor[fiefhttp.Auth](),
	"fiefhttp.Config":                   reflect.TypeFor[fiefhttp.Config](),
	"fiefhttp.UserInfoCache":            reflect.TypeFor[fiefhttp.UserInfoCache](),
	"fiefhttp.MemoryUserInfoCache":      reflect.TypeFor[fiefhttp.MemoryUserInfoCache](),
	"fiefhttp.ErrorHandler":             reflect.TypeFor[fiefhttp.ErrorHandler](),
	"fiefhttp.TokenGetter":              reflect.TypeFor[fiefhttp.TokenGetter](),
	"fiefhttp.RouteOption":              reflect.TypeFor[fiefhttp.RouteOption](),
	"fiefhttp.WebConfig":                reflect.TypeFor[fiefhttp.WebConfig](),
	"fiefhttp.WebFlow":                  reflect.TypeFor[fiefhttp.WebFlow](),
	"fieftest.ClientConfig":             reflect.TypeFor[fieftest.ClientConfig](),
	"fieftest.Client":                   reflect.TypeFor[fieftest.Client](),
	"fieftest.Endpoint":                 reflect.TypeFor[fieftest.Endpoint](),
	"fieftest.Fault":                    reflect.TypeFor[fieftest.Fault](),
	"fieftest.TokenOptions":             reflect.TypeFor[fieftest.TokenOptions](),
	"fieftest.Server":                   reflect.TypeFor[fieftest.Server](),
	"fieftest.Tenant":                   reflect.TypeFor[fieftest.Tenant](),
	"fieftest.UserConfig":               reflect.TypeFor[fieftest.UserConfig](),
	"fieftest.User":                     reflect.TypeFor[fieftest.User](),
	"admincalls.Call":                   reflect.TypeFor[admincalls.Call](),
	"admincalls.Normalizer":             reflect.TypeFor[admincalls.Normalizer](),
	"authcases.Case":                    reflect.TypeFor[authcases.Case](),
	"authcases.Env":                     reflect.TypeFor[authcases.Env](),
	"seal.Sealer":                       reflect.TypeFor[seal.Sealer](),
	"fief.Revocation":                   reflect.TypeFor[fief.Revocation](),
	"fief.RevocationKind":               reflect.TypeFor[fief.RevocationKind](),
	"fief.Revocations":                  reflect.TypeFor[fief.Revocations](),
	"fief.RevocationsConfig":            reflect.TypeFor[fief.RevocationsConfig](),
	"fiefhttp.MemorySessionStore":       reflect.TypeFor[fiefhttp.MemorySessionStore](),
	"fiefhttp.MemorySessionStoreConfig": reflect.TypeFor[fiefhttp.MemorySessionStoreConfig](),
	"fiefhttp.RouteTable":               reflect.TypeFor[fiefhttp.RouteTable](),
	"fiefhttp.SessionLocker":            reflect.TypeFor[fiefhttp.SessionLocker](),
	"fiefhttp.SessionStore":             reflect.TypeFor[fiefhttp.SessionStore](),
	"fiefhttp.Storage":                  reflect.TypeFor[fiefhttp.Storage](),
	"fieftest.Webhook":                  reflect.TypeFor[fieftest.Webhook](),
	"fieftest.WebhookAttempt":           reflect.TypeFor[fieftest.WebhookAttempt](),
	"fieftest.Mail":                     reflect.TypeFor[fieftest.Mail](),
	"fieftest.MailType":                 reflect.TypeFor[fieftest.MailType](),
	"fiefdemo.Config":                   reflect.TypeFor[fiefdemo.Config](),
	"fiefdemo.Demo":                     reflect.TypeFor[fiefdemo.Demo](),
	"fieftest.WebhookConfig":            reflect.TypeFor[fieftest.WebhookConfig](),
	"fiefwebhook.Applier":               reflect.TypeFor[fiefwebhook.Applier](),
	"fiefwebhook.Config":                reflect.TypeFor[fiefwebhook.Config](),
	"fiefwebhook.Deliveries":            reflect.TypeFor[fiefwebhook.Deliveries](),
	"fiefwebhook.Effect":                reflect.TypeFor[fiefwebhook.Effect](),
	"fiefwebhook.Event":                 reflect.TypeFor[fiefwebhook.Event](),
	"fiefwebhook.Handler":               reflect.TypeFor[fiefwebhook.Handler](),
	"fiefwebhook.HookFunc":              reflect.TypeFor[fiefwebhook.HookFunc](),
	"fiefwebhook.Local":                 reflect.TypeFor[fiefwebhook.Local](),
	"fiefwebhook.MemoryDeliveries":      reflect.TypeFor[fiefwebhook.MemoryDeliveries](),
	"fiefwebhook.UserInfoDeleter":       reflect.TypeFor[fiefwebhook.UserInfoDeleter](),
	"fief.CheckOptions":                 reflect.TypeFor[fief.CheckOptions](),
	"fief.Finding":                      reflect.TypeFor[fief.Finding](),
	"fief.Report":                       reflect.TypeFor[fief.Report](),
	"fief.ScopeError":                   reflect.TypeFor[fief.ScopeError](),
	"fief.Verdict":                      reflect.TypeFor[fief.Verdict](),
	"logtest.Recorder":                  reflect.TypeFor[logtest.Recorder](),
	"fief.TokenSourceConfig":            reflect.TypeFor[fief.TokenSourceConfig](),
	"fiefadmin.APIKey":                  reflect.TypeFor[fiefadmin.APIKey](),
	"fiefadmin.AccessToken":             reflect.TypeFor[fiefadmin.AccessToken](),
	"fiefadmin.Client":                  reflect.TypeFor[fiefadmin.Client](),
	"fiefadmin.ClientType":              reflect.TypeFor[fiefadmin.ClientType](),
	"fiefadmin.ClientsService":          reflect.TypeFor[fiefadmin.ClientsService](),
	"fiefadmin.Code":                    reflect.TypeFor[fiefadmin.Code](),
	"fiefadmin.Config":                  reflect.TypeFor[fiefadmin.Config](),
	"fiefadmin.EmailTemplate":           reflect.TypeFor[fiefadmin.EmailTemplate](),
	"fiefadmin.EmailTemplateType":       reflect.TypeFor[fiefadmin.EmailTemplateType](),
	"fiefadmin.EmailTemplateUpdate":     reflect.TypeFor[fiefadmin.EmailTemplateUpdate](),
	"fiefadmin.EmailTemplatesService":   reflect.TypeFor[fiefadmin.EmailTemplatesService](),
	"fiefadmin.Error":                   reflect.TypeFor[fiefadmin.Error](),
	"fiefadmin.FieldError":              reflect.TypeFor[fiefadmin.FieldError](),
	"fiefadmin.Fields":                  reflect.TypeFor[fiefadmin.Fields](),
	"fiefadmin.ListOptions":             reflect.TypeFor[fiefadmin.ListOptions](),
	"fiefadmin.OAuthAccount":            reflect.TypeFor[fiefadmin.OAuthAccount](),
	"fiefadmin.OAuthAccountAccessToken": reflect.TypeFor[fiefadmin.OAuthAccountAccessToken](),
	"fiefadmin.OAuthClient":             reflect.TypeFor[fiefadmin.OAuthClient](),
	"fiefadmin.OAuthClientCreate":       reflect.TypeFor[fiefadmin.OAuthClientCreate](),
	"fiefadmin.OAuthClientListOptions":  reflect.TypeFor[fiefadmin.OAuthClientListOptions](),
	"fiefadmin.OAuthClientUpdate":       reflect.TypeFor[fiefadmin.OAuthClientUpdate](),
	"fiefadmin.OAuthProvider":           reflect.TypeFor[fiefadmin.OAuthProvider](),
	"fiefadmin.OAuthProviderCreate":     reflect.TypeFor[fiefadmin.OAuthProviderCreate](),
	"fiefadmin.OAuthProviderKind":       reflect.TypeFor[fiefadmin.OAuthProviderKind](),
	"fiefadmin.OAuthProviderUpdate":     reflect.TypeFor[fiefadmin.OAuthProviderUpdate](),
	"fiefadmin.OAuthProvidersService":   reflect.TypeFor[fiefadmin.OAuthProvidersService](),
	"fiefadmin.Page":                    reflect.TypeFor[fiefadmin.Page[fiefadmin.User]](),
	"fiefadmin.Permission":              reflect.TypeFor[fiefadmin.Permission](),
	"fiefadmin.PermissionCreate":        reflect.TypeFor[fiefadmin.PermissionCreate](),
	"fiefadmin.PermissionUpdate":        reflect.TypeFor[fiefadmin.PermissionUpdate](),
	"fiefadmin.PermissionsService":      reflect.TypeFor[fiefadmin.PermissionsService](),
	"fiefadmin.RetryPolicy":             reflect.TypeFor[fiefadmin.RetryPolicy](),
	"fiefadmin.Role":                    reflect.TypeFor[fiefadmin.Role](),
	"fiefadmin.RoleCreate":              reflect.TypeFor[fiefadmin.RoleCreate](),
	"fiefadmin.RoleSummary":             reflect.TypeFor[fiefadmin.RoleSummary](),
	"fiefadmin.RoleUpdate":              reflect.TypeFor[fiefadmin.RoleUpdate](),
	"fiefadmin.RolesService":            reflect.TypeFor[fiefadmin.RolesService](),
	"fiefadmin.SearchOptions":           reflect.TypeFor[fiefadmin.SearchOptions](),
	"fiefadmin.Tenant":                  reflect.TypeFor[fiefadmin.Tenant](),
	"fiefadmin.TenantCreate":            reflect.TypeFor[fiefadmin.TenantCreate](),
	"fiefadmin.TenantSummary":           reflect.TypeFor[fiefadmin.TenantSummary](),
	"fiefadmin.TenantUpdate":            reflect.TypeFor[fiefadmin.TenantUpdate](),
	"fiefadmin.TenantsService":          reflect.TypeFor[fiefadmin.TenantsService](),
	"fiefadmin.UUID":                    reflect.TypeFor[fiefadmin.UUID](),
	"fiefadmin.User":                    reflect.TypeFor[fiefadmin.User](),
	"fiefadmin.UserCreate":              reflect.TypeFor[fiefadmin.UserCreate](),
	"fiefadmin.UserField":               reflect.TypeFor[fiefadmin.UserField](),
	"fiefadmin.UserFieldConfiguration":  reflect.TypeFor[fiefadmin.UserFieldConfiguration](),
	"fiefadmin.UserFieldCreate":         reflect.TypeFor[fiefadmin.UserFieldCreate](),
	"fiefadmin.UserFieldType":           reflect.TypeFor[fiefadmin.UserFieldType](),
	"fiefadmin.UserFieldUpdate":         reflect.TypeFor[fiefadmin.UserFieldUpdate](),
	"fiefadmin.UserFieldsService":       reflect.TypeFor[fiefadmin.UserFieldsService](),
	"fiefadmin.UserListOptions":         reflect.TypeFor[fiefadmin.UserListOptions](),
	"fiefadmin.UserPermission":          reflect.TypeFor[fiefadmin.UserPermission](),
	"fiefadmin.UserRole":                reflect.TypeFor[fiefadmin.UserRole](),
	"fiefadmin.UserUpdate":              reflect.TypeFor[fiefadmin.UserUpdate](),
	"fiefadmin.UsersService":            reflect.TypeFor[fiefadmin.UsersService](),
	"fiefadmin.Webhook":                 reflect.TypeFor[fiefadmin.Webhook](),
	"fiefadmin.WebhookCreate":           reflect.TypeFor[fiefadmin.WebhookCreate](),
	"fiefadmin.WebhookEvent":            reflect.TypeFor[fiefadmin.WebhookEvent](),
	"fiefadmin.WebhookLog":              reflect.TypeFor[fiefadmin.WebhookLog](),
	"fiefadmin.WebhookUpdate":           reflect.TypeFor[fiefadmin.WebhookUpdate](),
	"fiefadmin.WebhookWithSecret":       reflect.TypeFor[fiefadmin.WebhookWithSecret](),
	"fiefadmin.WebhooksService":         reflect.TypeFor[fiefadmin.WebhooksService](),
	"fiefcli.Page":                      reflect.TypeFor[fiefcli.Page](),
	"fiefcli.PageFunc":                  reflect.TypeFor[fiefcli.PageFunc](),
	"fiefcli.PageKind":                  reflect.TypeFor[fiefcli.PageKind](),
	"fiefhttp.PageFunc":                 reflect.TypeFor[fiefhttp.PageFunc](),
	"fiefhttp.Outcome":                  reflect.TypeFor[fiefhttp.Outcome](),
	"fiefhttp.Page":                     reflect.TypeFor[fiefhttp.Page](),
	"fiefhttp.Route":                    reflect.TypeFor[fiefhttp.Route](),
	"fiefhttp.PageKind":                 reflect.TypeFor[fiefhttp.PageKind](),
	"fieftest.RoleConfig":               reflect.TypeFor[fieftest.RoleConfig](),
	"page.Action":                       reflect.TypeFor[page.Action](),
	"page.Frame":                        reflect.TypeFor[page.Frame](),
	"page.Message":                      reflect.TypeFor[page.Message](),
	"page.Tone":                         reflect.TypeFor[page.Tone](),
}

// notSecret are fields whose names look like a secret's but are not.
var notSecret = map[string]string{
	"fief.ResponseError.Code":            "an OAuth error code such as invalid_grant",
	"fiefcli.AuthorizationError.Code":    "an OAuth error code such as access_denied",
	"fief.TokenResponse.TokenType":       "always bearer (the type holds tokens anyway)",
	"fieftest.ClientConfig.CodeLifetime": "a duration",
	"fiefhttp.Page.Code":                 "an OAuth error code shown on an error page",
	"fiefcli.Page.Code":                  "an OAuth error code shown on an error page",
	"page.Message.Code":                  "an error code shown on a page",
	"fiefadmin.Error.Code":               "an error code of Fief's admin API",
}

// secretName matches the names of fields holding a token, a code or a
// secret (when their type holds bytes: a string or a byte slice).
var secretName = regexp.MustCompile(`(?i)(token|secret|password|pwhash|verifier|code$|^key$|cookiekey|encryptionkey|enckey|apikey)`)

// secretTypes are types that are secrets whatever the field's name.
var secretTypes = []reflect.Type{reflect.TypeFor[rsa.PrivateKey](), reflect.TypeFor[jose.JSONWebKey](), reflect.TypeFor[oauth2.Token]()}

// samples build a value of each type holding a secret, with secretMarker in
// every token, code and secret it holds. They return a pointer.
func samples(t *testing.T) map[string]any {
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{ClientSecret: secretMarker, Encrypt: true, RedirectURIs: []string{"http://app.test/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: secretMarker})
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(t, fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: secretMarker, EncryptionKey: fc.EncryptionKey})
	cli, err := fiefcli.New(client, fiefcli.Config{CredentialsPath: filepath.Join(t.TempDir(), "c.json")})
	if err != nil {
		t.Fatal(err)
	}
	wf, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{CookieKeys: [][]byte{[]byte(secretMarker)}})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := fiefwebhook.NewHandler(fiefwebhook.Config{Secrets: []string{secretMarker}, Apply: fiefwebhook.Local{}})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := srv.AddWebhook(fieftest.WebhookConfig{URL: "http://app.test/hook", Secret: secretMarker})
	if err != nil {
		t.Fatal(err)
	}
	store := fiefhttp.NewMemorySessionStore(fiefhttp.MemorySessionStoreConfig{})
	if err := store.Create(t.Context(), "session/"+secretMarker, "u", []byte(secretMarker), time.Hour); err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"fief.TokenSourceConfig":            &fief.TokenSourceConfig{Token: &oauth2.Token{AccessToken: secretMarker, RefreshToken: secretMarker}},
		"fiefwebhook.Config":                &fiefwebhook.Config{Secrets: []string{secretMarker}},
		"fiefwebhook.Handler":               wh,
		"fieftest.WebhookConfig":            &fieftest.WebhookConfig{URL: "http://app.test/hook", Secret: secretMarker},
		"fieftest.Webhook":                  &hook,
		"fief.AccessTokenInfo":              &fief.AccessTokenInfo{ID: "u", AccessToken: secretMarker},
		"fief.Config":                       &fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: secretMarker, EncryptionKey: secretMarker},
		"fief.Client":                       client,
		"fief.TokenResponse":                &fief.TokenResponse{AccessToken: secretMarker, IDToken: secretMarker, RefreshToken: secretMarker, TokenType: "bearer", ExpiresIn: 3600},
		"fief.ExchangeParams":               &fief.ExchangeParams{Code: secretMarker, CodeVerifier: secretMarker, Nonce: secretMarker, RedirectURI: "http://app.test/cb"},
		"fiefcli.Auth":                      cli,
		"fiefhttp.Auth":                     fiefhttp.New(client, fiefhttp.Config{}),
		"fiefadmin.AccessToken":             &fiefadmin.AccessToken{AccessToken: secretMarker, TokenType: "bearer"},
		"fiefadmin.OAuthAccountAccessToken": &fiefadmin.OAuthAccountAccessToken{AccessToken: secretMarker},
		"fiefadmin.OAuthAccount":            &fiefadmin.OAuthAccount{AccountID: "a", OAuthProvider: fiefadmin.OAuthProvider{ClientID: "c", ClientSecret: secretMarker}},
		"fiefadmin.OAuthClient":             &fiefadmin.OAuthClient{ClientID: "c", ClientSecret: secretMarker},
		"fiefadmin.OAuthProvider":           &fiefadmin.OAuthProvider{ClientID: "c", ClientSecret: secretMarker},
		"fiefadmin.OAuthProviderCreate":     &fiefadmin.OAuthProviderCreate{ClientID: "c", ClientSecret: secretMarker},
		"fiefadmin.OAuthProviderUpdate":     &fiefadmin.OAuthProviderUpdate{ClientSecret: ptr(secretMarker)},
		"fiefadmin.Tenant":                  &fiefadmin.Tenant{OAuthProviders: []fiefadmin.OAuthProvider{{ClientID: "c", ClientSecret: secretMarker}}},
		"fiefadmin.UserCreate":              &fiefadmin.UserCreate{Email: "anne@bretagne.duchy", Password: secretMarker},
		"fiefadmin.UserUpdate":              &fiefadmin.UserUpdate{Password: ptr(secretMarker)},
		"fiefadmin.WebhookWithSecret":       &fiefadmin.WebhookWithSecret{Secret: secretMarker},
		"authcases.Case":                    &authcases.Case{Name: "n", Token: secretMarker, Header: "Bearer " + secretMarker},
		"authcases.Env":                     &authcases.Env{Server: srv, Client: client, User: user},
		"fiefhttp.WebConfig":                &fiefhttp.WebConfig{CookieKeys: [][]byte{[]byte(secretMarker)}},
		"fiefhttp.WebFlow":                  wf,
		"fiefhttp.MemorySessionStore":       store,
		"fieftest.ClientConfig":             &fieftest.ClientConfig{ClientSecret: secretMarker},
		"fieftest.Client":                   fc,
		"fieftest.Server":                   srv,
		"fieftest.Tenant":                   srv.DefaultTenant(),
		"fieftest.UserConfig":               &fieftest.UserConfig{Password: secretMarker},
		"fieftest.User":                     user,
		"fiefdemo.Demo":                     &fiefdemo.Demo{Server: srv, Client: fc, User: user, Config: fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: secretMarker}},
		"fieftest.Mail":                     &fieftest.Mail{Type: fieftest.MailForgotPassword, To: "anne@bretagne.duchy", Code: secretMarker, ResetURL: "http://app.test/reset?token=" + secretMarker, Text: "Open http://app.test/reset?token=" + secretMarker},
	}
}

// adminClient returns an admin client whose API key is secretMarker.
func adminClient(t *testing.T) *fiefadmin.Client {
	c, err := fiefadmin.New(fiefadmin.Config{ServerURL: "https://fief.test", APIKey: secretMarker})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTokensNotPrintedByAnyVerb: every exported type holding a token, a code
// or a secret (found by reflection: a field, at any depth inside the
// module's types, named like one and holding bytes, or a private key)
// describes itself without it under every fmt verb, as a pointer and as a
// value, inside another value, and in log/slog's JSON and text output.
// Before, TokenResponse and AccessTokenInfo redacted in String only: %#v
// printed the tokens, and %d printed them through fmt's fallback.
func TestTokensNotPrintedByAnyVerb(t *testing.T) {
	declared := declaredExportedTypes(t, "..")
	for _, name := range declared {
		if _, ok := exportedTypes[name]; !ok {
			t.Errorf("exported type %s is not in exportedTypes: add it (and a sample, if it holds a token, code or secret)", name)
		}
	}
	for name := range exportedTypes {
		if !contains(declared, name) {
			t.Errorf("exportedTypes lists %s, which the module does not declare", name)
		}
	}
	samples := samples(t)
	var holding []string
	for name, typ := range exportedTypes {
		path := secretField(typ, strings.SplitN(name, ".", 2)[0], map[reflect.Type]bool{})
		if path == "" {
			if _, ok := samples[name]; ok {
				t.Errorf("%s has a sample but holds no secret the walk finds", name)
			}
			continue
		}
		holding = append(holding, name)
		t.Run(name, func(t *testing.T) {
			ptr := reflect.PointerTo(typ)
			for _, iface := range []reflect.Type{reflect.TypeFor[fmt.Formatter](), reflect.TypeFor[slog.LogValuer]()} {
				if !ptr.Implements(iface) {
					t.Errorf("*%s (holding %s) does not implement %s", name, path, iface)
				}
			}
			// fmt calls Format first for every verb, %#v included: a
			// GoString beside it would be dead code promised forever.
			if ptr.Implements(reflect.TypeFor[fmt.GoStringer]()) {
				t.Errorf("*%s implements fmt.GoStringer beside fmt.Formatter: remove GoString", name)
			}
			sample, ok := samples[name]
			if !ok {
				t.Fatalf("%s holds a secret (%s) but has no sample", name, path)
			}
			checkRedacted(t, sample)
		})
	}
	// The admin client keeps its API key in a closure, out of the walk's
	// (and fmt's) reach: its output is checked all the same.
	t.Run("fiefadmin.Client", func(t *testing.T) { checkRedacted(t, adminClient(t)) })
	sort.Strings(holding)
	t.Logf("%d exported types, %d holding a token, code or secret: %s", len(declared), len(holding), strings.Join(holding, ", "))
	for _, must := range []string{"fief.TokenResponse", "fief.AccessTokenInfo", "fief.Config", "fief.ExchangeParams", "fief.Client", "fiefcli.Auth", "fiefhttp.WebConfig", "fiefhttp.WebFlow"} {
		if !contains(holding, must) {
			t.Errorf("the walk does not find the secret of %s", must)
		}
	}
}

// checkRedacted formats ptr and the value it points to with every verb, and
// logs them with slog's JSON and text handlers.
func checkRedacted(t *testing.T, ptr any) {
	t.Helper()
	val := reflect.ValueOf(ptr).Elem().Interface()
	forms := map[string]any{"pointer": ptr, "inside a slice": []any{ptr}, "inside a struct": struct{ V any }{ptr}}
	// A value of a type holding a lock is never copied (go vet's copylocks
	// reports it, fmt calls included): only its pointer is checked.
	if !holdsLock(reflect.TypeOf(val)) {
		forms["value"] = val
		forms["value inside a struct"] = struct{ V any }{val}
	}
	for form, v := range forms {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10.3v"} {
			if out := fmt.Sprintf(verb, v); leaks(out) {
				t.Errorf("%s, %s: %s", form, verb, leakContext(out))
			}
		}
		if out := fmt.Sprint(v) + fmt.Sprintln(v); leaks(out) {
			t.Errorf("%s, Sprint: %s", form, leakContext(out))
		}
	}
	for _, h := range []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"JSON", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
	} {
		var buf bytes.Buffer
		args := []any{"pointer", ptr, slog.Any("any", ptr)}
		if !holdsLock(reflect.TypeOf(val)) {
			args = append(args, "value", val, slog.Group("g", "v", val))
		}
		slog.New(h.new(&buf)).Info("sample", args...)
		if leaks(buf.String()) {
			t.Errorf("slog %s: %s", h.name, leakContext(buf.String()))
		}
	}
}

// leakForms are the forms in which secretMarker could show: its first 12
// characters, in hex, or as the decimal bytes fmt prints for a []byte.
var leakForms = []string{
	secretMarker[:12],
	hex.EncodeToString([]byte(secretMarker[:8])),
	strings.Trim(fmt.Sprint([]byte(secretMarker[:8])), "[]"),
}

// leaks reports whether out shows secretMarker in one of leakForms.
func leaks(out string) bool { return leakContext(out) != "" }

// leakContext returns the part of out around the first leak, or "".
func leakContext(out string) string {
	lower := strings.ToLower(out)
	for _, f := range leakForms {
		if i := strings.Index(lower, strings.ToLower(f)); i >= 0 {
			return fmt.Sprintf("...%s... (%d bytes)", out[max(0, i-120):min(len(out), i+60)], len(out))
		}
	}
	return ""
}

// secretField returns the path of a field of t holding a secret, or "",
// walking the module's own types (pointers, slices, maps and structs) and
// stopping at other packages' types.
func secretField(t reflect.Type, pkg string, seen map[reflect.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	for _, st := range secretTypes {
		if t == st {
			return t.String()
		}
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map, reflect.Chan:
		return secretField(t.Elem(), pkg, seen)
	case reflect.Struct:
	default:
		return ""
	}
	if t.PkgPath() != "" && !strings.HasPrefix(t.PkgPath(), "github.com/fief-dev/fief-go") {
		return ""
	}
	owner := pkg
	if t.PkgPath() != "" {
		owner = t.PkgPath()[strings.LastIndexByte(t.PkgPath(), '/')+1:]
		if owner == "fief-go" {
			owner = "fief"
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if _, ok := notSecret[owner+"."+t.Name()+"."+f.Name]; ok {
			continue
		}
		if f.IsExported() && redactsItself(f.Type) {
			continue // fmt and slog call its own methods
		}
		if secretName.MatchString(f.Name) && holdsBytes(f.Type) {
			return t.Name() + "." + f.Name
		}
		if p := secretField(f.Type, owner, seen); p != "" {
			return t.Name() + "." + f.Name + " > " + p
		}
	}
	return ""
}

// redactsItself reports whether values of t describe themselves under
// every verb and in slog, and marshal as text: a secret type such as
// fiefadmin.APIKey.
func redactsItself(t reflect.Type) bool {
	return t.Implements(reflect.TypeFor[fmt.Formatter]()) && t.Implements(reflect.TypeFor[slog.LogValuer]()) &&
		t.Implements(reflect.TypeFor[encoding.TextMarshaler]())
}

// holdsLock reports whether a value of t holds a sync lock by value.
func holdsLock(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Array:
		return holdsLock(t.Elem())
	case reflect.Struct:
		if t == reflect.TypeFor[sync.Mutex]() || t == reflect.TypeFor[sync.RWMutex]() {
			return true
		}
		for i := range t.NumField() {
			if holdsLock(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

func holdsBytes(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return t.Elem().Kind() == reflect.Uint8 || holdsBytes(t.Elem())
	}
	return false
}

// declaredExportedTypes parses the non-test Go files of the module at root
// (not the nested modules) and returns "package.Type" for every exported
// type declared at top level.
func declaredExportedTypes(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root {
				// The examples' helpers are no API: internal/demo tests
				// its own Env.
				if base := d.Name(); base == "testdata" || strings.HasPrefix(base, ".") || path == filepath.Join(root, "internal", "demo") || path == filepath.Join(root, "internal", "demotest") {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := f.Name.Name
		if pkg == "main" {
			return nil // a command's types are no API, and cannot be imported
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				if ts := spec.(*ast.TypeSpec); ts.Name.IsExported() {
					names = append(names, pkg+"."+ts.Name.Name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
