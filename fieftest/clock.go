package fieftest

import "time"

// SetClock sets the time source of everything the server does: token
// iat/exp/auth_time, code, session and refresh-token expiry, and the
// verification of the bearer tokens it receives. nil restores [time.Now].
// The shift accumulated by [Server.Advance] is kept.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = now
	s.wakeLocked() // webhook retries may fall due
}

// Advance shifts the server's clock forward by d (backward if d is
// negative). Webhook retries that fall due are then sent.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
	s.wakeLocked() // webhook retries may fall due
}

// Now returns the server's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return s.clock().Add(s.offset) }
