package fiefhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/internal/sentinel"
)

// Outcome is the class of answer a request gets: what [Auth.Check] and
// [Auth.CheckAuthorization] decided, read from their error by [Classify]. Adapters
// map it to their framework's answer (an HTTP status, a gRPC code).
type Outcome int

// The outcomes of a decision.
const (
	// OutcomeAllowed: the request goes on (a valid token meeting the route's
	// requirements, or an anonymous request on an optional route).
	OutcomeAllowed Outcome = iota
	// OutcomeUnauthorized: no token, or one that is not valid (HTTP 401,
	// gRPC Unauthenticated).
	OutcomeUnauthorized
	// OutcomeForbidden: a valid token lacking a scope, the ACR or a
	// permission (HTTP 403, gRPC PermissionDenied).
	OutcomeForbidden
	// OutcomeUnavailable: the decision could not be made, normally because
	// Fief cannot be reached (HTTP 503, gRPC Unavailable).
	OutcomeUnavailable
)

// String returns the outcome's name, such as "unauthorized".
func (o Outcome) String() string {
	switch o {
	case OutcomeAllowed:
		return "allowed"
	case OutcomeUnauthorized:
		return "unauthorized"
	case OutcomeForbidden:
		return "forbidden"
	case OutcomeUnavailable:
		return "unavailable"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Classify returns the outcome of an error of [Auth.Check] or
// [Auth.CheckAuthorization]: [OutcomeAllowed] for nil, [OutcomeUnauthorized] for
// [ErrNoToken] and errors matching [fief.ErrInvalidToken],
// [OutcomeForbidden] for errors matching [fief.ErrForbidden], and
// [OutcomeUnavailable] for anything else.
func Classify(err error) Outcome {
	switch {
	case err == nil:
		return OutcomeAllowed
	case isUnauthorized(err):
		return OutcomeUnauthorized
	case errors.Is(err, fief.ErrForbidden):
		return OutcomeForbidden
	default:
		return OutcomeUnavailable
	}
}

// Check is the one decision behind every integration of fief-go: the
// net/http middleware, and the gin, echo, gRPC and Connect adapters. It reads
// the request's token with the [Auth]'s [TokenGetter], validates it against
// the route's requirements and, when the route asks for it, gets the user.
//
// On success it returns the request's context carrying the token info (and
// the user), read back with [AccessTokenInfoFrom] and [UserInfoFrom]. On an
// [Optional] route a request without a valid token also succeeds, with its
// context unchanged. Otherwise the error says why: classify it with
// [Classify], or answer it with [Auth.Fail]. w is where the decision may
// write response headers (such as a renewed session cookie); it never writes
// a body.
//
// With the [Auth] of a [WebFlow] that refreshes sessions
// ([StorageSealedCookie], [StorageServer]), Check also refreshes an access
// token that expires within the margin, before the handler runs, and writes
// the renewed session cookie on w; the context then carries the new token.
// A session Fief will not refresh is an [ErrSessionEnded] (unauthorized); a
// refresh Fief could not answer is unavailable, and the session is kept.
func (a *Auth) Check(w http.ResponseWriter, r *http.Request, rt *Route) (context.Context, error) {
	if rt.public {
		return r.Context(), nil
	}
	if a.sessions != nil {
		s, err := a.sessions.session(w, r)
		if err != nil {
			return a.anonymous(r.Context(), rt, err)
		}
		ctx, err := a.check(r.Context(), s.token, s.authTime, rt, nil)
		if errors.Is(err, fief.ErrTokenRevoked) {
			s.end() // a session whose token is refused as revoked ends
		}
		return ctx, err
	}
	token, err := a.getter(r)
	if err != nil {
		return a.anonymous(r.Context(), rt, err)
	}
	return a.checkToken(r.Context(), token, rt)
}

// checkToken is [Auth.Check] for a token read by the caller: "" means the
// request carries no token.
func (a *Auth) checkToken(ctx context.Context, token string, rt *Route) (context.Context, error) {
	if rt.public {
		return ctx, nil
	}
	return a.check(ctx, token, time.Time{}, rt, nil)
}

// ErrSignInTooOld: the route asks for a recent sign-in ([MaxAge]) and the
// user typed their credentials longer ago, or the request's sign-in time is
// unknown (a bearer token, an access-token cookie). It is also a
// [fief.ErrForbidden].
var ErrSignInTooOld = sentinel.In(fief.ErrForbidden, "fiefhttp: sign-in too old for this route")

// stepUpError is a refusal that a new sign-in at Fief can cure.
// [WebFlow.Forbidden] reads it.
type stepUpError struct {
	acr    fief.ACR
	maxAge time.Duration
	err    error
}

func (e *stepUpError) Error() string { return e.err.Error() }
func (e *stepUpError) Unwrap() error { return e.err }

// check is the decision, with the time of sign-in when the request's
// session knows it (zero otherwise). endSession, when not nil, ends the
// request's session: a session whose token is refused as revoked (a
// revoked permission it carries, say) ends, rather than answer with it
// until it expires.
func (a *Auth) check(ctx context.Context, token string, authTime time.Time, rt *Route, endSession func()) (context.Context, error) {
	if token == "" {
		return a.anonymous(ctx, rt, ErrNoToken)
	}
	info, err := a.client.ValidateAccessToken(ctx, token, rt.req)
	if endSession != nil && errors.Is(err, fief.ErrTokenRevoked) {
		endSession()
	}
	if err == nil && rt.maxAge > 0 {
		if authTime.IsZero() {
			err = fmt.Errorf("%w: the sign-in time is unknown", ErrSignInTooOld)
		} else if a.client.Now().Sub(authTime) > rt.maxAge {
			err = ErrSignInTooOld
		}
	}
	// A new sign-in cures an ACR too low, and a sign-in too old when the
	// session records when it was (otherwise the new one would not tell).
	if errors.Is(err, fief.ErrACRTooLow) || (!authTime.IsZero() && errors.Is(err, ErrSignInTooOld)) {
		err = &stepUpError{acr: rt.req.ACR, maxAge: rt.maxAge, err: err}
	}
	if err != nil {
		return a.anonymous(ctx, rt, err)
	}
	st := &authState{info: info}
	if rt.withUser {
		if st.user, err = a.user(ctx, info, rt.refresh); err != nil {
			return a.anonymous(ctx, rt, err)
		}
	}
	return context.WithValue(ctx, ctxKey{}, st), nil
}

// CheckAuthorization is [Auth.Check] for the values of an Authorization
// header read by the caller outside an *http.Request, such as gRPC metadata
// or a Connect request's header: they are read by the rules of
// [AuthorizationHeader]("Bearer"), whatever the Auth's [TokenGetter].
func (a *Auth) CheckAuthorization(ctx context.Context, header []string, rt *Route) (context.Context, error) {
	if rt.public {
		return ctx, nil
	}
	token, err := parseAuthorization(header, "Bearer")
	if err != nil {
		return a.anonymous(ctx, rt, err)
	}
	return a.checkToken(ctx, token, rt)
}

// anonymous turns an unauthorized error on an optional route into an
// anonymous success, and logs the failures that are not the client's
// doing, whichever integration answers them.
func (a *Auth) anonymous(ctx context.Context, rt *Route, err error) (context.Context, error) {
	switch Classify(err) {
	case OutcomeUnauthorized:
		if rt.optional {
			return ctx, nil
		}
	case OutcomeUnavailable:
		if errors.Is(err, fief.ErrUnavailable) {
			a.logger.WarnContext(ctx, "fiefhttp: Fief unavailable", "error", err)
		} else {
			a.logger.ErrorContext(ctx, "fiefhttp: authentication failed", "error", err)
		}
	}
	return ctx, err
}

// Fail answers a request that [Auth.Check] refused with the [Auth]'s
// unauthorized, forbidden or unavailable handler, chosen by [Classify]. (The
// decision has already logged the failures that are not the client's
// doing.)
func (a *Auth) Fail(w http.ResponseWriter, r *http.Request, err error) {
	switch Classify(err) {
	case OutcomeUnauthorized:
		a.unauthorized(w, r, err)
	case OutcomeForbidden:
		a.forbidden(w, r, err)
	default:
		a.unavailable(w, r, err)
	}
}

// user returns the user's claims from the cache or from Fief.
func (a *Auth) user(ctx context.Context, info fief.AccessTokenInfo, refresh bool) (fief.UserInfo, error) {
	if !refresh {
		u, storedAt, ok, err := a.cache.Get(ctx, info.ID)
		if err != nil {
			a.logger.WarnContext(ctx, "fiefhttp: user-info cache read failed", "user", info.ID, "error", err)
		} else if ok && usableUserInfo(a.client, info.ID, u, storedAt) {
			return u, nil
		}
	}
	if err := a.userinfoFail.recent(a.client.Now()); err != nil {
		return nil, err
	}
	u, err := a.client.UserInfo(ctx, info.AccessToken)
	a.userinfoFail.record(ctx, err, a.client.Now())
	if err != nil {
		var re *fief.ResponseError
		if errors.As(err, &re) && re.StatusCode == http.StatusUnauthorized {
			return nil, fmt.Errorf("%w: %w", ErrTokenRejected, err)
		}
		return nil, err
	}
	if err := a.cache.Set(ctx, info.ID, u); err != nil {
		a.logger.WarnContext(ctx, "fiefhttp: user-info cache write failed", "user", info.ID, "error", err)
	}
	return u, nil
}

func isUnauthorized(err error) bool {
	return errors.Is(err, ErrNoToken) || errors.Is(err, fief.ErrInvalidToken)
}
