package fiefwebhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fief-dev/fief-go/fiefadmin"
)

// ErrMalformedEvent: a correctly signed body is not a Fief event (not a JSON
// object with a string type and an object data, or data not of the type's
// shape). The handler answers 400.
var ErrMalformedEvent = errors.New("fiefwebhook: malformed event")

// Event is one decoded delivery.
type Event struct {
	// Type is the event type, such as [fiefadmin.EventUserUpdated]: one of
	// the constants of [fiefadmin.WebhookEvent] (Fief v0.26), or another
	// type a newer Fief sends, decoded with a nil Object.
	Type fiefadmin.WebhookEvent
	// ID identifies the delivery: the hex SHA-256 of its body. Fief's
	// retries carry the very same body, hence the same ID.
	ID string
	// ReceivedAt is when the delivery was first received (by any instance,
	// when [Deliveries] is shared): the event's time for revocation, since
	// the payload carries no time of the change and each retry is signed
	// anew.
	ReceivedAt time.Time
	// Data is the raw data object. A client.* event's holds the client's
	// secret: do not log it.
	Data json.RawMessage
	// Object is Data decoded by type into the type the admin API reads
	// (Fief sends the object as its admin API reads it):
	// *[fiefadmin.User] for user.*, *[fiefadmin.UserPermission],
	// *[fiefadmin.UserRole], *[fiefadmin.Permission], *[fiefadmin.Role],
	// *[fiefadmin.Tenant], *[fiefadmin.OAuthClient] for client.*,
	// *[fiefadmin.UserField], *[fiefadmin.OAuthProvider] or
	// *[fiefadmin.EmailTemplate]; nil for a type this package does not
	// know. A client's secret is there as Fief sent it, and, like an OAuth
	// provider's credentials, never printed by fiefadmin's types.
	Object any
}

// User returns the user of a user.* event (user.deleted carries the user
// as it was).
func (e *Event) User() (*fiefadmin.User, bool) {
	u, ok := e.Object.(*fiefadmin.User)
	return u, ok
}

// UserPermission returns the grant of a user_permission.* event: direct
// when FromRoleID is nil, else through that role.
func (e *Event) UserPermission() (*fiefadmin.UserPermission, bool) {
	p, ok := e.Object.(*fiefadmin.UserPermission)
	return p, ok
}

// UserRole returns the grant of a user_role.* event. Fief sends no
// user_permission.* events for the permissions that come with the role.
func (e *Event) UserRole() (*fiefadmin.UserRole, bool) {
	r, ok := e.Object.(*fiefadmin.UserRole)
	return r, ok
}

// Decode decodes a delivery's body (verify it first: see [Verify]). The
// event's ID is set; ReceivedAt is left to the caller.
func Decode(body []byte) (*Event, error) {
	var raw struct {
		Type *string         `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedEvent, err)
	}
	if raw.Type == nil || *raw.Type == "" {
		return nil, fmt.Errorf("%w: no type", ErrMalformedEvent)
	}
	if !bytes.HasPrefix(bytes.TrimLeft(raw.Data, " \t\r\n"), []byte{'{'}) {
		return nil, fmt.Errorf("%w: %s: data is not an object", ErrMalformedEvent, truncate(*raw.Type))
	}
	sum := sha256.Sum256(body)
	e := &Event{Type: fiefadmin.WebhookEvent(*raw.Type), ID: hex.EncodeToString(sum[:]), Data: raw.Data}
	if obj := newObject(e.Type); obj != nil {
		if err := json.Unmarshal(raw.Data, obj); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrMalformedEvent, e.Type, err)
		}
		e.Object = obj
	}
	return e, nil
}

// newObject returns a pointer to the object type of an event type, or nil.
func newObject(typ fiefadmin.WebhookEvent) any {
	object, _, _ := strings.Cut(string(typ), ".")
	switch object {
	case "user":
		return new(fiefadmin.User)
	case "user_permission":
		return new(fiefadmin.UserPermission)
	case "user_role":
		return new(fiefadmin.UserRole)
	case "permission":
		return new(fiefadmin.Permission)
	case "role":
		return new(fiefadmin.Role)
	case "tenant":
		return new(fiefadmin.Tenant)
	case "client":
		return new(fiefadmin.OAuthClient)
	case "user_field":
		return new(fiefadmin.UserField)
	case "oauth_provider":
		return new(fiefadmin.OAuthProvider)
	case "email_template":
		return new(fiefadmin.EmailTemplate)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
