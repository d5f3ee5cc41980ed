package fieftest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// UserConfig describes a user for [Tenant.AddUser]. The zero value is an
// active, verified user with a random ID and no email, password, fields or
// permissions.
type UserConfig struct {
	// ID is the user's UUID; a random version 4 UUID when empty. Like
	// Fief's, the admin API addresses only version 4 UUIDs (others are a
	// 422).
	ID string
	// Email and Password are the login credentials.
	Email, Password string
	// Unverified makes email_verified false: after the login form the user
	// must then enter the code sent by /verify-request (see
	// [Server.EmailVerificationCode]) on /verify.
	Unverified bool
	// Inactive makes is_active false: the user cannot log in and the user
	// API answers 401 to its tokens.
	Inactive bool
	// Fields are the user-field values, keyed by field slug (the "fields"
	// claim). They are copied through JSON.
	Fields map[string]any
	// Permissions are the codenames of the user's direct permissions (the
	// "permissions" claim of its access tokens). A permission that does not
	// exist yet is created, with the codename as name.
	Permissions []string
}

// User is a user of a [Tenant].
type User struct {
	// ID is the user's UUID, the sub claim.
	ID string

	tenant *Tenant

	// Guarded by tenant.srv.mu.
	email        string
	verified     bool
	active       bool
	salt, pwHash []byte
	fields       map[string]any
	perms        []*userPerm // direct and role-derived, in grant order
	roles        []*userRole
	pendingCode  string // email verification code, "" if none
	pendingEmail string // the address pendingCode verifies
	seq          int64
	created      time.Time
	updated      time.Time
}

// AddUser adds a user to the tenant. It fails if the tenant already has a
// user with this ID or email (compared case-insensitively), or if the
// fields cannot be encoded as JSON.
func (t *Tenant) AddUser(cfg UserConfig) (*User, error) {
	fields, err := copyFieldsChecked(cfg.Fields)
	if err != nil {
		return nil, fmt.Errorf("fieftest: user %s: %w", cfg.Email, err)
	}
	u := &User{
		ID:       cfg.ID,
		tenant:   t,
		email:    cfg.Email,
		verified: !cfg.Unverified,
		active:   !cfg.Inactive,
		fields:   fields,
	}
	if u.ID == "" {
		u.ID = newUUID()
	}
	u.setPasswordLocked(cfg.Password)
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	if err := t.insertUserLocked(u); err != nil {
		return nil, fmt.Errorf("fieftest: %w", err)
	}
	t.srv.setDirectPermissionsLocked(u, cfg.Permissions)
	return u, nil
}

// insertUserLocked stores a new user, announces it, and grants it the
// roles granted by default.
func (t *Tenant) insertUserLocked(u *User) error {
	if _, dup := t.users[u.ID]; dup {
		return fmt.Errorf("duplicate user ID %q", u.ID)
	}
	key := strings.ToLower(u.email)
	if _, dup := t.byEmail[key]; dup {
		return fmt.Errorf("duplicate user email %q", u.email)
	}
	s := t.srv
	u.seq = s.adm.nextSeq()
	u.created = s.nowLocked()
	u.updated = u.created
	t.users[u.ID] = u
	t.byEmail[key] = u
	s.emitLocked(eventUserCreated, u.readLocked())
	for _, r := range sortedBySeq(s.adm.roles) {
		if r.grantedByDefault {
			// Fief 0.30.0 grants default roles in the request, with
			// user_role.created; 0.26.3's worker did it silently.
			s.grantRoleAnnouncedLocked(u, r, !s.legacyLocked())
		}
	}
	return nil
}

// copyFields deep-copies user-field values through JSON. It panics on
// values JSON cannot encode; see copyFieldsChecked.
func copyFields(f map[string]any) map[string]any {
	out, err := copyFieldsChecked(f)
	if err != nil {
		panic("fieftest: " + err.Error())
	}
	return out
}

// copyFieldsChecked deep-copies user-field values through JSON.
func copyFieldsChecked(f map[string]any) (map[string]any, error) {
	out := map[string]any{}
	if len(f) == 0 {
		return out, nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("user fields are not JSON: %w", err)
	}
	json.Unmarshal(b, &out)
	return out, nil
}

// Tenant returns the tenant the user belongs to.
func (u *User) Tenant() *Tenant { return u.tenant }

// Claims returns a copy of the user claims: sub, email, email_verified,
// is_active, tenant_id and fields, as in /api/userinfo.
func (u *User) Claims() map[string]any {
	u.tenant.srv.mu.Lock()
	defer u.tenant.srv.mu.Unlock()
	return u.claimsLocked()
}

func (u *User) claimsLocked() map[string]any {
	return map[string]any{
		"sub":            u.ID,
		"email":          u.email,
		"email_verified": u.verified,
		"is_active":      u.active,
		"tenant_id":      u.tenant.id,
		"fields":         copyFields(u.fields),
	}
}

// Email returns the user's current email address: it follows a change made
// through the user API, the admin API or the forms.
func (u *User) Email() string {
	u.tenant.srv.mu.Lock()
	defer u.tenant.srv.mu.Unlock()
	return u.email
}

// Permissions returns the codenames of the user's permissions, direct
// and through its roles, without duplicates: the "permissions" claim of
// its access tokens.
func (u *User) Permissions() []string {
	u.tenant.srv.mu.Lock()
	defer u.tenant.srv.mu.Unlock()
	return u.permissionCodenamesLocked()
}

func (u *User) permissionCodenamesLocked() []string {
	out := []string{}
	for _, up := range u.perms {
		if !slices.Contains(out, up.perm.codename) {
			out = append(out, up.perm.codename)
		}
	}
	return out
}

// SetPermissions replaces the user's direct permissions with the
// permissions of these codenames (creating, with the codename as name, the
// ones that do not exist yet); permissions that come with its roles stay.
// Tokens issued afterwards carry them.
func (u *User) SetPermissions(p []string) {
	u.tenant.srv.mu.Lock()
	defer u.tenant.srv.mu.Unlock()
	u.tenant.srv.setDirectPermissionsLocked(u, p)
}

// SetActive sets is_active.
func (u *User) SetActive(active bool) {
	u.update(func() { u.active = active })
}

// SetEmailVerified sets email_verified.
func (u *User) SetEmailVerified(verified bool) {
	u.update(func() { u.verified = verified })
}

// SetFields replaces the user's field values (copied through JSON).
func (u *User) SetFields(f map[string]any) {
	c := copyFields(f)
	u.update(func() { u.fields = c })
}

// SetPassword sets the user's password, without any policy check.
func (u *User) SetPassword(password string) {
	u.update(func() { u.setPasswordLocked(password) })
}

// ResetPassword sets the user's password as Fief's forgotten-password flow
// does when the user completes it: user.password_reset, where
// [User.SetPassword] (an admin's or the user API's change) sends
// user.updated. A reset link sent before no longer works.
func (u *User) ResetPassword(password string) {
	s := u.tenant.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	u.resetPasswordLocked(password)
}

func (u *User) resetPasswordLocked(password string) {
	s := u.tenant.srv
	u.setPasswordLocked(password)
	u.updated = s.nowLocked()
	s.emitLocked(eventUserPasswordReset, u.readLocked())
}

// update applies change under the lock, then stamps and announces it.
func (u *User) update(change func()) {
	s := u.tenant.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	before := u.stateLocked()
	change()
	s.userUpdatedLocked(u, before)
}

// stateLocked is what updated_at follows: the user's columns, password
// hash included, without the timestamps.
func (u *User) stateLocked() string {
	r := u.readLocked()
	r.timestamps = timestamps{}
	b, _ := json.Marshal(r)
	return string(b) + string(u.pwHash)
}

// userUpdatedLocked announces user.updated, as Fief does after every
// successful update, and stamps updated_at if the user changed since the
// state before (the database bumps it only then).
func (s *Server) userUpdatedLocked(u *User, before string) {
	if u.stateLocked() != before {
		u.updated = s.nowLocked()
	}
	s.emitLocked(eventUserUpdated, u.readLocked())
}

// CheckPassword reports whether password is the user's password.
func (u *User) CheckPassword(password string) bool {
	u.tenant.srv.mu.Lock()
	defer u.tenant.srv.mu.Unlock()
	return u.checkPasswordLocked(password)
}

func (u *User) setPasswordLocked(password string) {
	u.salt = make([]byte, 16)
	rand.Read(u.salt)
	u.pwHash = hashPassword(u.salt, password)
}

func (u *User) checkPasswordLocked(password string) bool {
	return subtle.ConstantTimeCompare(hashPassword(u.salt, password), u.pwHash) == 1
}

// hashPassword is a fast salted hash: enough to keep plain passwords out of
// memory dumps in tests, not a password hash for production.
func hashPassword(salt []byte, password string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(password))
	return h.Sum(nil)
}

// setEmailLocked changes the user's email, keeping the tenant index.
func (u *User) setEmailLocked(email string) {
	delete(u.tenant.byEmail, strings.ToLower(u.email))
	u.email = email
	u.tenant.byEmail[strings.ToLower(email)] = u
}
