package fiefhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// Timing of refreshes.
const (
	// lockTTL is how long the cross-instance refresh lock lives: a holder
	// that crashed blocks the others this long at most.
	lockTTL = 10 * time.Second
	// lockPoll is how often a request waiting for another instance's
	// refresh looks for its result.
	lockPoll = 20 * time.Millisecond
	// refreshTimeout bounds one refresh, which runs on behalf of every
	// request waiting for it, whoever started it, waiting for another
	// instance's lock included.
	refreshTimeout = lockTTL + 5*time.Second
)

// refresh returns the session refreshed with its refresh token. Every
// request of the process presenting the same refresh token shares one
// call; with a [SessionLocker] store, so do the instances sharing it. A
// request presenting a refresh token rotated a moment ago (a slow request,
// another tab) gets the pair that replaced it, from the rotation memory.
func (f *WebFlow) refresh(ctx context.Context, rec *sessionRecord) (*sessionRecord, error) {
	key := refreshKey(rec.RefreshToken)
	// The refresh serves every waiting request: the first one going away
	// must not cancel it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	v, err, _ := f.refreshes.Do(key, func() (any, error) { return f.refreshOnce(ctx, key, rec) })
	if err != nil {
		return nil, err
	}
	fresh := *v.(*sessionRecord) // each caller its own copy
	fresh.Seen = rec.Seen
	return &fresh, nil
}

func (f *WebFlow) refreshOnce(ctx context.Context, key string, rec *sessionRecord) (*sessionRecord, error) {
	locker, _ := f.store.(SessionLocker)
	var unlock func(context.Context) error
	for {
		if r, ok, err := f.recallRotation(ctx, key); err != nil || ok {
			return r, err
		}
		if locker == nil {
			break
		}
		var err error
		unlock, err = locker.TryLock(ctx, lockKeyPrefix+key, lockTTL)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrLockHeld) {
			return nil, fmt.Errorf("fiefhttp: refresh lock: %w", err)
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w: fiefhttp: waiting for another instance's refresh: %w", fief.ErrUnavailable, ctx.Err())
		case <-t.C:
		}
	}
	if unlock != nil {
		defer func() {
			if err := unlock(context.WithoutCancel(ctx)); err != nil {
				f.logger.WarnContext(ctx, "fiefhttp: refresh unlock failed", "error", err)
			}
		}()
		// Another instance may have finished between our look and our lock.
		if r, ok, err := f.recallRotation(ctx, key); err != nil || ok {
			return r, err
		}
	}
	tok, claims, err := f.client.Refresh(ctx, rec.RefreshToken, nil)
	if err != nil {
		var re *fief.ResponseError
		if errors.As(err, &re) && re.Code == "invalid_grant" {
			return nil, fmt.Errorf("%w: %w", ErrSessionEnded, err)
		}
		return nil, fmt.Errorf("fiefhttp: refreshing the session: %w", err)
	}
	now := f.client.Now()
	fresh := *rec
	fresh.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		fresh.RefreshToken = tok.RefreshToken
	}
	fresh.Expires = now.Add(time.Duration(tok.ExpiresIn) * time.Second).Unix()
	fresh.ACR = fief.ACRLevel0 // Fief's refreshed tokens are ACR 0
	if acr, ok := claims["acr"].(string); ok && fief.ACR(acr).Valid() {
		fresh.ACR = fief.ACR(acr)
	}
	f.cacheUser(ctx, claims)
	if err := f.rememberRotation(ctx, key, &fresh); err != nil {
		// The new pair is good; only late requests of the old one lose.
		f.logger.WarnContext(ctx, "fiefhttp: rotation memory write failed", "error", err)
	}
	return &fresh, nil
}

// rememberRotation keeps old refresh token → new session for
// f.rotationMemory. The memory is written once (Create): an entry that
// "sign out everywhere" deleted is never rewritten by an update.
func (f *WebFlow) rememberRotation(ctx context.Context, key string, rec *sessionRecord) error {
	r := *rec
	r.Until = f.client.Now().Add(f.rotationMemory).Unix()
	plain, _ := json.Marshal(&r) // strings and ints: cannot fail
	err := f.store.Create(ctx, rotationKeyPrefix+key, rec.UserID, f.seal.rotation.sealBytes(rotationKeyPrefix+key, plain), f.rotationMemory)
	if errors.Is(err, ErrSessionExists) {
		// Only the holder of a refresh token's lock refreshes it, once:
		// an entry already there was written for the same rotation.
		return nil
	}
	return err
}

// forgetRotation deletes the memory of the refresh token of key, made for
// a session that has ended meanwhile.
func (f *WebFlow) forgetRotation(ctx context.Context, key string) {
	if err := f.store.Delete(ctx, rotationKeyPrefix+key); err != nil {
		f.logger.WarnContext(ctx, "fiefhttp: rotation memory delete failed", "error", err)
	}
}

// recallRotation returns the session that replaced the refresh token of
// key, if it was rotated less than f.rotationMemory ago.
func (f *WebFlow) recallRotation(ctx context.Context, key string) (*sessionRecord, bool, error) {
	sealed, err := f.store.Get(ctx, rotationKeyPrefix+key)
	if errors.Is(err, ErrSessionNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("fiefhttp: reading the rotation memory: %w", err)
	}
	plain, err := f.seal.rotation.openBytes(rotationKeyPrefix+key, sealed)
	rec := &sessionRecord{}
	if err != nil || json.Unmarshal(plain, rec) != nil || !f.client.Now().Before(time.Unix(rec.Until, 0)) {
		return nil, false, nil
	}
	rec.Until = 0
	return rec, true, nil
}

// cacheUser puts the user claims of an ID token in the user-info cache.
func (f *WebFlow) cacheUser(ctx context.Context, claims fief.UserInfo) {
	id := claims.ID()
	if id == "" {
		return
	}
	user := make(fief.UserInfo, len(claims))
	for k, v := range claims {
		user[k] = v
	}
	for _, k := range idTokenOnlyClaims {
		delete(user, k)
	}
	if err := f.cache.Set(ctx, id, user); err != nil {
		f.logger.WarnContext(ctx, "fiefhttp: user-info cache write failed", "user", id, "error", err)
	}
}
