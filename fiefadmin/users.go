package fiefadmin

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// UsersService manages users, their permissions, roles and OAuth accounts
// (/admin/api/users). Every change fires Fief's user webhooks.
type UsersService struct{ c *Client }

// User is a user of a tenant.
type User struct {
	ID            UUID          `json:"id"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Email         string        `json:"email"`
	EmailVerified bool          `json:"email_verified"`
	IsActive      bool          `json:"is_active"`
	TenantID      UUID          `json:"tenant_id"`
	Tenant        TenantSummary `json:"tenant"`
	// Fields are the user's custom fields; see [FieldsOf].
	Fields Fields `json:"fields"`
}

// UserCreate is a new user.
type UserCreate struct {
	Email string `json:"email"`
	// Password is the user's password; Fief checks it against its
	// password policy.
	Password      string `json:"password,omitempty"`
	EmailVerified bool   `json:"email_verified"`
	// TenantID is the user's tenant, required: the nil UUID is left out of
	// the request, and Fief reports it missing.
	TenantID UUID `json:"tenant_id,omitzero"`
	// Fields are the custom fields: the application's struct (json tags
	// named after the fields' slugs) or a map. Nil sends none.
	Fields any `json:"fields,omitempty"`
}

// String describes u without its password.
func (u UserCreate) String() string {
	u.Password = redactSet(u.Password)
	type plain UserCreate
	return fmt.Sprintf("%+v", plain(u))
}

// UserUpdate changes a user; nil fields are left as they are.
type UserUpdate struct {
	Email         *string `json:"email,omitempty"`
	EmailVerified *bool   `json:"email_verified,omitempty"`
	Password      *string `json:"password,omitempty"`
	// Fields are custom fields to set (a struct or a map); nil sends none.
	Fields any `json:"fields,omitempty"`
}

// String describes u without its password.
func (u UserUpdate) String() string {
	if u.Password != nil {
		u.Password = Ptr(redacted)
	}
	return fmt.Sprintf("UserUpdate{Email: %s, EmailVerified: %s, Password: %s, Fields: %v}",
		ptrString(u.Email), ptrString(u.EmailVerified), ptrString(u.Password), u.Fields)
}

// UserListOptions filter and page the list of users.
type UserListOptions struct {
	ListOptions
	// Query keeps the users whose email contains it (case-insensitive).
	Query string
	// Email keeps the user with this email (case-insensitive).
	Email string
	// Tenant keeps the users of this tenant; the nil UUID keeps all.
	Tenant UUID
}

func (o *UserListOptions) list(op string) list {
	if o == nil {
		return newList(op, "/users/", nil, nil)
	}
	return newList(op, "/users/", &o.ListOptions, filters(o.Query, o.Email, o.Tenant))
}

// List walks every user matching opts (nil for all), page after page.
func (s *UsersService) List(ctx context.Context, opts *UserListOptions) iter.Seq2[User, error] {
	return all[User](ctx, s.c, opts.list("users.list"))
}

// ListPage returns one page of the users matching opts (nil for Fief's
// first page).
func (s *UsersService) ListPage(ctx context.Context, opts *UserListOptions) (*Page[User], error) {
	return page[User](ctx, s.c, opts.list("users.list"))
}

// Get returns a user.
func (s *UsersService) Get(ctx context.Context, id UUID) (*User, error) {
	return get[User](ctx, s.c, "users.get", "/users/%s", id)
}

// Create creates a user. Fief checks the password policy first
// ([CodeUserCreateInvalidPassword], with [Error.Reason]), then that the
// email is not taken in the tenant ([CodeUserCreateAlreadyExists]).
func (s *UsersService) Create(ctx context.Context, u UserCreate) (*User, error) {
	return create[User](ctx, s.c, "users.create", "/users/", u)
}

// Update changes a user.
func (s *UsersService) Update(ctx context.Context, id UUID, u UserUpdate) (*User, error) {
	return update[User](ctx, s.c, "users.update", "/users/%s", u, id)
}

// Delete deletes a user.
func (s *UsersService) Delete(ctx context.Context, id UUID) error {
	return remove(ctx, s.c, "users.delete", "/users/%s", id)
}

// AccessToken is an access token minted by the admin API.
type AccessToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	// ExpiresIn is the token's lifetime in seconds.
	ExpiresIn int `json:"expires_in"`
}

// String describes t without the token.
func (t AccessToken) String() string {
	return fmt.Sprintf("AccessToken{TokenType: %s, ExpiresIn: %d, AccessToken: %s}", t.TokenType, t.ExpiresIn, redactSet(t.AccessToken))
}

// CreateAccessToken mints an access token of the user for a client, with
// the given scopes. clientID is the client's id (its [OAuthClient.ID]), not its
// OAuth client_id string. The token's ACR is 0: Fief refuses it where a
// recent sign-in is required.
func (s *UsersService) CreateAccessToken(ctx context.Context, userID, clientID UUID, scopes []string) (*AccessToken, error) {
	if clientID.IsZero() {
		return nil, fmt.Errorf("fiefadmin: users.access_token: client id: %w", ErrNilID)
	}
	if scopes == nil {
		scopes = []string{}
	}
	body := struct {
		ClientID UUID     `json:"client_id"`
		Scopes   []string `json:"scopes"`
	}{clientID, scopes}
	return create[AccessToken](ctx, s.c, "users.access_token", "/users/%s/access-token", body, userID)
}

// UserPermission is a permission a user holds, directly or through a role.
type UserPermission struct {
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	UserID       UUID       `json:"user_id"`
	PermissionID UUID       `json:"permission_id"`
	Permission   Permission `json:"permission"`
	// FromRoleID and FromRole name the role the permission comes from; nil
	// for a permission granted directly.
	FromRoleID *UUID        `json:"from_role_id"`
	FromRole   *RoleSummary `json:"from_role"`
}

// UserRole is a role a user holds.
type UserRole struct {
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	UserID    UUID        `json:"user_id"`
	RoleID    UUID        `json:"role_id"`
	Role      RoleSummary `json:"role"`
}

// OAuthAccount is an account of a user at an OAuth provider.
type OAuthAccount struct {
	ID              UUID          `json:"id"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	AccountID       string        `json:"account_id"`
	OAuthProviderID UUID          `json:"oauth_provider_id"`
	OAuthProvider   OAuthProvider `json:"oauth_provider"`
}

// Permissions walks the permissions of a user, direct and from roles.
func (s *UsersService) Permissions(ctx context.Context, userID UUID, opts *ListOptions) iter.Seq2[UserPermission, error] {
	return all[UserPermission](ctx, s.c, newList("users.permissions", "/users/%s/permissions", opts, nil, userID))
}

// PermissionsPage returns one page of the permissions of a user.
func (s *UsersService) PermissionsPage(ctx context.Context, userID UUID, opts *ListOptions) (*Page[UserPermission], error) {
	return page[UserPermission](ctx, s.c, newList("users.permissions", "/users/%s/permissions", opts, nil, userID))
}

// AddPermission grants a permission to a user directly.
func (s *UsersService) AddPermission(ctx context.Context, userID, permissionID UUID) error {
	return s.addByID(ctx, "users.add_permission", "/users/%s/permissions", userID, permissionID)
}

// RemovePermission removes a permission granted directly to a user. A
// permission the user holds only through a role gives [ErrNotFound].
func (s *UsersService) RemovePermission(ctx context.Context, userID, permissionID UUID) error {
	return remove(ctx, s.c, "users.remove_permission", "/users/%s/permissions/%s", userID, permissionID)
}

// Roles walks the roles of a user.
func (s *UsersService) Roles(ctx context.Context, userID UUID, opts *ListOptions) iter.Seq2[UserRole, error] {
	return all[UserRole](ctx, s.c, newList("users.roles", "/users/%s/roles", opts, nil, userID))
}

// RolesPage returns one page of the roles of a user.
func (s *UsersService) RolesPage(ctx context.Context, userID UUID, opts *ListOptions) (*Page[UserRole], error) {
	return page[UserRole](ctx, s.c, newList("users.roles", "/users/%s/roles", opts, nil, userID))
}

// AddRole grants a role to a user. Fief then grants the role's
// permissions in the background: they may show in [UsersService.Permissions]
// a moment later.
func (s *UsersService) AddRole(ctx context.Context, userID, roleID UUID) error {
	return s.addByID(ctx, "users.add_role", "/users/%s/roles", userID, roleID)
}

// RemoveRole removes a role from a user, and with it the permissions it
// granted. As with [UsersService.AddRole], Fief removes those permissions
// in its background worker, after the call returns (measured 120 to 671
// ms later): until then [UsersService.Permissions] still lists them, and a
// token refreshed in between still carries them.
func (s *UsersService) RemoveRole(ctx context.Context, userID, roleID UUID) error {
	return remove(ctx, s.c, "users.remove_role", "/users/%s/roles/%s", userID, roleID)
}

// addByID posts {"id": id}; Fief answers 201 with a null body.
func (s *UsersService) addByID(ctx context.Context, op, path string, userID, id UUID) error {
	if id.IsZero() {
		return fmt.Errorf("fiefadmin: %s: %w", op, ErrNilID)
	}
	body := struct {
		ID UUID `json:"id"`
	}{id}
	return s.c.do(ctx, call{op: op, method: "POST", path: path, ids: []UUID{userID}, body: body}, nil)
}

// OAuthAccounts walks the OAuth accounts of a user.
func (s *UsersService) OAuthAccounts(ctx context.Context, userID UUID, opts *ListOptions) iter.Seq2[OAuthAccount, error] {
	return all[OAuthAccount](ctx, s.c, newList("users.oauth_accounts", "/users/%s/oauth-accounts", opts, nil, userID))
}

// OAuthAccountsPage returns one page of the OAuth accounts of a user.
func (s *UsersService) OAuthAccountsPage(ctx context.Context, userID UUID, opts *ListOptions) (*Page[OAuthAccount], error) {
	return page[OAuthAccount](ctx, s.c, newList("users.oauth_accounts", "/users/%s/oauth-accounts", opts, nil, userID))
}
