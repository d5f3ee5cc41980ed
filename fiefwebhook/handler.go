package fiefwebhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
)

// Defaults of [Config].
const (
	// DefaultTolerance is how far a delivery's timestamp may be from now.
	DefaultTolerance = 5 * time.Minute
	// DefaultMaxBodySize caps a delivery's body; Fief's are a few KiB.
	DefaultMaxBodySize = 1 << 20
)

// HookFunc is the application's own handling of an event. An error makes the
// handler answer 500, so that Fief retries the delivery.
type HookFunc func(ctx context.Context, e *Event) error

// Config configures [NewHandler]. Secrets is required, and Apply or a hook.
type Config struct {
	// Secrets are the webhook's secrets: one, or during a rotation the old
	// and the new one. A delivery signed with any of them is accepted.
	Secrets []string

	// Tolerance is how far a delivery's timestamp may be from now. Zero
	// means [DefaultTolerance].
	Tolerance time.Duration

	// Clock returns the current time. Nil means [time.Now].
	Clock func() time.Time

	// MaxBodySize caps a delivery's body (413 above it). Zero means
	// [DefaultMaxBodySize].
	MaxBodySize int64

	// Deliveries remembers the deliveries processed. Nil means a
	// [NewMemoryDeliveries] with default settings, private to the handler:
	// with several instances, share one (fiefredis) so that an event is
	// processed once whichever instance receives it.
	Deliveries Deliveries

	// Lease is how long this handler may process a delivery before
	// another attempt (on any instance sharing Deliveries) may take it
	// over; processing is cut short at its end. Zero means
	// [DefaultDeliveryLease].
	Lease time.Duration

	// Apply applies each event's [Effect] (revocation, dropping cached user
	// info): [Local] for one process, a shared bus for several. Nil applies
	// nothing.
	Apply Applier

	// AcceptUnshared answers 2xx when Apply fails (an effect applied to
	// this instance but not shared with the others, such as while Redis is
	// down), or when Deliveries cannot record the delivery done (the same
	// outage, with shared deliveries): Fief then never retries the
	// delivery, and the other instances miss the effect until it is
	// shared, which an instance that stops before then never does. The
	// zero value answers 503, so that Fief retries the delivery on its
	// schedule (six attempts over about eight minutes) until it is shared.
	AcceptUnshared bool

	// Admin, when set, is used once at start (in the background from
	// NewHandler on; see [Handler.RolesLoaded]) to read every role's
	// permissions from Fief's admin API. A role.updated carries the role
	// after the change only: the permissions it removed are known when the
	// handler saw the role before, in a role.* event it processed or in
	// this read; otherwise the role.updated revokes nothing, and tokens
	// keep the removed permissions until they expire. With several
	// instances each remembers the roles of the events it processed: give
	// every instance an Admin client.
	Admin *fiefadmin.Client

	// RoleRemovalGrace is how long after a user_role.deleted is received
	// the user's tokens carrying the role's permissions are still refused,
	// even those issued after it (Fief takes the permissions from the user
	// a moment after it sends the webhook). When the role's permissions
	// are unknown (see Admin), every token of the user issued until then is
	// refused. Zero means [DefaultRoleRemovalGrace]; at most
	// [MaxRoleRemovalGrace].
	RoleRemovalGrace time.Duration

	// Hooks are the application's own handling of event types, keyed by
	// type (such as [fiefadmin.EventUserCreated]); Default handles the types without a
	// hook, unknown ones included. Both run once per event, on the instance
	// that received it, after Apply.
	Hooks   map[fiefadmin.WebhookEvent]HookFunc
	Default HookFunc

	// Logger receives refused deliveries and failures (never a secret or a
	// signature). Nil means [slog.Default]: a forged delivery leaves a
	// trace.
	Logger *slog.Logger
}

// Handler is the [http.Handler] of a webhook endpoint. Make it with
// [NewHandler]. For each POST it:
//
//  1. reads the body, at most [Config.MaxBodySize] bytes (413 above);
//  2. checks the timestamp and the signature with [Verify] (401, nothing
//     processed, when either fails);
//  3. decodes the event with [Decode] (400 when malformed);
//  4. claims the delivery in [Config.Deliveries], with a lease of
//     [Config.Lease]: a delivery done already, or being processed under a
//     live lease, is answered 204 and nothing more;
//  5. applies the event's [Effect] with [Config.Apply], then runs the hook
//     of its type: an error answers 503 or 500, and the delivery is given
//     back so that Fief's retry processes it;
//  6. records the delivery done, and answers 204.
//
// An instance that dies between 4 and 6 leaves its lease to expire: Fief's
// next attempt, on any instance, processes the delivery again.
type Handler struct {
	secrets    []string
	tolerance  time.Duration
	clock      func() time.Time
	maxBody    int64
	deliveries Deliveries
	lease      time.Duration
	apply      Applier
	acceptUnsh bool
	roles      *roleMemory
	grace      time.Duration
	hooks      map[fiefadmin.WebhookEvent]HookFunc
	fallback   HookFunc
	logger     *slog.Logger
}

// NewHandler validates cfg and returns a [Handler]. Errors are of type
// [*fief.ConfigError]. With [Config.Admin] set, it starts reading the roles
// in the background; a delivery that needs them waits for the read.
func NewHandler(cfg Config) (*Handler, error) {
	if len(cfg.Secrets) == 0 {
		return nil, &fief.ConfigError{Field: "fiefwebhook.Config.Secrets", Reason: "is empty"}
	}
	for i, s := range cfg.Secrets {
		if s == "" {
			return nil, &fief.ConfigError{Field: fmt.Sprintf("fiefwebhook.Config.Secrets[%d]", i), Reason: "is empty"}
		}
	}
	h := &Handler{
		secrets:    append([]string(nil), cfg.Secrets...),
		tolerance:  cfg.Tolerance,
		clock:      cfg.Clock,
		maxBody:    cfg.MaxBodySize,
		deliveries: cfg.Deliveries,
		lease:      cfg.Lease,
		apply:      cfg.Apply,
		acceptUnsh: cfg.AcceptUnshared,
		roles:      newRoleMemory(),
		grace:      cfg.RoleRemovalGrace,
		hooks:      make(map[fiefadmin.WebhookEvent]HookFunc, len(cfg.Hooks)),
		fallback:   cfg.Default,
		logger:     cfg.Logger,
	}
	for t, f := range cfg.Hooks {
		if f != nil {
			h.hooks[t] = f
		}
	}
	if h.apply == nil && h.fallback == nil && len(h.hooks) == 0 {
		return nil, &fief.ConfigError{Field: "fiefwebhook.Config.Apply", Reason: "is nil and there is no hook: the handler would do nothing"}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Tolerance", h.tolerance}, {"Lease", h.lease}, {"RoleRemovalGrace", h.grace}} {
		if d.v < 0 {
			return nil, &fief.ConfigError{Field: "fiefwebhook.Config." + d.name, Reason: fmt.Sprintf("%v is negative", d.v)}
		}
	}
	if h.grace > MaxRoleRemovalGrace {
		return nil, &fief.ConfigError{Field: "fiefwebhook.Config.RoleRemovalGrace", Reason: fmt.Sprintf("%v is above MaxRoleRemovalGrace (%v)", h.grace, MaxRoleRemovalGrace)}
	}
	if h.tolerance == 0 {
		h.tolerance = DefaultTolerance
	}
	if h.clock == nil {
		h.clock = time.Now
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodySize
	}
	if h.deliveries == nil {
		h.deliveries = NewMemoryDeliveries(0, 0)
	}
	if h.lease == 0 {
		h.lease = DefaultDeliveryLease
	}
	if h.grace == 0 {
		h.grace = DefaultRoleRemovalGrace
	}
	if h.logger == nil {
		h.logger = slog.Default()
	}
	h.roles.load(cfg.Admin, h.logger)
	return h, nil
}

// RolesLoaded waits until the handler has read the roles from Fief's admin
// API ([Config.Admin]), and returns the read's error; nil at once without
// Admin. The handler reads them in the background from [NewHandler] on, and
// a delivery that needs them waits for the read: call RolesLoaded at start
// to know that the read succeeded, before the first change to a role.
func (h *Handler) RolesLoaded(ctx context.Context) error {
	select {
	case <-h.roles.loaded:
		return h.roles.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ServeHTTP implements [http.Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.logger.WarnContext(r.Context(), "fiefwebhook: delivery refused: body too large", "limit", h.maxBody)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	now := h.clock()
	if err := Verify(h.secrets, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, now, h.tolerance); err != nil {
		h.logger.WarnContext(r.Context(), "fiefwebhook: delivery refused", "error", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	e, err := Decode(body)
	if err != nil {
		h.logger.WarnContext(r.Context(), "fiefwebhook: delivery refused", "error", err)
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	status, err := h.process(r.Context(), e, now)
	if err != nil {
		h.logger.ErrorContext(r.Context(), "fiefwebhook: event not processed; Fief will retry", "type", e.Type, "id", e.ID, "error", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.WriteHeader(status)
}

// process processes a verified, decoded event received at now, as ServeHTTP
// does after checking the request: claim, apply, hook, done. It returns the
// status to answer: 204, or 503 / 500 with the error.
func (h *Handler) process(ctx context.Context, e *Event, now time.Time) (int, error) {
	first, claimed, err := h.deliveries.Claim(ctx, e.ID, now, h.lease)
	if err != nil {
		return http.StatusServiceUnavailable, fmt.Errorf("fiefwebhook: claiming the delivery: %w", err)
	}
	if !claimed {
		h.logger.DebugContext(ctx, "fiefwebhook: delivery processed already, or being processed", "type", e.Type, "id", e.ID)
		return http.StatusNoContent, nil
	}
	e.ReceivedAt = first
	leased, cancel := context.WithTimeout(ctx, h.lease)
	defer cancel()
	if h.apply != nil {
		if err := h.apply.Apply(leased, h.effect(leased, e)); err != nil {
			if !h.acceptUnsh {
				h.release(ctx, e)
				return http.StatusServiceUnavailable, fmt.Errorf("fiefwebhook: applying %s: %w", e.Type, err)
			}
			h.logger.WarnContext(ctx, "fiefwebhook: effect not shared; accepted anyway (AcceptUnshared)", "type", e.Type, "id", e.ID, "error", err)
		}
	}
	h.roles.record(e)
	hook := h.hooks[e.Type]
	if hook == nil {
		hook = h.fallback
	}
	if hook != nil {
		if err := hook(leased, e); err != nil {
			h.release(ctx, e)
			return http.StatusInternalServerError, fmt.Errorf("fiefwebhook: hook of %s: %w", e.Type, err)
		}
	}
	if err := h.deliveries.Done(context.WithoutCancel(ctx), e.ID); err != nil {
		if h.acceptUnsh {
			// Not shared either: the lease lets another instance
			// process it again, which repeats idempotent effects.
			h.logger.WarnContext(ctx, "fiefwebhook: delivery not recorded done; accepted anyway (AcceptUnshared)", "type", e.Type, "id", e.ID, "error", err)
			return http.StatusNoContent, nil
		}
		// The effects are idempotent: Fief's retry processes it again.
		return http.StatusServiceUnavailable, fmt.Errorf("fiefwebhook: recording the delivery done: %w", err)
	}
	return http.StatusNoContent, nil
}

// effect returns what e does to access, with what the handler remembers of
// roles.
func (h *Handler) effect(ctx context.Context, e *Event) Effect {
	switch e.Type {
	case fiefadmin.EventUserRoleDeleted:
		ur, ok := e.UserRole()
		if !ok {
			break
		}
		h.roles.wait(ctx)
		return effectOf(e, h.grace, h.roles.permissions(ur.RoleID))
	case fiefadmin.EventRoleUpdated:
		r, ok := e.Object.(*fiefadmin.Role)
		if !ok {
			break
		}
		h.roles.wait(ctx)
		lost, known := h.roles.lostBy(r)
		if !known {
			h.logger.WarnContext(ctx, "fiefwebhook: role.updated of a role whose previous permissions are unknown: tokens keep the permissions it lost until they expire", "role", r.ID)
		}
		var f Effect
		for _, p := range lost {
			f.Revocations = append(f.Revocations, fief.Revocation{Kind: fief.RevokePermission, Permission: p, NotBefore: e.ReceivedAt})
		}
		return f
	}
	return effectOf(e, h.grace, nil)
}

func (h *Handler) release(ctx context.Context, e *Event) {
	if err := h.deliveries.Release(context.WithoutCancel(ctx), e.ID); err != nil {
		h.logger.WarnContext(ctx, "fiefwebhook: releasing a failed delivery", "id", e.ID, "error", err)
	}
}
