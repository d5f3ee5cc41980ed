package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
)

// config is the JSON file given with -config. Every member is optional.
type config struct {
	// Addr is the address to listen on (flag -addr wins when given).
	Addr string `json:"addr"`
	// Domain is Fief's FIEF_DOMAIN: the issuer is "https://"+domain.
	Domain string `json:"domain"`
	// AdminAPIKey is the bearer key of the admin API; random when empty.
	AdminAPIKey string `json:"admin_api_key"`
	// KeySize is the size of the RSA keys the server generates.
	KeySize int `json:"key_size"`
	// Permissions and Roles are shared by every tenant.
	Permissions []permissionConfig `json:"permissions"`
	Roles       []roleConfig       `json:"roles"`
	// Tenants: the one with an empty slug is the default tenant, served at
	// the root; the others are served under "/"+slug.
	Tenants []tenantConfig `json:"tenants"`
}

type permissionConfig struct {
	Codename string `json:"codename"`
	Name     string `json:"name"`
}

type roleConfig struct {
	Name             string   `json:"name"`
	GrantedByDefault bool     `json:"granted_by_default"`
	Permissions      []string `json:"permissions"`
}

type tenantConfig struct {
	Slug                string         `json:"slug"`
	Name                string         `json:"name"`
	RegistrationAllowed *bool          `json:"registration_allowed"`
	Clients             []clientConfig `json:"clients"`
	Users               []userConfig   `json:"users"`
}

type clientConfig struct {
	Name                        string   `json:"name"`
	ClientID                    string   `json:"client_id"`
	ClientSecret                string   `json:"client_secret"`
	Public                      bool     `json:"public"`
	ThirdParty                  bool     `json:"third_party"`
	RedirectURIs                []string `json:"redirect_uris"`
	Encrypt                     bool     `json:"encrypt"`
	AccessIDTokenLifetimeSecond int      `json:"access_id_token_lifetime_seconds"`
}

type userConfig struct {
	ID          string         `json:"id"`
	Email       string         `json:"email"`
	Password    string         `json:"password"`
	Unverified  bool           `json:"unverified"`
	Inactive    bool           `json:"inactive"`
	Fields      map[string]any `json:"fields"`
	Permissions []string       `json:"permissions"`
	Roles       []string       `json:"roles"`
}

// readConfig reads a config file, refusing unknown members so that a typo
// does not pass silently.
func readConfig(path string) (*config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fieftest: reading the configuration: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("fieftest: configuration %s: %w", path, err)
	}
	return &c, nil
}

// validate checks what the fieftest methods would panic on.
func (c *config) validate() error {
	seenSlug := map[string]bool{}
	for _, t := range c.Tenants {
		if seenSlug[t.Slug] {
			return fmt.Errorf("fieftest: configuration: tenant slug %q twice", t.Slug)
		}
		seenSlug[t.Slug] = true
		for _, u := range t.Users {
			if u.Email == "" {
				return errors.New("fieftest: configuration: a user has no email")
			}
			for _, r := range u.Roles {
				if !c.hasRole(r) {
					return fmt.Errorf("fieftest: configuration: user %s has the unknown role %q", u.Email, r)
				}
			}
		}
	}
	return nil
}

func (c *config) hasRole(name string) bool {
	for _, r := range c.Roles {
		if r.Name == name {
			return true
		}
	}
	return false
}

// apply creates what the configuration describes on an unstarted server.
// It fails on what fieftest refuses (duplicate ids, emails, slugs or
// codenames, an unknown role).
func (c *config) apply(srv *fieftest.Server) error {
	if err := c.create(srv); err != nil {
		return fmt.Errorf("fieftest: configuration: %s", strings.TrimPrefix(err.Error(), "fieftest: "))
	}
	return nil
}

func (c *config) create(srv *fieftest.Server) (err error) {
	if c.AdminAPIKey != "" {
		if err := srv.SetAdminAPIKey(c.AdminAPIKey); err != nil {
			return err
		}
	}
	for _, p := range c.Permissions {
		name := p.Name
		if name == "" {
			name = p.Codename
		}
		if err := srv.AddPermission(p.Codename, name); err != nil {
			return err
		}
	}
	for _, r := range c.Roles {
		if _, err := srv.AddRole(fieftest.RoleConfig{Name: r.Name, GrantedByDefault: r.GrantedByDefault, Permissions: r.Permissions}); err != nil {
			return err
		}
	}
	for _, tc := range c.Tenants {
		t := srv.DefaultTenant()
		if tc.Slug != "" {
			t, err = srv.AddTenant(tc.Slug)
			if err != nil {
				return err
			}
		}
		if tc.Name != "" {
			t.SetName(tc.Name)
		}
		if tc.RegistrationAllowed != nil {
			t.SetRegistrationAllowed(*tc.RegistrationAllowed)
		}
		for _, cc := range tc.Clients {
			if _, err := t.AddClient(fieftest.ClientConfig{
				Name: cc.Name, ClientID: cc.ClientID, ClientSecret: cc.ClientSecret, Public: cc.Public, ThirdParty: cc.ThirdParty,
				RedirectURIs: cc.RedirectURIs, Encrypt: cc.Encrypt,
				TokenLifetime: time.Duration(cc.AccessIDTokenLifetimeSecond) * time.Second,
			}); err != nil {
				return err
			}
		}
		for _, uc := range tc.Users {
			u, err := t.AddUser(fieftest.UserConfig{
				ID: uc.ID, Email: uc.Email, Password: uc.Password, Unverified: uc.Unverified, Inactive: uc.Inactive,
				Fields: uc.Fields, Permissions: uc.Permissions,
			})
			if err != nil {
				return err
			}
			for _, r := range uc.Roles {
				if err := u.GrantRole(r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
