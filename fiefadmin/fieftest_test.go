package fiefadmin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fieftest"
)

// onFieftest returns an in-process Fief and an admin client of it.
func onFieftest(t *testing.T) (*fieftest.Server, *fiefadmin.Client) {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	admin, err := fiefadmin.New(fiefadmin.Config{
		ServerURL:  srv.DefaultTenant().BaseURL(),
		APIKey:     fiefadmin.APIKey(srv.AdminAPIKey()),
		HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, admin
}

// must turns a call's (value, error) into the value, failing the test on
// an error: must(f())(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("error %v, want %v", err, target)
	}
}

func defaultTenant(t *testing.T, admin *fiefadmin.Client) fiefadmin.Tenant {
	t.Helper()
	for _, tn := range collect(t, admin.Tenants.List(context.Background(), nil)) {
		if tn.Default {
			return tn
		}
	}
	t.Fatal("no default tenant")
	return fiefadmin.Tenant{}
}

// TestUsersOnFieftest: a user created, found, granted a permission and a
// role, given a token that carries them, updated and deleted.
func TestUsersOnFieftest(t *testing.T) {
	ctx := context.Background()
	srv, admin := onFieftest(t)
	app, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tenant := defaultTenant(t, admin)

	type profile struct {
		Nickname string `json:"nickname"`
	}
	_ = must(admin.UserFields.Create(ctx, fiefadmin.UserFieldCreate{Name: "Nickname", Slug: "nickname", Type: fiefadmin.UserFieldString,
		Configuration: fiefadmin.UserFieldConfiguration{AtRegistration: true, AtUpdate: true}}))(t)

	anne := must(admin.Users.Create(ctx, fiefadmin.UserCreate{
		Email: "anne@bretagne.duchy", Password: "Herm1ne-Tincture-Duchy!", EmailVerified: true, TenantID: tenant.ID,
		Fields: profile{Nickname: "Duchess"},
	}))(t)
	if anne.ID.IsZero() || anne.Email != "anne@bretagne.duchy" || !anne.EmailVerified || !anne.IsActive || anne.TenantID != tenant.ID || anne.Tenant.ID != tenant.ID {
		t.Errorf("created user %+v", anne)
	}
	if p := must(fiefadmin.FieldsOf[profile](anne))(t); p.Nickname != "Duchess" {
		t.Errorf("fields %s", anne.Fields)
	}
	_ = must(admin.Users.Create(ctx, fiefadmin.UserCreate{Email: "claude@france.kingdom", Password: "Herm1ne-Tincture-Duchy!", TenantID: tenant.ID}))(t)

	// The errors of creation.
	_, err = admin.Users.Create(ctx, fiefadmin.UserCreate{Email: "Anne@Bretagne.Duchy", Password: "Herm1ne-Tincture-Duchy!", TenantID: tenant.ID})
	wantErr(t, err, fiefadmin.CodeUserCreateAlreadyExists)
	_, err = admin.Users.Create(ctx, fiefadmin.UserCreate{Email: "weak@example.com", Password: "abc", TenantID: tenant.ID})
	var ae *fiefadmin.Error
	if !errors.Is(err, fiefadmin.CodeUserCreateInvalidPassword) || !errors.As(err, &ae) || len(ae.Reason) == 0 {
		t.Errorf("weak password: %v", err)
	}
	_, err = admin.Users.Create(ctx, fiefadmin.UserCreate{Email: "not-an-email", Password: "Herm1ne-Tincture-Duchy!", TenantID: tenant.ID})
	if !errors.Is(err, fiefadmin.ErrInvalid) || !errors.As(err, &ae) || len(ae.Fields) == 0 || ae.Fields[0].Location[1] != "email" {
		t.Errorf("bad email: %v", err)
	}

	// Get and the list filters.
	if got := must(admin.Users.Get(ctx, anne.ID))(t); got.Email != anne.Email {
		t.Errorf("Get: %+v", got)
	}
	emails := func(o *fiefadmin.UserListOptions) []string {
		var out []string
		for _, u := range must(admin.Users.ListPage(ctx, o))(t).Results {
			out = append(out, u.Email)
		}
		slices.Sort(out)
		return out
	}
	if got := emails(&fiefadmin.UserListOptions{Email: "ANNE@bretagne.duchy"}); !slices.Equal(got, []string{"anne@bretagne.duchy"}) {
		t.Errorf("email filter: %v", got)
	}
	if got := emails(&fiefadmin.UserListOptions{Query: "france"}); !slices.Equal(got, []string{"claude@france.kingdom"}) {
		t.Errorf("query filter: %v", got)
	}
	if got := emails(&fiefadmin.UserListOptions{Tenant: tenant.ID}); !slices.Equal(got, []string{"anne@bretagne.duchy", "claude@france.kingdom"}) {
		t.Errorf("tenant filter: %v", got)
	}

	// A permission granted directly and one through a role show in the
	// user's lists and in the next access token.
	read := must(admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: "Castles read", Codename: "castles:read"}))(t)
	write := must(admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: "Castles write", Codename: "castles:write"}))(t)
	manager := must(admin.Roles.Create(ctx, fiefadmin.RoleCreate{Name: "Castle manager", Permissions: []fiefadmin.UUID{write.ID}}))(t)
	if err := admin.Users.AddPermission(ctx, anne.ID, read.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, admin.Users.AddPermission(ctx, anne.ID, read.ID), fiefadmin.CodeUserPermissionCreateAlreadyAdded)
	wantErr(t, admin.Users.AddPermission(ctx, anne.ID, anne.ID), fiefadmin.CodeUserPermissionCreateNotExisting)
	if err := admin.Users.AddRole(ctx, anne.ID, manager.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, admin.Users.AddRole(ctx, anne.ID, manager.ID), fiefadmin.CodeUserRoleCreateAlreadyAdded)
	wantErr(t, admin.Users.AddRole(ctx, anne.ID, read.ID), fiefadmin.CodeUserRoleCreateNotExisting)

	roles := collect(t, admin.Users.Roles(ctx, anne.ID, nil))
	if len(roles) != 1 || roles[0].RoleID != manager.ID || roles[0].Role.Name != "Castle manager" || roles[0].UserID != anne.ID {
		t.Errorf("roles %+v", roles)
	}
	codenames := map[string]bool{}
	for _, p := range collect(t, admin.Users.Permissions(ctx, anne.ID, nil)) {
		fromRole := p.FromRoleID != nil && *p.FromRoleID == manager.ID && p.FromRole != nil && p.FromRole.ID == manager.ID
		codenames[p.Permission.Codename] = fromRole
	}
	if len(codenames) != 2 || codenames["castles:read"] || !codenames["castles:write"] {
		t.Errorf("permissions (codename: from the role) %v", codenames)
	}
	if page := must(admin.Users.PermissionsPage(ctx, anne.ID, &fiefadmin.ListOptions{Limit: 1}))(t); page.Count != 2 || len(page.Results) != 1 {
		t.Errorf("permissions page %+v", page)
	}
	if page := must(admin.Users.RolesPage(ctx, anne.ID, nil))(t); page.Count != 1 {
		t.Errorf("roles page %+v", page)
	}

	appID := must(fiefadmin.ParseUUID(appUUID(t, admin, app.ClientID)))(t)
	token := must(admin.Users.CreateAccessToken(ctx, anne.ID, appID, []string{"openid"}))(t)
	if token.TokenType != "bearer" || token.ExpiresIn <= 0 {
		t.Errorf("token %v", token)
	}
	fc := must(fief.New(fief.Config{BaseURL: srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret, HTTPClient: srv.Client()}))(t)
	info, err := fc.ValidateAccessToken(ctx, token.AccessToken, fief.Requirements{Permissions: []string{"castles:read", "castles:write"}})
	if err != nil {
		t.Fatalf("the minted token: %v", err)
	}
	if info.ID != anne.ID.String() {
		t.Errorf("token of %s, want %s", info.ID, anne.ID)
	}
	_, err = admin.Users.CreateAccessToken(ctx, anne.ID, anne.ID, []string{"openid"})
	wantErr(t, err, fiefadmin.CodeUserCreateAccessTokenUnknownClient)

	// Revoking: the direct permission, the role; removing again is a 404.
	if err := admin.Users.RemovePermission(ctx, anne.ID, read.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, admin.Users.RemovePermission(ctx, anne.ID, read.ID), fiefadmin.ErrNotFound)
	wantErr(t, admin.Users.RemovePermission(ctx, anne.ID, write.ID), fiefadmin.ErrNotFound) // held through the role only
	if err := admin.Users.RemoveRole(ctx, anne.ID, manager.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, admin.Users.RemoveRole(ctx, anne.ID, manager.ID), fiefadmin.ErrNotFound)
	if left := collect(t, admin.Users.Permissions(ctx, anne.ID, nil)); len(left) != 0 {
		t.Errorf("permissions left %+v", left)
	}
	token = must(admin.Users.CreateAccessToken(ctx, anne.ID, appID, []string{"openid"}))(t)
	_, err = fc.ValidateAccessToken(ctx, token.AccessToken, fief.Requirements{Permissions: []string{"castles:read"}})
	wantErr(t, err, fief.ErrMissingPermission)

	if accounts := must(admin.Users.OAuthAccountsPage(ctx, anne.ID, nil))(t); accounts.Count != 0 || len(collect(t, admin.Users.OAuthAccounts(ctx, anne.ID, nil))) != 0 {
		t.Errorf("OAuth accounts %+v", accounts)
	}

	// Update: email, verification, password, fields.
	updated := must(admin.Users.Update(ctx, anne.ID, fiefadmin.UserUpdate{
		Email: fiefadmin.Ptr("anne.de.bretagne@bretagne.duchy"), EmailVerified: fiefadmin.Ptr(false),
		Password: fiefadmin.Ptr("N3w-Herm1ne-Tincture-Duchy!"), Fields: map[string]any{"nickname": "Queen"},
	}))(t)
	if p := must(fiefadmin.FieldsOf[profile](updated))(t); updated.Email != "anne.de.bretagne@bretagne.duchy" || updated.EmailVerified || p.Nickname != "Queen" {
		t.Errorf("updated %+v", updated)
	}
	_, err = admin.Users.Update(ctx, anne.ID, fiefadmin.UserUpdate{Email: fiefadmin.Ptr("claude@france.kingdom")})
	wantErr(t, err, fiefadmin.CodeUserUpdateEmailAlreadyExists)
	_, err = admin.Users.Update(ctx, anne.ID, fiefadmin.UserUpdate{Password: fiefadmin.Ptr("x")})
	wantErr(t, err, fiefadmin.CodeUserUpdateInvalidPassword)

	// Delete.
	if err := admin.Users.Delete(ctx, anne.ID); err != nil {
		t.Fatal(err)
	}
	_, err = admin.Users.Get(ctx, anne.ID)
	wantErr(t, err, fiefadmin.ErrNotFound)
	wantErr(t, admin.Users.Delete(ctx, anne.ID), fiefadmin.ErrNotFound)
	_, err = admin.Users.Update(ctx, anne.ID, fiefadmin.UserUpdate{EmailVerified: fiefadmin.Ptr(true)})
	wantErr(t, err, fiefadmin.ErrNotFound)
}

// appUUID finds the admin API id of a client from its client_id.
func appUUID(t *testing.T, admin *fiefadmin.Client, clientID string) string {
	t.Helper()
	for _, c := range collect(t, admin.Clients.List(context.Background(), nil)) {
		if c.ClientID == clientID {
			return c.ID.String()
		}
	}
	t.Fatalf("no client %s", clientID)
	return ""
}

func TestPermissionsAndRolesOnFieftest(t *testing.T) {
	ctx := context.Background()
	_, admin := onFieftest(t)

	read := must(admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: "Castles read", Codename: "castles:read"}))(t)
	_, err := admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: "dup", Codename: "castles:read"})
	wantErr(t, err, fiefadmin.CodePermissionCreateCodenameAlreadyExists)
	write := must(admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: "Castles write", Codename: "castles:write"}))(t)
	if got := must(admin.Permissions.Get(ctx, read.ID))(t); got.Codename != "castles:read" || got.Name != "Castles read" {
		t.Errorf("Get %+v", got)
	}
	if page := must(admin.Permissions.ListPage(ctx, &fiefadmin.SearchOptions{Query: "WRITE"}))(t); page.Count != 1 || page.Results[0].ID != write.ID {
		t.Errorf("search %+v", page)
	}
	if got := must(admin.Permissions.Update(ctx, write.ID, fiefadmin.PermissionUpdate{Name: fiefadmin.Ptr("Castles build")}))(t); got.Name != "Castles build" || got.Codename != "castles:write" {
		t.Errorf("Update %+v", got)
	}
	_, err = admin.Permissions.Update(ctx, write.ID, fiefadmin.PermissionUpdate{Codename: fiefadmin.Ptr("castles:read")})
	wantErr(t, err, fiefadmin.CodePermissionUpdateCodenameAlreadyExists)

	role := must(admin.Roles.Create(ctx, fiefadmin.RoleCreate{Name: "Keeper", GrantedByDefault: true, Permissions: []fiefadmin.UUID{read.ID, write.ID}}))(t)
	if len(role.Permissions) != 2 || !role.GrantedByDefault {
		t.Errorf("role %+v", role)
	}
	_, err = admin.Roles.Create(ctx, fiefadmin.RoleCreate{Name: "Ghost", Permissions: []fiefadmin.UUID{role.ID}})
	wantErr(t, err, fiefadmin.CodeRoleCreateNotExistingPermission)
	if got := must(admin.Roles.Get(ctx, role.ID))(t); got.Name != "Keeper" {
		t.Errorf("Get %+v", got)
	}
	// Leaving Permissions nil keeps them; an empty list removes them all.
	got := must(admin.Roles.Update(ctx, role.ID, fiefadmin.RoleUpdate{Name: fiefadmin.Ptr("Warden")}))(t)
	if got.Name != "Warden" || len(got.Permissions) != 2 {
		t.Errorf("Update name %+v", got)
	}
	got = must(admin.Roles.Update(ctx, role.ID, fiefadmin.RoleUpdate{GrantedByDefault: fiefadmin.Ptr(false), Permissions: []fiefadmin.UUID{}}))(t)
	if got.GrantedByDefault || len(got.Permissions) != 0 {
		t.Errorf("Update permissions %+v", got)
	}
	_, err = admin.Roles.Update(ctx, role.ID, fiefadmin.RoleUpdate{Permissions: []fiefadmin.UUID{role.ID}})
	wantErr(t, err, fiefadmin.CodeRoleUpdateNotExistingPermission)
	if roles := collect(t, admin.Roles.List(ctx, &fiefadmin.SearchOptions{Query: "ward"})); len(roles) != 1 {
		t.Errorf("List %+v", roles)
	}
	if page := must(admin.Roles.ListPage(ctx, nil))(t); page.Count != 1 {
		t.Errorf("ListPage %+v", page)
	}
	if err := admin.Roles.Delete(ctx, role.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, admin.Roles.Delete(ctx, role.ID), fiefadmin.ErrNotFound)

	if err := admin.Permissions.Delete(ctx, read.ID); err != nil {
		t.Fatal(err)
	}
	_, err = admin.Permissions.Get(ctx, read.ID)
	wantErr(t, err, fiefadmin.ErrNotFound)
	if perms := collect(t, admin.Permissions.List(ctx, nil)); len(perms) != 1 || perms[0].ID != write.ID {
		t.Errorf("List after delete %+v", perms)
	}
}

func TestClientsAndTenantsOnFieftest(t *testing.T) {
	ctx := context.Background()
	srv, admin := onFieftest(t)
	tenant := defaultTenant(t, admin)

	other := must(admin.Tenants.Create(ctx, fiefadmin.TenantCreate{Name: "Bretagne", RegistrationAllowed: fiefadmin.Ptr(false)}))(t)
	if other.Default || other.RegistrationAllowed || other.Slug == "" {
		t.Errorf("tenant %+v", other)
	}
	if got := must(admin.Tenants.Get(ctx, other.ID))(t); got.Name != "Bretagne" {
		t.Errorf("Get %+v", got)
	}
	if got := must(admin.Tenants.Update(ctx, other.ID, fiefadmin.TenantUpdate{Name: fiefadmin.Ptr("Breizh"), ApplicationURL: fiefadmin.Ptr("https://app.example.com")}))(t); got.Name != "Breizh" || got.ApplicationURL == nil || *got.ApplicationURL != "https://app.example.com" {
		t.Errorf("Update %+v", got)
	}
	if page := must(admin.Tenants.ListPage(ctx, &fiefadmin.SearchOptions{Query: "breizh"}))(t); page.Count != 1 || page.Results[0].ID != other.ID {
		t.Errorf("search %+v", page)
	}

	cl := must(admin.Clients.Create(ctx, fiefadmin.OAuthClientCreate{
		Name: "Back office", FirstParty: true, ClientType: fiefadmin.ClientConfidential,
		RedirectURIs: []string{"https://backoffice.example.com/callback"}, TenantID: other.ID,
	}))(t)
	if cl.ClientID == "" || cl.ClientSecret == "" || cl.TenantID != other.ID || cl.EncryptJWK != nil || cl.AccessIDTokenLifetimeSeconds != 86400 {
		t.Errorf("client %v", cl)
	}
	_, err := admin.Clients.Create(ctx, fiefadmin.OAuthClientCreate{Name: "x", ClientType: fiefadmin.ClientPublic, RedirectURIs: []string{"https://x.example.com/cb"}, TenantID: cl.ID})
	wantErr(t, err, fiefadmin.CodeClientCreateUnknownTenant)
	if got := must(admin.Clients.Get(ctx, cl.ID))(t); got.Name != "Back office" {
		t.Errorf("Get %v", got)
	}
	got := must(admin.Clients.Update(ctx, cl.ID, fiefadmin.OAuthClientUpdate{ClientType: fiefadmin.Ptr(fiefadmin.ClientPublic), AccessIDTokenLifetimeSeconds: fiefadmin.Ptr(3600)}))(t)
	if got.ClientType != fiefadmin.ClientPublic || got.AccessIDTokenLifetimeSeconds != 3600 {
		t.Errorf("Update %v", got)
	}
	// Fief gives a new tenant a client of its own.
	page := must(admin.Clients.ListPage(ctx, &fiefadmin.OAuthClientListOptions{Tenant: other.ID}))(t)
	if page.Count != 2 || !slices.ContainsFunc(page.Results, func(c fiefadmin.OAuthClient) bool { return c.ID == cl.ID }) {
		t.Errorf("tenant filter %+v", page)
	}
	for _, c := range page.Results {
		if c.TenantID != other.ID {
			t.Errorf("client %s of tenant %s in the list of %s", c.Name, c.TenantID, other.ID)
		}
	}
	if all := collect(t, admin.Clients.List(ctx, nil)); len(all) < 2 {
		t.Errorf("List %d clients", len(all))
	}

	// The generated key is what a fief.Client of that client needs.
	key := must(admin.Clients.GenerateEncryptionKey(ctx, cl.ID))(t)
	if _, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: cl.ClientID, EncryptionKey: key}); err != nil {
		t.Errorf("the generated key does not configure a client: %v", err)
	}
	if got := must(admin.Clients.Get(ctx, cl.ID))(t); got.EncryptJWK == nil {
		t.Error("no public key stored after generation")
	}

	if err := admin.Clients.Delete(ctx, cl.ID); err != nil {
		t.Fatal(err)
	}
	_, err = admin.Clients.Get(ctx, cl.ID)
	wantErr(t, err, fiefadmin.ErrNotFound)
	if err := admin.Tenants.Delete(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, admin.Tenants.Delete(ctx, other.ID), fiefadmin.ErrNotFound)
	if all := collect(t, admin.Tenants.List(ctx, nil)); len(all) != 1 || all[0].ID != tenant.ID {
		t.Errorf("tenants left %+v", all)
	}
}

func TestWebhooksOnFieftest(t *testing.T) {
	ctx := context.Background()
	srv, admin := onFieftest(t)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer receiver.Close()
	hook := must(admin.Webhooks.Create(ctx, fiefadmin.WebhookCreate{URL: receiver.URL + "/hook", Events: []fiefadmin.WebhookEvent{fiefadmin.EventUserCreated}}))(t)
	if hook.Secret == "" || !slices.Equal(hook.Events, []fiefadmin.WebhookEvent{fiefadmin.EventUserCreated}) {
		t.Errorf("webhook %v", hook)
	}
	_, err := admin.Webhooks.Create(ctx, fiefadmin.WebhookCreate{URL: "http://127.0.0.1:9/x", Events: []fiefadmin.WebhookEvent{"user.exploded"}})
	wantErr(t, err, fiefadmin.ErrInvalid)
	if got := must(admin.Webhooks.Get(ctx, hook.ID))(t); got.URL != hook.URL {
		t.Errorf("Get %+v", got)
	}
	got := must(admin.Webhooks.Update(ctx, hook.ID, fiefadmin.WebhookUpdate{Events: []fiefadmin.WebhookEvent{fiefadmin.EventUserCreated, fiefadmin.EventUserDeleted}}))(t)
	if len(got.Events) != 2 || got.URL != hook.URL {
		t.Errorf("Update %+v", got)
	}
	again := must(admin.Webhooks.RegenerateSecret(ctx, hook.ID))(t)
	if again.Secret == "" || again.Secret == hook.Secret {
		t.Error("the secret did not change")
	}
	if page := must(admin.Webhooks.ListPage(ctx, nil))(t); page.Count != 1 || len(collect(t, admin.Webhooks.List(ctx, nil))) != 1 {
		t.Errorf("ListPage %+v", page)
	}
	// A user created through the admin API is delivered, and logged.
	user := must(admin.Users.Create(ctx, fiefadmin.UserCreate{Email: "anne@bretagne.duchy", Password: "Herm1ne-Tincture-Duchy!", TenantID: defaultTenant(t, admin).ID}))(t)
	if err := srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	logs := must(admin.Webhooks.LogsPage(ctx, hook.ID, nil))(t)
	if logs.Count != 1 || len(logs.Results) != 1 || len(collect(t, admin.Webhooks.Logs(ctx, hook.ID, nil))) != 1 {
		t.Fatalf("logs %+v, want the one delivery", logs)
	}
	if l := logs.Results[0]; l.WebhookID != hook.ID || l.Event != fiefadmin.EventUserCreated || l.Attempt != 1 || !l.Success ||
		l.Response == nil || *l.Response != `{"ok":true}` || !strings.Contains(l.Payload, user.ID.String()) {
		t.Errorf("log %+v", l)
	}
	if err := admin.Webhooks.Delete(ctx, hook.ID); err != nil {
		t.Fatal(err)
	}
	_, err = admin.Webhooks.LogsPage(ctx, hook.ID, nil)
	wantErr(t, err, fiefadmin.ErrNotFound)
}

func TestSettingsOnFieftest(t *testing.T) {
	ctx := context.Background()
	_, admin := onFieftest(t)

	templates := collect(t, admin.EmailTemplates.List(ctx, nil))
	if len(templates) == 0 {
		t.Fatal("no email template")
	}
	tpl := templates[0]
	if page := must(admin.EmailTemplates.ListPage(ctx, nil))(t); page.Count != len(templates) {
		t.Errorf("ListPage %+v", page)
	}
	if got := must(admin.EmailTemplates.Get(ctx, tpl.ID))(t); got.Type != tpl.Type {
		t.Errorf("Get %+v", got)
	}
	if got := must(admin.EmailTemplates.Update(ctx, tpl.ID, fiefadmin.EmailTemplateUpdate{Subject: fiefadmin.Ptr("Hello {{ user.email }}")}))(t); got.Subject != "Hello {{ user.email }}" {
		t.Errorf("Update %+v", got)
	}
	_, err := admin.EmailTemplates.Update(ctx, tpl.ID, fiefadmin.EmailTemplateUpdate{Content: fiefadmin.Ptr("{{ broken")})
	wantErr(t, err, fiefadmin.CodeEmailTemplateInvalidTemplate)

	prov := must(admin.OAuthProviders.Create(ctx, fiefadmin.OAuthProviderCreate{Provider: fiefadmin.ProviderGitHub, ClientID: "gh-id", ClientSecret: "gh-secret", Scopes: []string{"user:email"}, Name: "GitHub"}))(t)
	if prov.Provider != fiefadmin.ProviderGitHub || prov.Name == nil || *prov.Name != "GitHub" {
		t.Errorf("provider %v", prov)
	}
	if got := must(admin.OAuthProviders.Get(ctx, prov.ID))(t); got.ClientID != "gh-id" {
		t.Errorf("Get %v", got)
	}
	if got := must(admin.OAuthProviders.Update(ctx, prov.ID, fiefadmin.OAuthProviderUpdate{Scopes: []string{"read:user"}}))(t); !slices.Equal(got.Scopes, []string{"read:user"}) {
		t.Errorf("Update %v", got)
	}
	if page := must(admin.OAuthProviders.ListPage(ctx, &fiefadmin.SearchOptions{Query: "git"}))(t); page.Count != 1 || len(collect(t, admin.OAuthProviders.List(ctx, nil))) != 1 {
		t.Errorf("ListPage %+v", page)
	}
	someone := must(fiefadmin.ParseUUID("5779545c-079b-4e18-a9dd-3ae8a9271b9c"))(t)
	_, err = admin.OAuthProviders.AccessToken(ctx, prov.ID, someone)
	wantErr(t, err, fiefadmin.ErrNotFound)
	if err := admin.OAuthProviders.Delete(ctx, prov.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, admin.OAuthProviders.Delete(ctx, prov.ID), fiefadmin.ErrNotFound)

	field := must(admin.UserFields.Create(ctx, fiefadmin.UserFieldCreate{Name: "Plan", Slug: "plan", Type: fiefadmin.UserFieldChoice,
		Configuration: fiefadmin.UserFieldConfiguration{Required: true, Choices: [][2]string{{"free", "Free"}, {"pro", "Pro"}}, Default: "free"}}))(t)
	if field.Type != fiefadmin.UserFieldChoice || len(field.Configuration.Choices) != 2 || field.Configuration.Default != "free" {
		t.Errorf("field %+v", field)
	}
	_, err = admin.UserFields.Create(ctx, fiefadmin.UserFieldCreate{Name: "Plan 2", Slug: "plan", Type: fiefadmin.UserFieldString})
	wantErr(t, err, fiefadmin.CodeUserFieldSlugAlreadyExists)
	if got := must(admin.UserFields.Get(ctx, field.ID))(t); got.Slug != "plan" {
		t.Errorf("Get %+v", got)
	}
	if got := must(admin.UserFields.Update(ctx, field.ID, fiefadmin.UserFieldUpdate{Name: fiefadmin.Ptr("Subscription")}))(t); got.Name != "Subscription" || got.Slug != "plan" {
		t.Errorf("Update %+v", got)
	}
	if page := must(admin.UserFields.ListPage(ctx, nil))(t); page.Count != 1 || len(collect(t, admin.UserFields.List(ctx, nil))) != 1 {
		t.Errorf("ListPage %+v", page)
	}
	if err := admin.UserFields.Delete(ctx, field.ID); err != nil {
		t.Fatal(err)
	}
	_, err = admin.UserFields.Get(ctx, field.ID)
	wantErr(t, err, fiefadmin.ErrNotFound)
}

func TestAuthOnFieftest(t *testing.T) {
	srv, _ := onFieftest(t)
	bad := must(fiefadmin.New(fiefadmin.Config{ServerURL: srv.URL, APIKey: "not-the-key", HTTPClient: srv.Client()}))(t)
	_, err := bad.Users.ListPage(context.Background(), nil)
	wantErr(t, err, fiefadmin.ErrUnauthorized)
}

// TestListOnFieftest walks 250 users of fieftest in pages of several sizes:
// every user once, and an early exit stops fetching.
func TestListOnFieftest(t *testing.T) {
	ctx := context.Background()
	srv, _ := onFieftest(t)
	ids := map[string]bool{}
	for i := range 250 {
		u, err := srv.AddUser(fieftest.UserConfig{Email: fmt.Sprintf("user%03d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[u.ID] = true
	}
	counter := &countingClient{}
	hc := srv.Client()
	counter.base = hc.Transport
	hc.Transport = counter
	admin := must(fiefadmin.New(fiefadmin.Config{ServerURL: srv.URL, APIKey: fiefadmin.APIKey(srv.AdminAPIKey()), HTTPClient: hc}))(t)

	for _, size := range []int{13, 0, 250} {
		counter.n = 0
		seen := map[string]int{}
		for u, err := range admin.Users.List(ctx, &fiefadmin.UserListOptions{ListOptions: fiefadmin.ListOptions{Limit: size}}) {
			if err != nil {
				t.Fatal(err)
			}
			seen[u.ID.String()]++
		}
		pageSize := min(max(size, 0), 100)
		if size == 0 {
			pageSize = 100
		}
		wantRequests := (250 + pageSize - 1) / pageSize
		if len(seen) != 250 || counter.n != wantRequests {
			t.Errorf("size %d: %d users in %d requests, want 250 in %d", size, len(seen), counter.n, wantRequests)
		}
		for id, k := range seen {
			if !ids[id] || k != 1 {
				t.Errorf("size %d: user %s seen %d times", size, id, k)
			}
		}
	}

	counter.n = 0
	n := 0
	for _, err := range admin.Users.List(ctx, &fiefadmin.UserListOptions{ListOptions: fiefadmin.ListOptions{Limit: 10}}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 25 {
			break
		}
	}
	if counter.n != 3 {
		t.Errorf("%d requests to read 25 users in pages of 10, want 3", counter.n)
	}
}
