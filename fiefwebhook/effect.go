package fiefwebhook

import (
	"context"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
)

// DefaultRoleRemovalGrace is how long after a user_role.deleted is received
// the user's tokens carrying the role's permissions are still refused when
// [Config.RoleRemovalGrace] is zero. Fief sends user_role.deleted and takes
// the role's permissions from the user in two tasks of its worker (measured
// 120–671 ms apart): a refresh in between mints a token that still carries
// them, issued after the webhook. Five seconds covers that gap several times
// over.
const DefaultRoleRemovalGrace = 5 * time.Second

// MaxRoleRemovalGrace is the longest [Config.RoleRemovalGrace] [NewHandler]
// accepts. The grace puts the revocation's "not before" in the future, and a
// bus shares no time further ahead than a bound (fiefredis accepts this
// grace beyond its clock skew, and no more): a longer grace would make the
// revocation refused by the other instances.
const MaxRoleRemovalGrace = time.Minute

// Effect is what an event does to access.
type Effect struct {
	// UserID is the user whose cached user info is dropped when
	// DropUserInfo is set; "" when the event concerns no user.
	UserID string `json:"user,omitempty"`
	// DropUserInfo: the user's cached user info is stale.
	DropUserInfo bool `json:"drop_user_info,omitempty"`
	// Revocations are the entries to add to [fief.Revocations]: a
	// deleted user, a reset password, a removed permission or role, a
	// deactivation, a role or permission deleted or changed.
	Revocations []fief.Revocation `json:"revocations,omitempty"`
}

// None reports whether the effect does nothing.
func (f Effect) None() bool {
	return len(f.Revocations) == 0 && (f.UserID == "" || !f.DropUserInfo)
}

// EffectOf returns what e does to access, from e alone; at is the event's
// time (e.ReceivedAt):
//   - user.deleted: the user's tokens and sessions issued until then are
//     refused, and every token and session of the user for
//     [fief.DefaultRevocationKeep] after (a [fief.BlockUser]);
//   - user.updated of an inactive user: the same, until a user.updated of
//     the active user lifts the block (Fief still refreshes an inactive
//     user's tokens); the tokens issued before the deactivation stay
//     refused;
//   - user.password_reset, user_permission.deleted: the user's tokens and
//     sessions issued until then are refused;
//   - user_role.deleted: likewise, until [DefaultRoleRemovalGrace] after
//     (the [Handler] refines it: see [Config.RoleRemovalGrace]);
//   - role.deleted: every token issued until then that carries one of the
//     role's permissions is refused; permission.deleted: every token issued
//     until then that carries the permission;
//   - role.updated: nothing, from e alone (it carries the role after the
//     change; the [Handler] remembers roles, see [Config.Admin]);
//   - any user.*, user_permission.* or user_role.* event drops the user's
//     cached user info;
//   - other events do nothing.
func EffectOf(e *Event) Effect {
	return effectOf(e, DefaultRoleRemovalGrace, nil)
}

// effectOf is EffectOf with the grace of user_role.deleted, and the
// permissions of the role it removes when known (nil: unknown).
func effectOf(e *Event, grace time.Duration, rolePermissions []string) Effect {
	at := e.ReceivedAt
	var f Effect
	var user fiefadmin.UUID
	revoke := func(uid string, kind fief.RevocationKind, nb, until time.Time, perm string) {
		f.Revocations = append(f.Revocations, fief.Revocation{Kind: kind, UserID: uid, NotBefore: nb, Until: until, Permission: perm})
	}
	switch o := e.Object.(type) {
	case *fiefadmin.User:
		user = o.ID
		uid := o.ID.String()
		switch {
		case e.Type == fiefadmin.EventUserDeleted:
			revoke(uid, fief.RevokeTokens, at, time.Time{}, "")
			revoke(uid, fief.BlockUser, at, at.Add(fief.DefaultRevocationKeep), "")
		case e.Type == fiefadmin.EventUserPasswordReset:
			revoke(uid, fief.RevokeTokens, at, time.Time{}, "")
		case e.Type == fiefadmin.EventUserUpdated && !o.IsActive:
			revoke(uid, fief.RevokeTokens, at, time.Time{}, "")
			revoke(uid, fief.BlockUser, at, time.Time{}, "")
		case e.Type == fiefadmin.EventUserUpdated:
			revoke(uid, fief.UnblockUser, at, time.Time{}, "")
		}
	case *fiefadmin.UserPermission:
		user = o.UserID
		if e.Type == fiefadmin.EventUserPermissionDeleted {
			revoke(o.UserID.String(), fief.RevokeTokens, at, time.Time{}, "")
		}
	case *fiefadmin.UserRole:
		user = o.UserID
		if e.Type == fiefadmin.EventUserRoleDeleted {
			uid := o.UserID.String()
			if rolePermissions == nil {
				// The role's permissions are unknown: every token of the
				// user issued until the grace's end is refused.
				revoke(uid, fief.RevokeTokens, at.Add(grace), time.Time{}, "")
			} else {
				revoke(uid, fief.RevokeTokens, at, time.Time{}, "")
				for _, p := range rolePermissions {
					revoke(uid, fief.RevokePermission, at.Add(grace), time.Time{}, p)
				}
			}
		}
	case *fiefadmin.Role:
		if e.Type == fiefadmin.EventRoleDeleted {
			for _, p := range o.Permissions {
				revoke("", fief.RevokePermission, at, time.Time{}, p.Codename)
			}
		}
		return f
	case *fiefadmin.Permission:
		if e.Type == fiefadmin.EventPermissionDeleted {
			revoke("", fief.RevokePermission, at, time.Time{}, o.Codename)
		}
		return f
	default:
		return Effect{}
	}
	if user.IsZero() {
		return Effect{} // a user event without its user: nothing to apply
	}
	f.UserID = user.String() // lower case, as Fief writes the sub claim
	f.DropUserInfo = true
	return f
}

// Applier applies an [Effect]: [Local] to this process; a shared bus to
// every instance of a service. An error means the effect could not be
// shared: the handler answers 503 so that Fief retries the delivery, unless
// [Config.AcceptUnshared] is set.
type Applier interface {
	Apply(ctx context.Context, f Effect) error
}

// UserInfoDeleter is the part of a user-info cache an effect needs
// (fiefhttp.UserInfoCache has it).
type UserInfoDeleter interface {
	Delete(ctx context.Context, userID string) error
}

// Local applies effects to this process: revocations to Revocations (give
// the same set to [fief.Config.Revocations]), and drops from UserInfo (the
// cache given to fiefhttp.Config.UserInfoCache). Either may be nil.
type Local struct {
	Revocations *fief.Revocations
	UserInfo    UserInfoDeleter
}

// Apply implements [Applier]. Its only error is the cache's.
func (l Local) Apply(ctx context.Context, f Effect) error {
	if f.None() {
		return nil
	}
	if l.Revocations != nil {
		for _, rv := range f.Revocations {
			l.Revocations.Apply(rv)
		}
	}
	if f.DropUserInfo && f.UserID != "" && l.UserInfo != nil {
		return l.UserInfo.Delete(ctx, f.UserID)
	}
	return nil
}
