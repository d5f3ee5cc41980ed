package fiefhttp

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// Errors of a [SessionStore] and a [SessionLocker].
var (
	// ErrSessionNotFound: the store has no record under the key, or it has
	// expired.
	ErrSessionNotFound = errors.New("fiefhttp: session not found")

	// ErrSessionExists: [SessionStore.Create] found a live record under
	// the key.
	ErrSessionExists = errors.New("fiefhttp: session key taken")

	// ErrLockHeld: another holder has the lock.
	ErrLockHeld = errors.New("fiefhttp: lock held")
)

// SessionStore keeps the records of server-side sessions (see
// [StorageServer]) and, for every storage that refreshes tokens, the
// short-lived memory of rotated refresh tokens. Values are opaque to the
// store: fiefhttp encrypts them with keys derived from the cookie keys
// before they reach it, so a copy of the store does not hold usable tokens.
// Implementations must be safe for concurrent use, honour ctx, and return
// their errors: a failing store gives the unavailable answer, never a
// silent sign-out.
//
// A record deleted (by [SessionStore.Delete] or [SessionStore.DeleteUser])
// must never come back: fiefhttp writes a new record with Create and
// rewrites one with Update, which must not create it again, so that a
// request refreshing a session while its user signs out everywhere cannot
// bring the session back. Each of them must be atomic (Redis: SET NX and
// SET XX).
//
// [NewMemorySessionStore] is the in-process implementation; the module
// github.com/fief-dev/fief-go/fiefredis has one on Redis, to share between
// instances.
type SessionStore interface {
	// Get returns the value under key, or an error matching
	// [ErrSessionNotFound] when there is none or it has expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// Create stores value under key for ttl, and remembers that the key
	// belongs to userID, only if there is no live value under key: else it
	// returns an error matching [ErrSessionExists] and changes nothing.
	Create(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error
	// Update replaces the value under key, and its ttl, only if there is a
	// live value under key: else it returns an error matching
	// [ErrSessionNotFound] and stores nothing.
	Update(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error
	// Delete removes the value under key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// DeleteUser removes every value that belongs to userID ("sign out
	// everywhere").
	DeleteUser(ctx context.Context, userID string) error
}

// SessionLocker is implemented by a [SessionStore] shared between several
// instances of an application, so that one refresh token is used by one
// instance only: the others wait for its result. fiefhttp always merges the
// refreshes of one process; a store that is not shared need not implement
// it.
type SessionLocker interface {
	// TryLock takes the lock named key for ttl, after which it expires even
	// if its holder crashed. When another holder has it, TryLock returns an
	// error matching [ErrLockHeld] at once. unlock releases the lock if it
	// is still the caller's.
	TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(context.Context) error, err error)
}

// Defaults of [MemorySessionStoreConfig].
const (
	DefaultMemorySessionStoreSize    = 100_000
	DefaultMemorySessionStorePerUser = 100
)

// MemorySessionStoreConfig configures a [MemorySessionStore]. Every zero
// value means what its comment says.
type MemorySessionStoreConfig struct {
	// MaxEntries bounds the values held. Zero or less means
	// [DefaultMemorySessionStoreSize].
	MaxEntries int
	// MaxPerUser bounds the values held for one user (sessions and
	// memories of rotated refresh tokens), so that one user signing in
	// again and again drops only their own least recently used sessions.
	// Zero or less means [DefaultMemorySessionStorePerUser].
	MaxPerUser int
}

// MemorySessionStore is an in-memory [SessionStore] and [SessionLocker],
// bounded in entries, in total and per user. When a user has as many
// values as allowed, a new one drops that user's least recently used
// value. When the store is full, expired values are dropped (at most once
// a minute), then the values used longest ago (read or written), so that
// the sessions in use survive a flood of sign-ins. Its sessions do not
// survive a restart and are not shared between processes. Make it with
// [NewMemorySessionStore]; it is safe for concurrent use.
type MemorySessionStore struct {
	mu      sync.Mutex
	m       map[string]*storeEntry
	order   *list.List            // of *storeEntry, least recently used first
	byUser  map[string]*list.List // of *storeEntry, least recently used first
	locks   map[string]memoryLock
	max     int
	perUser int
	now     func() time.Time
	swept   time.Time // last sweep of expired values
}

// sweepInterval is how often a full store looks for expired values before
// dropping the least recently used live ones.
const sweepInterval = time.Minute

type storeEntry struct {
	key, userID string
	value       []byte
	expires     time.Time
	all, mine   *list.Element // in order and in byUser[userID]
}

type memoryLock struct {
	owner   *byte
	expires time.Time
}

// NewMemorySessionStore returns an empty store.
func NewMemorySessionStore(cfg MemorySessionStoreConfig) *MemorySessionStore {
	return newMemorySessionStore(cfg, time.Now)
}

// newMemorySessionStore is NewMemorySessionStore whose TTLs run on now: a
// [WebFlow]'s default store runs on its client's clock.
func newMemorySessionStore(cfg MemorySessionStoreConfig, now func() time.Time) *MemorySessionStore {
	s := &MemorySessionStore{
		m:       make(map[string]*storeEntry),
		order:   list.New(),
		byUser:  make(map[string]*list.List),
		locks:   make(map[string]memoryLock),
		max:     cfg.MaxEntries,
		perUser: cfg.MaxPerUser,
		now:     now,
	}
	if s.max <= 0 {
		s.max = DefaultMemorySessionStoreSize
	}
	if s.perUser <= 0 {
		s.perUser = DefaultMemorySessionStorePerUser
	}
	return s
}

// Get implements [SessionStore]. A value read counts as used.
func (s *MemorySessionStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ent := s.liveLocked(key)
	if ent == nil {
		return nil, ErrSessionNotFound
	}
	s.touchLocked(ent)
	return append([]byte(nil), ent.value...), nil
}

// Create implements [SessionStore].
func (s *MemorySessionStore) Create(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return errors.New("fiefhttp: MemorySessionStore.Create with a TTL that is not positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.liveLocked(key) != nil {
		return ErrSessionExists
	}
	now := s.now()
	if mine := s.byUser[userID]; mine != nil {
		for mine.Len() >= s.perUser {
			s.removeLocked(mine.Front().Value.(*storeEntry))
		}
	}
	if len(s.m) >= s.max && now.Sub(s.swept) >= sweepInterval {
		s.swept = now
		for e := s.order.Front(); e != nil; {
			next := e.Next()
			if ent := e.Value.(*storeEntry); !now.Before(ent.expires) {
				s.removeLocked(ent)
			}
			e = next
		}
	}
	for len(s.m) >= s.max {
		s.removeLocked(s.order.Front().Value.(*storeEntry))
	}
	ent := &storeEntry{key: key, userID: userID, value: append([]byte(nil), value...), expires: now.Add(ttl)}
	ent.all = s.order.PushBack(ent)
	mine := s.byUser[userID]
	if mine == nil {
		mine = list.New()
		s.byUser[userID] = mine
	}
	ent.mine = mine.PushBack(ent)
	s.m[key] = ent
	return nil
}

// Update implements [SessionStore].
func (s *MemorySessionStore) Update(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return errors.New("fiefhttp: MemorySessionStore.Update with a TTL that is not positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ent := s.liveLocked(key)
	if ent == nil {
		return ErrSessionNotFound
	}
	if ent.userID != userID {
		// Moved to another user: indexed under the new one only.
		s.removeLocked(ent)
		ent = &storeEntry{key: key, userID: userID}
		ent.all = s.order.PushBack(ent)
		mine := s.byUser[userID]
		if mine == nil {
			mine = list.New()
			s.byUser[userID] = mine
		}
		ent.mine = mine.PushBack(ent)
		s.m[key] = ent
	}
	ent.value = append([]byte(nil), value...)
	ent.expires = s.now().Add(ttl)
	s.touchLocked(ent)
	return nil
}

// Delete implements [SessionStore].
func (s *MemorySessionStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ent, ok := s.m[key]; ok {
		s.removeLocked(ent)
	}
	return nil
}

// DeleteUser implements [SessionStore].
func (s *MemorySessionStore) DeleteUser(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if mine := s.byUser[userID]; mine != nil {
		for mine.Len() > 0 {
			s.removeLocked(mine.Front().Value.(*storeEntry))
		}
	}
	return nil
}

// len returns the number of values held, expired ones not yet dropped
// included.
func (s *MemorySessionStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// liveLocked returns the entry of key if it has not expired, dropping it
// if it has.
func (s *MemorySessionStore) liveLocked(key string) *storeEntry {
	ent, ok := s.m[key]
	if !ok {
		return nil
	}
	if !s.now().Before(ent.expires) {
		s.removeLocked(ent)
		return nil
	}
	return ent
}

// touchLocked makes ent the most recently used, in the store and among
// its user's values.
func (s *MemorySessionStore) touchLocked(ent *storeEntry) {
	s.order.MoveToBack(ent.all)
	s.byUser[ent.userID].MoveToBack(ent.mine)
}

func (s *MemorySessionStore) removeLocked(ent *storeEntry) {
	s.order.Remove(ent.all)
	delete(s.m, ent.key)
	if mine := s.byUser[ent.userID]; mine != nil {
		mine.Remove(ent.mine)
		if mine.Len() == 0 {
			delete(s.byUser, ent.userID)
		}
	}
}

// TryLock implements [SessionLocker], for several [WebFlow] values of one
// process sharing the store.
func (s *MemorySessionStore) TryLock(ctx context.Context, key string, ttl time.Duration) (func(context.Context) error, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if l, ok := s.locks[key]; ok && now.Before(l.expires) {
		return nil, ErrLockHeld
	}
	owner := new(byte)
	s.locks[key] = memoryLock{owner: owner, expires: now.Add(ttl)}
	return func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if l, ok := s.locks[key]; ok && l.owner == owner {
			delete(s.locks, key)
		}
		return nil
	}, nil
}
