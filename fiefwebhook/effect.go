package fiefwebhook

import (
	"context"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
)

// Effect is what an event does to access, for one user.
type Effect struct {
	// UserID is the user concerned; "" when the event concerns no user.
	UserID string `json:"user"`
	// Revoke: the user's access tokens issued at or before NotBefore are
	// refused (a deleted user, a reset password, a removed permission or
	// role, a deactivation).
	Revoke bool `json:"revoke,omitempty"`
	// NotBefore is the event's time ([Event.ReceivedAt]).
	NotBefore time.Time `json:"not_before"`
	// DropUserInfo: the user's cached user info is stale.
	DropUserInfo bool `json:"drop_user_info,omitempty"`
}

// None reports whether the effect does nothing.
func (f Effect) None() bool { return f.UserID == "" || (!f.Revoke && !f.DropUserInfo) }

// EffectOf returns what e does to access:
//   - user.deleted, user.password_reset, user_permission.deleted,
//     user_role.deleted, and user.updated of an inactive user revoke the
//     user's tokens issued until e.ReceivedAt, and drop the user's cached
//     user info;
//   - any other user.*, user_permission.* or user_role.* event drops the
//     user's cached user info;
//   - other events do nothing.
func EffectOf(e *Event) Effect {
	var f Effect
	var user fiefadmin.UUID
	switch o := e.Object.(type) {
	case *fiefadmin.User:
		user = o.ID
		switch e.Type {
		case fiefadmin.EventUserDeleted, fiefadmin.EventUserPasswordReset:
			f.Revoke = true
		case fiefadmin.EventUserUpdated:
			f.Revoke = !o.IsActive
		}
	case *fiefadmin.UserPermission:
		user = o.UserID
		f.Revoke = e.Type == fiefadmin.EventUserPermissionDeleted
	case *fiefadmin.UserRole:
		user = o.UserID
		f.Revoke = e.Type == fiefadmin.EventUserRoleDeleted
	default:
		return Effect{}
	}
	if user.IsZero() {
		return Effect{} // a user event without its user: nothing to apply
	}
	f.UserID = user.String() // lower case, as Fief writes the sub claim
	f.DropUserInfo = true
	f.NotBefore = e.ReceivedAt
	return f
}

// Applier applies an [Effect]: [Local] to this process; a shared bus to
// every instance of a service.
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
	if f.Revoke && l.Revocations != nil {
		l.Revocations.Revoke(f.UserID, f.NotBefore)
	}
	if f.DropUserInfo && l.UserInfo != nil {
		return l.UserInfo.Delete(ctx, f.UserID)
	}
	return nil
}
