package fieftest

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// flowStore holds the server-side state of the browser and token flows.
// It is guarded by Server.mu. Opaque tokens (sessions, codes, refresh
// tokens) are stored under their SHA-256, as Fief stores only hashes.
type flowStore struct {
	sessions      map[string]*session
	loginSessions map[string]*loginSession
	regSessions   map[string]*regSession
	codes         map[string]*authCode
	refresh       map[string]*refreshToken
	grants        map[grantKey][]string
	sentCodes     map[string]string // user ID → last verification code sent
	inserts       int               // since the last purge
}

// purgeEvery is how many insertions trigger a purge of expired entries.
const purgeEvery = 256

// purgeGrace is how long expired login sessions are kept, so that /login
// can still send the browser back to /authorize (Fief purges them daily).
const purgeGrace = 24 * time.Hour

// insertedLocked counts an insertion and purges expired entries now and
// then, so that a long-running server's memory stays bounded.
func (st *flowStore) insertedLocked(now time.Time) {
	st.inserts++
	if st.inserts < purgeEvery {
		return
	}
	st.inserts = 0
	for k, v := range st.sessions {
		if !now.Before(v.expires) {
			delete(st.sessions, k)
		}
	}
	for k, v := range st.loginSessions {
		if !now.Before(v.expires.Add(purgeGrace)) {
			delete(st.loginSessions, k)
		}
	}
	for k, v := range st.regSessions {
		if !now.Before(v.expires) {
			delete(st.regSessions, k)
		}
	}
	for k, v := range st.codes {
		if !now.Before(v.expires) {
			delete(st.codes, k)
		}
	}
	for k, v := range st.refresh {
		if !now.Before(v.expires) {
			delete(st.refresh, k)
		}
	}
}

func (st *flowStore) init() {
	st.sessions = make(map[string]*session)
	st.loginSessions = make(map[string]*loginSession)
	st.regSessions = make(map[string]*regSession)
	st.codes = make(map[string]*authCode)
	st.refresh = make(map[string]*refreshToken)
	st.grants = make(map[grantKey][]string)
	st.sentCodes = make(map[string]string)
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// session is a Fief session (cookie fief_session): a logged-in user.
type session struct {
	userID  string
	tenant  *Tenant
	created time.Time
	expires time.Time
}

// loginSession is the state of an authorization request between
// /authorize and the redirect back (cookie fief_login_session).
type loginSession struct {
	tenant        *Tenant
	client        *Client
	responseType  string
	fragment      bool
	redirectURI   string
	scope         []string
	state         *string
	nonce         *string
	acr           string
	challenge     string
	challengeMeth string
	expires       time.Time
}

// regSession is a registration session (cookie fief_registration_session).
type regSession struct {
	tenant  *Tenant
	expires time.Time
}

// authCode is an authorization code.
type authCode struct {
	tenant        *Tenant
	client        *Client
	userID        string
	redirectURI   string
	scope         []string
	authTime      time.Time
	nonce         *string
	acr           string
	challenge     string
	challengeMeth string
	cHash         string
	expires       time.Time
}

// refreshToken is a refresh token.
type refreshToken struct {
	tenant   *Tenant
	client   *Client
	userID   string
	scope    []string
	authTime time.Time
	expires  time.Time
}

type grantKey struct{ userID, clientID string }

func (st *flowStore) deleteUserSessions(userID string) {
	for k, s := range st.sessions {
		if s.userID == userID {
			delete(st.sessions, k)
		}
	}
}
