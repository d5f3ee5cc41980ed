package fieftest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// stateFormat marks a document written by [Server.SaveState]; stateVersion
// is the version of its layout, raised when a member changes meaning.
const (
	stateFormat  = "fieftest-state"
	stateVersion = 1
)

// SaveState writes the server's state as JSON, what Fief keeps in its
// database: the admin API key; every tenant with its signing keys, clients
// (secrets and encryption keys) and users (password hashes, fields,
// permissions and roles); permissions, roles, webhooks and their secrets,
// OAuth providers, user fields and email templates; and the flows in
// progress: sign-in sessions (the fief_session cookie), login and
// registration sessions, consents, authorization codes, refresh tokens and
// the last verification code sent to each user. Opaque tokens are kept as
// their SHA-256, as in memory. Webhook deliveries waiting for a retry, the
// webhook logs, the emails sent, faults, the clock and the settings fields
// of [Server] are not saved. The document holds secrets: keep it private.
// [Server.LoadState] reads it back.
func (s *Server) SaveState(w io.Writer) error {
	b, err := s.encodeState()
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("fieftest: writing the state: %w", err)
	}
	return nil
}

// encodeState returns the state document, with every tenant's signing key
// made first so that the key set it serves is the one saved.
func (s *Server) encodeState() ([]byte, error) {
	for _, t := range s.tenantsSnapshot() {
		t.ensureKey()
	}
	s.mu.Lock()
	b, err := json.MarshalIndent(s.snapshotLocked(), "", " ")
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("fieftest: encoding the state: %w", err)
	}
	return append(b, '\n'), nil
}

func (s *Server) tenantsSnapshot() []*Tenant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Tenant(nil), s.tenantList...)
}

// LoadState replaces the state of a server that is not started yet (the
// default tenant made by [NewUnstartedServer] and whatever was set up
// since) with one written by [Server.SaveState]. A server started on it
// serves the same key sets, accepts the tokens issued before, refreshes
// the same refresh tokens and recognises the same session cookies,
// provided its issuer is the same (same [Server.Domain], or the same
// address when Domain is empty).
//
// A document that is not a fieftest state, has another layout version, or
// is damaged (a truncated file, a reference to an object it lacks) is an
// error saying so, and the server is then left as it was.
func (s *Server) LoadState(r io.Reader) error {
	if err := s.loadState(r); err != nil {
		return fmt.Errorf("fieftest: %w", err)
	}
	return nil
}

func (s *Server) loadState(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("reading the state: %w", err)
	}
	var st stateFile
	if err := decodeState(b, &st); err != nil {
		return fmt.Errorf("not a usable fieftest state: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("LoadState on a started server")
	}
	if err := s.restoreLocked(&st); err != nil {
		return fmt.Errorf("not a usable fieftest state: %w", err)
	}
	return nil
}

// decodeState checks the marker and version of a state document and
// decodes it.
func decodeState(b []byte, st *stateFile) error {
	var head struct {
		Format  any `json:"format"`
		Version int `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("not JSON, or damaged: %w", err)
	}
	if head.Format != stateFormat {
		return errors.New(`no "format": "` + stateFormat + `" member: not written by fieftest`)
	}
	if head.Version != stateVersion {
		return fmt.Errorf("layout version %d, this fieftest reads version %d", head.Version, stateVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(st); err != nil {
		return fmt.Errorf("damaged: %w", err)
	}
	return nil
}

// SaveStateFile writes the state to path, readable and writable by its
// owner only (mode 0600): to a temporary file in the same directory,
// synced, then renamed over path, so that a crash leaves the previous
// state or the new one, never half a file. The directory must exist.
func (s *Server) SaveStateFile(path string) error {
	b, err := s.encodeState()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, b); err != nil {
		return fmt.Errorf("fieftest: saving the state: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to a new file (mode 0600) next to path,
// syncs it, renames it over path and syncs the directory.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename, there is nothing left to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable; where a directory cannot be synced,
	// the new file is there all the same.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// LoadStateFile is [Server.LoadState] on a file written by
// [Server.SaveStateFile]. A missing file is an error matching
// [io/fs.ErrNotExist].
func (s *Server) LoadStateFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fieftest: loading the state: %w", err)
	}
	defer f.Close()
	if err := s.loadState(f); err != nil {
		return fmt.Errorf("fieftest: %s: %w", path, err)
	}
	return nil
}
