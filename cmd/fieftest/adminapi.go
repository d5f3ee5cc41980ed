package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// adminAPI calls the admin API of a running server, as any program can:
// a bearer key and JSON over HTTP.
type adminAPI struct {
	origin string // scheme://host[:port], without a trailing slash
	key    string
	hc     *http.Client
}

// call sends a JSON body (nil for none) to path under /admin/api and
// decodes a 2xx answer into out (nil to ignore it). Any other status is an
// error that quotes Fief's detail.
func (a *adminAPI) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.origin+"/admin/api"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return fmt.Errorf("fieftest: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("fieftest: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return &adminError{method: method, path: path, status: resp.StatusCode, body: strings.TrimSpace(string(data))}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("fieftest: %s %s: the answer is not the JSON expected: %w", method, path, err)
	}
	return nil
}

// adminError is a non-2xx answer of the admin API.
type adminError struct {
	method, path string
	status       int
	body         string
}

func (e *adminError) Error() string {
	msg := fmt.Sprintf("fieftest: %s /admin/api%s: %d %s", e.method, e.path, e.status, e.body)
	if e.status == http.StatusUnauthorized || e.status == http.StatusForbidden {
		msg += " (is FIEF_ADMIN_API_KEY, or the file of -admin-key-file, the key the server printed?)"
	}
	return msg
}

// adminTenant is the tenant embedded in the admin API's users and clients.
type adminTenant struct {
	ID      string `json:"id"`
	Slug    string `json:"slug"`
	Default bool   `json:"default"`
}

type adminUser struct {
	ID     string      `json:"id"`
	Email  string      `json:"email"`
	Tenant adminTenant `json:"tenant"`
}

type adminClient struct {
	ID           string      `json:"id"`
	ClientID     string      `json:"client_id"`
	ClientSecret string      `json:"client_secret"`
	ClientType   string      `json:"client_type"`
	FirstParty   bool        `json:"first_party"`
	RedirectURIs []string    `json:"redirect_uris"`
	Tenant       adminTenant `json:"tenant"`
}

type adminPermission struct {
	ID       string `json:"id"`
	Codename string `json:"codename"`
}

type page[T any] struct {
	Count   int `json:"count"`
	Results []T `json:"results"`
}

// findUser returns the user with this email, in the tenant of slug when
// tenantSlug is given ("" for the default tenant, nil for any tenant, as
// long as only one has the email).
func (a *adminAPI) findUser(ctx context.Context, email string, tenantSlug *string) (*adminUser, error) {
	var p page[adminUser]
	if err := a.call(ctx, "GET", "/users/?limit=100&email="+url.QueryEscape(email), nil, &p); err != nil {
		return nil, err
	}
	var found []adminUser
	for _, u := range p.Results {
		if tenantSlug == nil || (*tenantSlug == "" && u.Tenant.Default) || (*tenantSlug != "" && u.Tenant.Slug == *tenantSlug) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("fieftest: no user %s on the server", email)
	case 1:
		return &found[0], nil
	default:
		slugs := make([]string, len(found))
		for i, u := range found {
			slugs[i] = u.Tenant.Slug
		}
		return nil, fmt.Errorf("fieftest: %s is a user of several tenants (%s): choose one with -tenant", email, strings.Join(slugs, ", "))
	}
}

// findClient returns the client with this client_id, or the first client
// of the tenant when clientID is "".
func (a *adminAPI) findClient(ctx context.Context, tenantID, clientID string) (*adminClient, error) {
	var p page[adminClient]
	if err := a.call(ctx, "GET", "/clients/?limit=100&ordering=created_at&tenant="+url.QueryEscape(tenantID), nil, &p); err != nil {
		return nil, err
	}
	for _, c := range p.Results {
		if clientID == "" || c.ClientID == clientID {
			return &c, nil
		}
	}
	if clientID == "" {
		return nil, fmt.Errorf("fieftest: the user's tenant has no client: add one (-client-id, or the configuration file)")
	}
	return nil, fmt.Errorf("fieftest: no client %q in the user's tenant", clientID)
}

// grantPermission gives the user the permission with this codename,
// creating the permission when the server has none by that codename. A
// permission the user already holds directly is left as it is.
func (a *adminAPI) grantPermission(ctx context.Context, userID, codename string) error {
	var p page[adminPermission]
	if err := a.call(ctx, "GET", "/permissions/?limit=100&query="+url.QueryEscape(codename), nil, &p); err != nil {
		return err
	}
	var perm *adminPermission
	for i := range p.Results {
		if p.Results[i].Codename == codename {
			perm = &p.Results[i]
		}
	}
	if perm == nil {
		perm = &adminPermission{}
		if err := a.call(ctx, "POST", "/permissions/", map[string]string{"name": codename, "codename": codename}, perm); err != nil {
			return err
		}
	}
	err := a.call(ctx, "POST", "/users/"+userID+"/permissions", map[string]string{"id": perm.ID}, nil)
	var ae *adminError
	if errors.As(err, &ae) && ae.status == http.StatusBadRequest && strings.Contains(ae.body, "ALREADY_ADDED") {
		return nil
	}
	return err
}
