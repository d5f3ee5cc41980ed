package fiefwebhook_test

import (
	"errors"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"

	"github.com/fief-dev/fief-go/fiefwebhook"
)

// FuzzDecode: any body decodes to an event or to ErrMalformedEvent, never a
// panic, and an event's effect concerns at most one user.
func FuzzDecode(f *testing.F) {
	for _, d := range loadDeliveries(f) {
		f.Add([]byte(d.Body))
	}
	f.Add([]byte(`{"type": "x", "data": {}}`))
	f.Add([]byte(`{"type": "user.updated", "data": {"id": 1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := fiefwebhook.Decode(body)
		if err != nil {
			if !errors.Is(err, fiefwebhook.ErrMalformedEvent) {
				t.Fatalf("error %v is not ErrMalformedEvent", err)
			}
			return
		}
		if e.Type == "" || len(e.ID) != 64 {
			t.Fatalf("event %+v", e)
		}
		e.ReceivedAt = time.Unix(1, 0)
		f := fiefwebhook.EffectOf(e)
		if f.DropUserInfo && f.UserID == "" {
			t.Fatalf("an effect without a user: %+v", f)
		}
		for _, rv := range f.Revocations {
			if rv.Kind != fief.RevokePermission && rv.UserID == "" {
				t.Fatalf("a revocation of a user without a user: %+v", rv)
			}
		}
	})
}

// FuzzVerify: only the exact signature of the exact body and timestamp
// verifies.
func FuzzVerify(f *testing.F) {
	d := loadDeliveries(f)[0]
	f.Add(d.timestamp(), d.signature(), []byte(d.Body))
	f.Add("", "", []byte{})
	f.Add("1796039697", "zz", []byte("{}"))
	now := d.sentAt(f)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		err := fiefwebhook.Verify([]string{d.Secret}, ts, sig, body, now, fiefwebhook.DefaultTolerance)
		if err == nil && sig != fiefwebhook.Sign(d.Secret, ts, body) {
			t.Fatalf("accepted a signature that is not the body's: ts %q sig %q", ts, sig)
		}
		if err != nil && !errors.Is(err, fiefwebhook.ErrBadSignature) && !errors.Is(err, fiefwebhook.ErrStaleTimestamp) {
			t.Fatalf("error %v of an unknown kind", err)
		}
	})
}
