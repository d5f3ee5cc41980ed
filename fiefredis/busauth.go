package fiefredis

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// What the bus shares is authenticated (HMAC-SHA256 with a key derived from
// Config.Keys) and checked before it is applied, so that someone able to
// publish on the channel or write the sets (a neighbour on a shared Redis,
// a leaked Redis password) can neither revoke a user for good nor fill the
// bounded sets with forgeries:
//
//   - a message is "<tag>.<JSON>", its tag over the channel name and the
//     JSON;
//   - an entry of a stored set is "<tag>.<JSON>", its tag over the set's
//     key and the JSON, its score the entry's time;
//   - a user ID must be a canonical (lower-case) UUID, and a time must lie
//     within now - keep < t <= now + MaxClockSkew (+ a grace, see
//     checkRevocation).

// MaxClockSkew is how far in the future a time shared through the bus may
// lie: the instances' clocks may disagree by that much. A revocation's "not
// before" may lie further ahead by fiefwebhook.MaxRoleRemovalGrace, the
// longest grace fiefwebhook puts after a user_role.deleted.
const MaxClockSkew = time.Minute

// maxAhead is how far in the future a revocation's "not before" may lie:
// the clock skew, plus the grace of a user_role.deleted.
const maxAhead = MaxClockSkew + fiefwebhook.MaxRoleRemovalGrace

var (
	errNotAuthentic = errors.New("not authentic")
	// errUnknownKey: the value's tag names a key this instance lacks, as
	// during a rotation done out of order (a forgery may do so too).
	errUnknownKey = errors.New("tagged with a key this instance does not have (are Config.Keys the same on every instance?)")
)

// signed returns "<tag>.<payload>", the tag over scope and payload.
func (m *macer) signed(scope string, payload []byte) string {
	tag := base64.RawURLEncoding.EncodeToString(m.sign(scope, string(payload)))
	return tag + "." + string(payload)
}

// open returns the payload of a value of signed, if its tag verifies:
// otherwise errNotAuthentic, or errUnknownKey for a tag of a key m lacks.
func (m *macer) open(scope, s string) ([]byte, error) {
	i := bytes.IndexByte([]byte(s), '.')
	if i < 0 {
		return nil, errNotAuthentic
	}
	tag, err := base64.RawURLEncoding.Strict().DecodeString(s[:i])
	if err != nil {
		return nil, errNotAuthentic
	}
	if err := m.verify(tag, scope, s[i+1:]); err != nil {
		return nil, err
	}
	return []byte(s[i+1:]), nil
}

// canonicalUUID reports whether s is a UUID in Fief's form: lower-case
// hexadecimal, 8-4-4-4-12.
func canonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// checkTime reports why t is not within now - keep < t <= now + ahead.
func checkTime(t, now time.Time, keep, ahead time.Duration) error {
	if !t.After(now.Add(-keep)) {
		return fmt.Errorf("time %s is older than the retention (%v)", t.UTC().Format(time.RFC3339), keep)
	}
	if t.After(now.Add(ahead)) {
		return fmt.Errorf("time %s is more than %v in the future", t.UTC().Format(time.RFC3339), ahead)
	}
	return nil
}

// maxPermissionLen bounds a permission's codename in a revocation.
const maxPermissionLen = 255

// checkRevocation reports why rv may not be applied: its user must be a
// UUID in Fief's form ("" only for a tenant-wide RevokePermission), its
// NotBefore within now - keep < t <= now + MaxClockSkew +
// fiefwebhook.MaxRoleRemovalGrace (a standing block, which lasts until
// lifted, may be older, and is never ahead by more than MaxClockSkew), its
// Until, when set, in the future and at most keep ahead.
func checkRevocation(rv fief.Revocation, now time.Time, keep time.Duration) error {
	switch rv.Kind {
	case fief.RevokeTokens, fief.BlockUser, fief.UnblockUser:
		if !canonicalUUID(rv.UserID) {
			return fmt.Errorf("%s: user ID %q is not a lower-case UUID", rv.Kind, rv.UserID)
		}
	case fief.RevokePermission:
		if rv.UserID != "" && !canonicalUUID(rv.UserID) {
			return fmt.Errorf("%s: user ID %q is not a lower-case UUID", rv.Kind, rv.UserID)
		}
		if rv.Permission == "" || len(rv.Permission) > maxPermissionLen {
			return fmt.Errorf("%s: permission of %d bytes", rv.Kind, len(rv.Permission))
		}
	default:
		return fmt.Errorf("unknown kind %d", rv.Kind)
	}
	if rv.Kind == fief.BlockUser && rv.Until.IsZero() {
		if rv.NotBefore.After(now.Add(MaxClockSkew)) {
			return fmt.Errorf("%s: time %s is in the future", rv.Kind, rv.NotBefore.UTC().Format(time.RFC3339))
		}
	} else if err := checkTime(rv.NotBefore, now, keep, maxAhead); err != nil {
		return fmt.Errorf("%s: %w", rv.Kind, err)
	}
	// fiefwebhook sets a deleted user's block to end DefaultRevocationKeep
	// after the event, whatever the set's own retention.
	if !rv.Until.IsZero() && (!rv.Until.After(now) || rv.Until.After(now.Add(max(keep, fief.DefaultRevocationKeep)+MaxClockSkew))) {
		return fmt.Errorf("%s: end %s is past or beyond the retention", rv.Kind, rv.Until.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkEffect reports why f may not be applied.
func checkEffect(f fiefwebhook.Effect, now time.Time, keep time.Duration) error {
	if (f.UserID != "" || f.DropUserInfo) && !canonicalUUID(f.UserID) {
		return fmt.Errorf("user ID %q is not a lower-case UUID", f.UserID)
	}
	for _, rv := range f.Revocations {
		if err := checkRevocation(rv, now, keep); err != nil {
			return err
		}
	}
	return nil
}

// entry is an element of the set of user-info drops: a user and the
// drop's time, in µs since the epoch.
type entry struct {
	User string `json:"u"`
	At   int64  `json:"t"`
}

// refusals logs what is refused (forged or invalid messages, entries and
// cached records): the first at once, then a count at most once a minute, so that
// a flood of forgeries cannot flood the logs.
type refusals struct {
	who    string // "bus", "user-info cache"
	logger *slog.Logger
	clock  func() time.Time

	mu      sync.Mutex
	next    time.Time // no log before
	skipped int
}

const refusalLogInterval = time.Minute

func (r *refusals) refuse(ctx context.Context, what string, err error) {
	r.mu.Lock()
	now := r.clock()
	if now.Before(r.next) {
		r.skipped++
		r.mu.Unlock()
		return
	}
	skipped := r.skipped
	r.skipped, r.next = 0, now.Add(refusalLogInterval)
	r.mu.Unlock()
	r.logger.WarnContext(ctx, "fiefredis: "+r.who+" refused "+what, "error", err, "refused_since_last_log", skipped)
}
