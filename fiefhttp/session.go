package fiefhttp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/internal/sentinel"
)

// Storage selects where a [WebFlow] keeps its sessions; see
// [WebConfig].Storage and the README's "Sessions" section.
type Storage int

// The session storages.
const (
	// StorageAccessToken: the session cookie holds the access token, as
	// Fief's own web integrations do. Nothing to configure, nothing kept on
	// the server, but the session ends when the access token expires.
	StorageAccessToken Storage = iota
	// StorageSealedCookie: the session cookie holds the access token, the
	// refresh token, their expiry, the ACR and the time of sign-in,
	// encrypted with AES-256-GCM under [WebConfig].CookieKeys. The session
	// is refreshed transparently and lasts up to
	// [WebConfig].SessionLifetime.
	StorageSealedCookie
	// StorageServer: the cookie holds only a random session ID; the tokens
	// live in [WebConfig].Store, encrypted with the cookie keys. Adds an idle
	// timeout, and "sign out everywhere" ([WebFlow.LogoutEverywhere]).
	StorageServer
)

// String returns the storage's name.
func (s Storage) String() string {
	switch s {
	case StorageAccessToken:
		return "access-token cookie"
	case StorageSealedCookie:
		return "sealed cookie"
	case StorageServer:
		return "server-side store"
	}
	return fmt.Sprintf("Storage(%d)", int(s))
}

// ErrSessionEnded: the session can no longer be refreshed: Fief refused
// the refresh token (invalid_grant: expired, revoked or already used; the
// error then also matches [fief.ErrRefreshTokenRejected]), or the user was
// revoked after this sign-in. It is also a [fief.ErrInvalidToken], so it
// gets the unauthorized answer (for a page, a new sign-in).
var ErrSessionEnded = sentinel.In(fief.ErrInvalidToken, "fiefhttp: session ended")

// errSessionTooLarge: a sealed session cookie would be larger than a
// browser keeps.
var errSessionTooLarge = errors.New("fiefhttp: sealed session cookie too large")

// maxCookieSize is what every browser keeps of one cookie, name and value
// together (RFC 6265, section 6.1).
const maxCookieSize = 4096

// sessionRecord is a session, sealed into the cookie or into the store.
type sessionRecord struct {
	UserID       string   `json:"u"`
	AccessToken  string   `json:"a"`
	RefreshToken string   `json:"r,omitempty"`
	Expires      int64    `json:"e"`           // the access token's expiry, Unix seconds
	ACR          fief.ACR `json:"c"`           // the access token's ACR
	AuthTime     int64    `json:"t"`           // when the user last typed their credentials (auth_time)
	Created      int64    `json:"s"`           // sign-in at this application: the absolute lifetime counts from it
	Seen         int64    `json:"l,omitempty"` // server-side: last use, for the idle timeout
	Until        int64    `json:"x,omitempty"` // rotation memory: when it is forgotten
}

// sessionSource is how an [Auth] made by [WebFlow.Auth] reads (and
// refreshes) the request's session, inside [Auth.Check].
type sessionSource interface {
	// session returns the request's session, with a valid-now access
	// token, writing a renewed cookie on w (when not nil) after a refresh.
	session(w http.ResponseWriter, r *http.Request) (requestSession, error)
}

// requestSession is the session of a request.
type requestSession struct {
	token    string    // the access token, valid now
	authTime time.Time // when the user typed their credentials

	// What end needs: fields rather than a closure, which would cost every
	// request an allocation.
	flow *WebFlow
	ctx  context.Context
	w    http.ResponseWriter
	key  sessionCacheKey // in the verified-session cache
	id   string          // the server-side session ID, "" for a sealed cookie
}

// end ends the session: its token was refused as revoked.
func (s *requestSession) end() {
	s.flow.endCachedSession(s.ctx, s.w, s.key, s.id)
}

// Store key namespaces.
const (
	sessionKeyPrefix  = "session/"
	rotationKeyPrefix = "rotation/"
	lockKeyPrefix     = "refresh/"
)

// errNoSession is a request without a usable session: no cookie, or one
// that is not authentic, expired or unknown. It is an [ErrNoToken].
func errNoSession(why string) error { return fmt.Errorf("%w: %s", ErrNoToken, why) }

// session implements sessionSource for the sealed-cookie and server
// storages.
func (f *WebFlow) session(w http.ResponseWriter, r *http.Request) (requestSession, error) {
	ctx := r.Context()
	if f.sessionCache != nil {
		if raw := firstCookieValue(r, f.sessionName); raw != "" {
			if s, ok := f.cachedSession(ctx, w, raw, f.sessionCache.key(raw)); ok {
				return s, nil
			}
		}
	}
	value, ok := cookieValue(r, f.sessionName)
	if !ok || value == "" {
		return requestSession{}, ErrNoToken
	}
	var key sessionCacheKey
	if f.sessionCache != nil {
		key = f.sessionCache.key(value)
	}
	rec, id, err := f.readSession(ctx, value)
	if err != nil {
		if errors.Is(err, ErrNoToken) {
			f.deleteCookie(w, f.sessionName, "/")
		}
		return requestSession{}, err
	}
	if err := f.revoked(rec); err != nil {
		f.endCachedSession(ctx, w, key, id)
		return requestSession{}, err
	}
	now := f.client.Now()
	changed, oldRefresh := false, rec.RefreshToken
	if rec.RefreshToken != "" && !now.Add(f.refreshMargin).Before(time.Unix(rec.Expires, 0)) {
		fresh, err := f.refresh(ctx, rec)
		if err != nil {
			if errors.Is(err, ErrSessionEnded) {
				f.endCachedSession(ctx, w, key, id)
			}
			return requestSession{}, err
		}
		rec, changed = fresh, true
	}
	if f.storage == StorageServer && (changed || now.Sub(time.Unix(rec.Seen, 0)) >= f.idleTimeout/16) {
		rec.Seen = now.Unix()
		if err := f.writeRecord(ctx, id, rec, f.store.Update); err != nil {
			if errors.Is(err, ErrSessionNotFound) {
				// Deleted meanwhile (a sign-out, "sign out everywhere", a
				// revocation): the session stays ended, and so does the
				// memory of the refresh made for it.
				if changed {
					f.forgetRotation(ctx, refreshKey(oldRefresh))
				}
				f.deleteCookie(w, f.sessionName, "/")
				return requestSession{}, errNoSession("session ended meanwhile")
			}
			return requestSession{}, err
		}
	}
	if changed && f.storage == StorageSealedCookie {
		if err := f.setSessionCookie(w, rec, ""); err != nil {
			return requestSession{}, err
		}
	}
	if f.sessionCache != nil {
		if changed {
			// The refresh replaced the session: the next request, with
			// the new cookie or record, is cached then.
			f.sessionCache.drop(key)
		} else {
			f.sessionCache.put(key, rec, now, f.servedUntil(rec))
		}
	}
	return requestSession{
		token:    rec.AccessToken,
		authTime: time.Unix(rec.AuthTime, 0),
		flow:     f,
		ctx:      ctx,
		w:        w,
		key:      key,
		id:       id,
	}, nil
}

// revoked ends a session begun at or before its user's revocation, or of a
// blocked user (see [fief.Config.Revocations]), so that a refresh cannot
// outlive the revocation: it is an [ErrSessionEnded] and a
// [fief.ErrTokenRevoked].
func (f *WebFlow) revoked(rec *sessionRecord) error {
	rv := f.client.Revocations()
	if rv == nil {
		return nil
	}
	if _, refused := rv.Refuses(rec.UserID, time.Unix(rec.Created, 0), nil); refused {
		return fmt.Errorf("%w: %w: the user was revoked or blocked after this sign-in", ErrSessionEnded, fief.ErrTokenRevoked)
	}
	return nil
}

// readSession opens the session of a cookie value: the sealed record, or
// the server-side record it names. Every way of not being a live session
// is an [ErrNoToken]; a store failure is returned as is.
func (f *WebFlow) readSession(ctx context.Context, value string) (*sessionRecord, string, error) {
	var (
		plain []byte
		err   error
		id    string
	)
	switch f.storage {
	case StorageSealedCookie:
		if plain, err = f.seal.session.open(f.sessionName, value); err != nil {
			return nil, "", errNoSession("session cookie not authentic")
		}
	default:
		id = value
		if !isSessionID(id) {
			return nil, "", errNoSession("malformed session ID")
		}
		sealed, err := f.store.Get(ctx, sessionKeyPrefix+id)
		if errors.Is(err, ErrSessionNotFound) {
			return nil, "", errNoSession("unknown session")
		}
		if err != nil {
			return nil, "", fmt.Errorf("fiefhttp: reading the session: %w", err)
		}
		if plain, err = f.seal.record.openBytes(sessionKeyPrefix+id, sealed); err != nil {
			return nil, "", errNoSession("session record not authentic")
		}
	}
	rec := &sessionRecord{}
	if json.Unmarshal(plain, rec) != nil || rec.AccessToken == "" {
		return nil, "", errNoSession("session record unreadable")
	}
	now := f.client.Now()
	if !now.Before(time.Unix(rec.Created, 0).Add(f.lifetime)) {
		f.deleteRecord(ctx, id)
		return nil, "", errNoSession("session past its lifetime")
	}
	if f.storage == StorageServer && !now.Before(time.Unix(rec.Seen, 0).Add(f.idleTimeout)) {
		f.deleteRecord(ctx, id)
		return nil, "", errNoSession("session idle too long")
	}
	return rec, id, nil
}

// endSession forgets a session Fief will not refresh.
func (f *WebFlow) endSession(ctx context.Context, w http.ResponseWriter, rec *sessionRecord, id string) {
	f.deleteRecord(ctx, id)
	f.deleteCookie(w, f.sessionName, "/")
}

// deleteRecord deletes a server-side record, if id names one.
func (f *WebFlow) deleteRecord(ctx context.Context, id string) {
	if id == "" {
		return
	}
	if err := f.store.Delete(ctx, sessionKeyPrefix+id); err != nil {
		f.logger.WarnContext(ctx, "fiefhttp: session delete failed", "error", err)
	}
}

// remaining is how long a session may still last.
func (f *WebFlow) remaining(rec *sessionRecord) time.Duration {
	return time.Unix(rec.Created, 0).Add(f.lifetime).Sub(f.client.Now())
}

// storeWrite is [SessionStore.Create] or [SessionStore.Update].
type storeWrite func(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error

// writeRecord stores a server-side record with write, for the idle timeout
// or what remains of the lifetime, whichever is shorter.
func (f *WebFlow) writeRecord(ctx context.Context, id string, rec *sessionRecord, write storeWrite) error {
	ttl := min(f.idleTimeout, f.remaining(rec))
	if ttl <= 0 {
		return errNoSession("session past its lifetime")
	}
	plain, _ := json.Marshal(rec) // strings and ints: cannot fail
	if err := write(ctx, sessionKeyPrefix+id, rec.UserID, f.seal.record.sealBytes(sessionKeyPrefix+id, plain), ttl); err != nil {
		return fmt.Errorf("fiefhttp: writing the session: %w", err)
	}
	return nil
}

// setSessionCookie sets the session cookie: the sealed record, or the ID of
// the server-side one.
func (f *WebFlow) setSessionCookie(w http.ResponseWriter, rec *sessionRecord, id string) error {
	value := id
	if f.storage == StorageSealedCookie {
		plain, _ := json.Marshal(rec) // strings and ints: cannot fail
		value = f.seal.session.seal(f.sessionName, plain)
		if n := len(f.sessionName) + 1 + len(value); n > maxCookieSize {
			return fmt.Errorf("%w: it would be %d bytes, more than the %d a browser keeps: use StorageServer, which keeps only a session ID in the cookie", errSessionTooLarge, n, maxCookieSize)
		}
	}
	if w == nil {
		return nil
	}
	maxAge := f.remaining(rec)
	http.SetCookie(w, &http.Cookie{
		Name:     f.sessionName,
		Value:    value,
		Path:     "/",
		MaxAge:   int(maxAge / time.Second),
		Expires:  f.client.Now().Add(maxAge),
		HttpOnly: true,
		Secure:   f.secure,
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// newSessionID returns a random session ID: 256 bits in base64url.
func newSessionID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// isSessionID reports whether s has the shape of a newSessionID.
func isSessionID(s string) bool { return len(s) == 43 && isState(s) }

// refreshKey names a refresh token in locks and in the rotation memory
// without revealing it.
func refreshKey(refreshToken string) string {
	h := sha256.Sum256([]byte(refreshToken))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
