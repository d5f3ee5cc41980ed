package fiefhttp

import "time"

// Len returns the number of values held, expired ones not yet dropped
// included.
func (s *MemorySessionStore) Len() int { return s.len() }

// NewMemorySessionStoreAt is NewMemorySessionStore whose TTLs run on now.
func NewMemorySessionStoreAt(cfg MemorySessionStoreConfig, now func() time.Time) *MemorySessionStore {
	return newMemorySessionStore(cfg, now)
}
