package fiefhttp

import (
	"context"
	"errors"
	"sync"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// userinfoBackoff is how long a failure of Fief's userinfo endpoint answers
// for itself: while Fief struggles, requests of users whose claims are not
// cached cost it one userinfo request a second, not one each.
const userinfoBackoff = time.Second

// failureMemo remembers the last "Fief unavailable" failure of a call for a
// short while.
type failureMemo struct {
	mu  sync.Mutex
	err error
	at  time.Time
}

// recent returns the remembered failure if it is younger than the back-off.
func (m *failureMemo) recent(now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil && now.Sub(m.at) < userinfoBackoff {
		return m.err
	}
	return nil
}

// record remembers err if it says Fief is unavailable (and not merely that
// the caller gave up), and forgets any failure when err is nil.
func (m *failureMemo) record(ctx context.Context, err error, now time.Time) {
	if err != nil && (!errors.Is(err, fief.ErrUnavailable) || ctx.Err() != nil) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err, m.at = err, now
}
