package fiefcli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fief-dev/fief-go"
)

// credentialsVersion is the version of the file format written.
const credentialsVersion = 1

// maxCredentialsSize caps the credentials file read: a real one is a few
// KiB.
const maxCredentialsSize = 1 << 20

// credentials is the content of the credentials file. The "tokens" and
// "userinfo" keys are those of Fief's Python client.
type credentials struct {
	Version int `json:"version"`
	// BaseURL and ClientID identify the Fief client the tokens were issued
	// to: a file written for another one counts as no file.
	BaseURL  string             `json:"base_url"`
	ClientID string             `json:"client_id"`
	Tokens   fief.TokenResponse `json:"tokens"`
	UserInfo fief.UserInfo      `json:"userinfo"`
	SavedAt  time.Time          `json:"saved_at"`
}

// load reads the credentials file. A missing file, or one written for
// another Fief client, is an ErrNotSignedIn; an unreadable one is an
// ErrCorruptCredentials.
func (a *Auth) load() (*credentials, error) {
	f, err := os.Open(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no credentials in %s", ErrNotSignedIn, a.path)
	}
	if err != nil {
		return nil, fmt.Errorf("fiefcli: reading credentials: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCredentialsSize+1))
	if err != nil {
		return nil, fmt.Errorf("fiefcli: reading credentials: %w", err)
	}
	if len(b) > maxCredentialsSize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrCorruptCredentials, a.path, maxCredentialsSize)
	}
	var c credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCredentials, a.path, err)
	}
	switch {
	case c.Version != credentialsVersion:
		return nil, fmt.Errorf("%w: %s has format version %d, this program reads version %d", ErrCorruptCredentials, a.path, c.Version, credentialsVersion)
	case c.Tokens.AccessToken == "":
		return nil, fmt.Errorf("%w: %s has no access token", ErrCorruptCredentials, a.path)
	case c.UserInfo == nil:
		return nil, fmt.Errorf("%w: %s has no user info", ErrCorruptCredentials, a.path)
	case c.BaseURL != a.client.BaseURL() || c.ClientID != a.client.ClientID():
		return nil, fmt.Errorf("%w: the credentials in %s are for client %q of %s", ErrNotSignedIn, a.path, c.ClientID, c.BaseURL)
	}
	return &c, nil
}

// save writes the credentials file atomically: a temporary file of mode
// 0600 in the same directory, synced, then renamed over the old one. A
// missing directory is created with mode 0700.
func (a *Auth) save(tok *fief.TokenResponse, info fief.UserInfo) error {
	c := credentials{
		Version:  credentialsVersion,
		BaseURL:  a.client.BaseURL(),
		ClientID: a.client.ClientID(),
		Tokens:   *tok,
		UserInfo: info,
		SavedAt:  a.client.Now().UTC().Truncate(time.Second),
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("fiefcli: encoding credentials: %w", err)
	}
	if err := writeFileAtomic(a.path, append(b, '\n')); err != nil {
		return fmt.Errorf("fiefcli: saving credentials: %w", err)
	}
	return nil
}

func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// CreateTemp already uses 0600; say it, in case that ever changes.
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// remove deletes the credentials file; a missing file is not an error.
func (a *Auth) remove() error {
	if err := os.Remove(a.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fiefcli: removing credentials: %w", err)
	}
	return nil
}
