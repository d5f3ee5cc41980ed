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

	// ErrLockHeld: another holder has the lock.
	ErrLockHeld = errors.New("fiefhttp: lock held")
)

// SessionStore keeps the records of server-side sessions (see
// [StorageServer]) and, for every storage that refreshes tokens, the
// short-lived memory of rotated refresh tokens. Values are opaque to the
// store: fiefhttp encrypts them with the cookie keys before they reach it,
// so a copy of the store does not hold usable tokens. Implementations must
// be safe for concurrent use, honour ctx, and return their errors: a
// failing store gives the unavailable answer, never a silent sign-out.
//
// [NewMemorySessionStore] is the in-process implementation; the module
// github.com/fief-dev/fief-go/fiefredis has one on Redis, to share between
// instances.
type SessionStore interface {
	// Get returns the value under key, or an error matching
	// [ErrSessionNotFound] when there is none or it has expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl, replacing any value, and
	// remembers that the key belongs to userID.
	Set(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error
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

// DefaultMemorySessionStoreSize is the default bound of
// [NewMemorySessionStore].
const DefaultMemorySessionStoreSize = 100_000

// MemorySessionStore is an in-memory [SessionStore] and [SessionLocker],
// bounded in entries: when full, expired values are dropped (at most once a
// minute), then the values set longest ago. Its
// sessions do not survive a restart and are not shared between processes.
// Make it with [NewMemorySessionStore]; it is safe for concurrent use.
type MemorySessionStore struct {
	mu     sync.Mutex
	m      map[string]*list.Element // of *storeEntry
	order  *list.List               // least recently set first
	byUser map[string]map[string]struct{}
	locks  map[string]memoryLock
	max    int
	now    func() time.Time
	swept  time.Time // last sweep of expired values
}

// sweepInterval is how often a full store looks for expired values before
// dropping the oldest live ones.
const sweepInterval = time.Minute

type storeEntry struct {
	key, userID string
	value       []byte
	expires     time.Time
}

type memoryLock struct {
	owner   *byte
	expires time.Time
}

// NewMemorySessionStore returns a store of at most maxEntries values (zero
// or less means [DefaultMemorySessionStoreSize]), whose TTLs run on now
// (nil means [time.Now]).
func NewMemorySessionStore(maxEntries int, now func() time.Time) *MemorySessionStore {
	if maxEntries <= 0 {
		maxEntries = DefaultMemorySessionStoreSize
	}
	if now == nil {
		now = time.Now
	}
	return &MemorySessionStore{
		m:      make(map[string]*list.Element),
		order:  list.New(),
		byUser: make(map[string]map[string]struct{}),
		locks:  make(map[string]memoryLock),
		max:    maxEntries,
		now:    now,
	}
}

// Get implements [SessionStore].
func (s *MemorySessionStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok {
		return nil, ErrSessionNotFound
	}
	ent := e.Value.(*storeEntry)
	if !s.now().Before(ent.expires) {
		s.removeLocked(e)
		return nil, ErrSessionNotFound
	}
	return append([]byte(nil), ent.value...), nil
}

// Set implements [SessionStore].
func (s *MemorySessionStore) Set(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return errors.New("fiefhttp: MemorySessionStore.Set with a TTL that is not positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok {
		s.removeLocked(e)
	}
	if now := s.now(); len(s.m) >= s.max && now.Sub(s.swept) >= sweepInterval {
		s.swept = now
		for e := s.order.Front(); e != nil; {
			next := e.Next()
			if !now.Before(e.Value.(*storeEntry).expires) {
				s.removeLocked(e)
			}
			e = next
		}
	}
	for len(s.m) >= s.max {
		s.removeLocked(s.order.Front())
	}
	ent := &storeEntry{key: key, userID: userID, value: append([]byte(nil), value...), expires: s.now().Add(ttl)}
	s.m[key] = s.order.PushBack(ent)
	if s.byUser[userID] == nil {
		s.byUser[userID] = make(map[string]struct{})
	}
	s.byUser[userID][key] = struct{}{}
	return nil
}

// Delete implements [SessionStore].
func (s *MemorySessionStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok {
		s.removeLocked(e)
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
	for key := range s.byUser[userID] {
		s.removeLocked(s.m[key])
	}
	return nil
}

// Len returns the number of values held, expired ones not yet dropped
// included.
func (s *MemorySessionStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

func (s *MemorySessionStore) removeLocked(e *list.Element) {
	ent := s.order.Remove(e).(*storeEntry)
	delete(s.m, ent.key)
	if keys := s.byUser[ent.userID]; keys != nil {
		delete(keys, ent.key)
		if len(keys) == 0 {
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
