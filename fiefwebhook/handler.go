package fiefwebhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

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

// Config configures [NewHandler]. Only Secrets is required.
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

	// Apply applies each event's [Effect] (revocation, dropping cached user
	// info): [Local] for one process, a shared bus for several. Nil applies
	// nothing.
	Apply Applier

	// Hooks are the application's own handling of event types, keyed by
	// type (such as [fiefadmin.EventUserCreated]); Default handles the types without a
	// hook, unknown ones included. Both run once per event, on the instance
	// that received it, after Apply.
	Hooks   map[fiefadmin.WebhookEvent]HookFunc
	Default HookFunc

	// Logger receives refused deliveries and failures (never a secret or a
	// signature). Nil means no logging.
	Logger *slog.Logger
}

// Handler is the [http.Handler] of a webhook endpoint. Make it with
// [NewHandler]. For each POST it:
//
//  1. reads the body, at most [Config.MaxBodySize] bytes (413 above);
//  2. checks the timestamp and the signature with [Verify] (401, nothing
//     processed, when either fails);
//  3. decodes the event with [Decode] (400 when malformed);
//  4. claims the delivery in [Config.Deliveries]: a delivery processed
//     already is answered 204 and nothing more;
//  5. applies the event's [Effect] with [Config.Apply], then runs the hook
//     of its type: an error answers 503 or 500, and the delivery is given
//     back so that Fief's retry processes it;
//  6. answers 204.
type Handler struct {
	secrets    []string
	tolerance  time.Duration
	clock      func() time.Time
	maxBody    int64
	deliveries Deliveries
	apply      Applier
	hooks      map[fiefadmin.WebhookEvent]HookFunc
	fallback   HookFunc
	logger     *slog.Logger
}

// NewHandler validates cfg and returns a [Handler].
func NewHandler(cfg Config) (*Handler, error) {
	if len(cfg.Secrets) == 0 {
		return nil, errors.New("fiefwebhook: Config.Secrets is empty")
	}
	for i, s := range cfg.Secrets {
		if s == "" {
			return nil, fmt.Errorf("fiefwebhook: Config.Secrets[%d] is empty", i)
		}
	}
	h := &Handler{
		secrets:    append([]string(nil), cfg.Secrets...),
		tolerance:  cfg.Tolerance,
		clock:      cfg.Clock,
		maxBody:    cfg.MaxBodySize,
		deliveries: cfg.Deliveries,
		apply:      cfg.Apply,
		hooks:      make(map[fiefadmin.WebhookEvent]HookFunc, len(cfg.Hooks)),
		fallback:   cfg.Default,
		logger:     cfg.Logger,
	}
	for t, f := range cfg.Hooks {
		if f != nil {
			h.hooks[t] = f
		}
	}
	if h.tolerance <= 0 {
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
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	return h, nil
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
// does after checking the request: claim, apply, hook. It returns the status
// to answer: 204, or 503 / 500 with the error.
func (h *Handler) process(ctx context.Context, e *Event, now time.Time) (int, error) {
	first, claimed, err := h.deliveries.Claim(ctx, e.ID, now)
	if err != nil {
		return http.StatusServiceUnavailable, fmt.Errorf("fiefwebhook: claiming the delivery: %w", err)
	}
	if !claimed {
		h.logger.DebugContext(ctx, "fiefwebhook: delivery processed already", "type", e.Type, "id", e.ID)
		return http.StatusNoContent, nil
	}
	e.ReceivedAt = first
	if h.apply != nil {
		if err := h.apply.Apply(ctx, EffectOf(e)); err != nil {
			h.release(ctx, e)
			return http.StatusServiceUnavailable, fmt.Errorf("fiefwebhook: applying %s: %w", e.Type, err)
		}
	}
	hook := h.hooks[e.Type]
	if hook == nil {
		hook = h.fallback
	}
	if hook != nil {
		if err := hook(ctx, e); err != nil {
			h.release(ctx, e)
			return http.StatusInternalServerError, fmt.Errorf("fiefwebhook: hook of %s: %w", e.Type, err)
		}
	}
	return http.StatusNoContent, nil
}

func (h *Handler) release(ctx context.Context, e *Event) {
	if err := h.deliveries.Release(context.WithoutCancel(ctx), e.ID); err != nil {
		h.logger.WarnContext(ctx, "fiefwebhook: releasing a failed delivery", "id", e.ID, "error", err)
	}
}
