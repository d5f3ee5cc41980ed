package fiefadmin

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"syscall"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// The defaults of [RetryPolicy].
const (
	DefaultRetryAttempts   = 4
	DefaultRetryMinDelay   = 250 * time.Millisecond
	DefaultRetryMaxDelay   = 4 * time.Second
	DefaultRetryMaxElapsed = 20 * time.Second
)

// NoRetry is the [RetryPolicy] that tries every call once.
var NoRetry = RetryPolicy{Attempts: 1}

// RetryPolicy says how the client tries again a call that failed in a way
// that may pass: an answer 500, 502, 503 or 504, or a connection reset,
// refused or closed before the answer (a Fief whose database is busy
// answers 500 and resets the next connection; a restarting Fief refuses
// connections).
//
// Only calls whose effect is the same when repeated are tried again: GET,
// PATCH (every update of the admin API sets the fields it is given) and
// DELETE. POST (creations, grants of a role or a permission, new secrets
// and tokens) is never tried again: a second attempt could create a second
// object, or fail because the first one succeeded.
//
// A DELETE tried again after such a failure and answered 404 Not Found is
// reported as done: the first attempt may have deleted the object before
// its answer was lost, and either way the object is gone.
//
// The waits between attempts double from MinDelay up to MaxDelay, each
// drawn at random between half and all of its length (jitter, so that many
// clients do not retry in step). The context given to the call ends the
// waits too.
type RetryPolicy struct {
	// Attempts is the largest number of attempts of one call, the first
	// included: 1 tries once. Zero means [DefaultRetryAttempts].
	Attempts int
	// MinDelay is the wait before the first retry. Zero means
	// [DefaultRetryMinDelay].
	MinDelay time.Duration
	// MaxDelay caps one wait. Zero means [DefaultRetryMaxDelay].
	MaxDelay time.Duration
	// MaxElapsed bounds the time of one call's attempts and waits: no
	// wait starts that would end after MaxElapsed from the first attempt.
	// Zero means [DefaultRetryMaxElapsed].
	MaxElapsed time.Duration
}

// withDefaults fills the zero fields, and refuses negative ones.
func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	for _, f := range []struct {
		name string
		neg  bool
	}{
		{"Attempts", p.Attempts < 0}, {"MinDelay", p.MinDelay < 0},
		{"MaxDelay", p.MaxDelay < 0}, {"MaxElapsed", p.MaxElapsed < 0},
	} {
		if f.neg {
			return p, &fief.ConfigError{Field: "Retry." + f.name, Reason: "is negative"}
		}
	}
	if p.Attempts == 0 {
		p.Attempts = DefaultRetryAttempts
	}
	if p.MinDelay == 0 {
		p.MinDelay = DefaultRetryMinDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = DefaultRetryMaxDelay
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = DefaultRetryMaxElapsed
	}
	p.MaxDelay = max(p.MaxDelay, p.MinDelay)
	return p, nil
}

// delay is the wait after the given failed attempt (from 1): the doubled
// delay, capped, with jitter over its second half.
func (p RetryPolicy) delay(attempt int) time.Duration {
	d := p.MinDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if half := d / 2; half > 0 {
		return half + rand.N(d-half+1)
	}
	return d
}

// idempotent reports whether a request of this method has the same effect
// when repeated, in the admin API.
func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodPatch || method == http.MethodDelete
}

// transientStatus reports whether an answer of this status may pass on a
// retry.
func transientStatus(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// transientError reports whether a failure to get an answer may pass on a
// retry: the connection was reset, refused, or closed before the answer.
func transientError(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
