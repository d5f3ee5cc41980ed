package fiefadmin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefadmin"
)

// TestOAuthAccountAnswers decodes the two answers fieftest cannot give,
// having no social login: a user's linked OAuth accounts and a user's
// access token at a provider, shaped as Fief's OpenAPI document describes
// them; and checks which id goes where in the paths.
func TestOAuthAccountAnswers(t *testing.T) {
	const (
		providerID = "e3b0a8b5-9d3c-4a4e-8f6f-5c1a2b3c4d5e"
		userID     = "53ec6539-26c5-4a01-971d-02462c7dbcb1"
		accountID  = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
		provider   = `{"created_at":"2026-11-30T11:53:03.994238+00:00","updated_at":"2026-11-30T11:53:03.994246+00:00","id":"` + providerID +
			`","provider":"GITHUB","client_id":"gh-id","client_secret":"gh-secret","scopes":["user:email"],"name":"GitHub","openid_configuration_endpoint":null}`
	)
	answers := map[string]string{
		"/admin/api/oauth-providers/" + providerID + "/access-token/" + userID: `{"id":"` + accountID + `","account_id":"4242","access_token":"gho_s3cr3t","expires_at":"2026-12-01T10:00:00+00:00"}`,
		"/admin/api/users/" + userID + "/oauth-accounts": `{"count":1,"results":[{"created_at":"2026-11-30T11:55:00+00:00","updated_at":"2026-11-30T11:55:00+00:00","id":"` + accountID +
			`","account_id":"4242","oauth_provider_id":"` + providerID + `","oauth_provider":` + provider + `}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := answers[r.URL.Path]
		if !ok || r.Method != http.MethodGet {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":"Not Found"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	admin := must(fiefadmin.New(fiefadmin.Config{ServerURL: srv.URL, APIKey: secretKey}))(t)
	ctx := context.Background()
	pid, uid, aid := fiefadmin.MustParseUUID(providerID), fiefadmin.MustParseUUID(userID), fiefadmin.MustParseUUID(accountID)

	tok := must(admin.OAuthProviders.AccessToken(ctx, pid, uid))(t)
	wantExpiry := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if tok.ID != aid || tok.AccountID != "4242" || tok.AccessToken != "gho_s3cr3t" || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(wantExpiry) {
		t.Errorf("access token %+v", *tok)
	}
	_, err := admin.OAuthProviders.AccessToken(ctx, uid, pid)
	wantErr(t, err, fiefadmin.ErrNotFound)

	page := must(admin.Users.OAuthAccountsPage(ctx, uid, nil))(t)
	if page.Count != 1 || len(page.Results) != 1 {
		t.Fatalf("page %+v", page)
	}
	for _, a := range []fiefadmin.OAuthAccount{page.Results[0], collect(t, admin.Users.OAuthAccounts(ctx, uid, nil))[0]} {
		p := a.OAuthProvider
		if a.ID != aid || a.AccountID != "4242" || a.OAuthProviderID != pid || a.CreatedAt.IsZero() ||
			p.ID != pid || p.Provider != fiefadmin.ProviderGitHub || p.ClientSecret != "gh-secret" || p.Name == nil || *p.Name != "GitHub" || p.OpenIDConfigurationEndpoint != nil {
			t.Errorf("OAuth account %+v", a)
		}
	}
}
