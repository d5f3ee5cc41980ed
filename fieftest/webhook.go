package fieftest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Webhook delivery settings, as Fief's worker has them.
const (
	// webhookAttempts is the number of attempts of one event.
	webhookAttempts = 6
	// webhookMinBackoff is the first retry's upper bound; each next doubles.
	webhookMinBackoff = 15 * time.Second
	// webhookTimeout is how long an attempt waits for the answer.
	webhookTimeout = 5 * time.Second
)

// WebhookConfig describes a webhook for [Server.AddWebhook].
type WebhookConfig struct {
	// URL receives the deliveries (POST). Required.
	URL string
	// Events are the event types sent, such as "user.updated"; empty
	// means none, as in Fief.
	Events []string
	// Secret signs the deliveries; a random one (43 url-safe characters,
	// like Fief's) when empty.
	Secret string
}

// Webhook is a webhook of a [Server], made by [Server.AddWebhook] or the
// admin API (POST /admin/api/webhooks/). Each event of a type it lists is
// POSTed to its URL, signed with its secret, as Fief does: a body
// {"type": ..., "data": ...} in Python's JSON style, the headers
// X-Fief-Webhook-Timestamp and X-Fief-Webhook-Signature (hex HMAC-SHA256 of
// timestamp "." body), at most 6 attempts, a retry after any answer but 2xx
// (redirects are not followed), a connection error or a 5-second timeout,
// with Fief's back-off (7.5–15 s, then 15–30, 30–60, 60–120 and 120–240 s).
// Retries follow the server's clock: one falls due when [Server.Advance]
// moves the clock past it (or real time does). Each attempt is signed anew,
// with the webhook's secret at that time.
type Webhook struct {
	ID     string
	URL    string
	Secret string
	Events []string
}

// WebhookAttempt is one attempt at delivering an event, as
// [Server.WebhookAttempts] lists them (and the admin API's webhook logs).
type WebhookAttempt struct {
	// WebhookID is the webhook's ID.
	WebhookID string
	// Type is the event type.
	Type string
	// Body is the raw body sent (the same for every attempt of an event).
	Body []byte
	// Attempt counts from 1.
	Attempt int
	// At is the server's time of the attempt.
	At time.Time
	// StatusCode is the answer's status, 0 when there was none.
	StatusCode int
	// Err describes a failure to get an answer.
	Err string
}

// OK reports whether the attempt succeeded (2xx).
func (a WebhookAttempt) OK() bool { return a.StatusCode >= 200 && a.StatusCode < 300 }

// pendingDelivery is an event waiting for its next attempt.
type pendingDelivery struct {
	webhookID string
	typ       string
	body      []byte
	attempt   int       // attempts made
	due       time.Time // server time of the next attempt
}

// deliveryState is the queue of the delivery worker, guarded by Server.mu.
type deliveryState struct {
	queue    []*pendingDelivery
	inFlight int
	wake     chan struct{} // signals the worker; nil until it starts
	idle     chan struct{} // closed and replaced when nothing is due
	stop     chan struct{}
	done     chan struct{}
}

// AddWebhook registers a webhook, as POST /admin/api/webhooks/ does, and
// returns it with its secret. The server delivers in the background until
// [Server.Close]. It fails without a URL or with an event type Fief does
// not have.
func (s *Server) AddWebhook(cfg WebhookConfig) (Webhook, error) {
	if cfg.URL == "" {
		return Webhook{}, errors.New("fieftest: AddWebhook without a URL")
	}
	for _, e := range cfg.Events {
		if !slices.Contains(webhookEventTypes, e) {
			return Webhook{}, errors.New("fieftest: AddWebhook with an unknown event type " + strconv.Quote(e))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &webhook{meta: s.adm.newMeta(s.nowLocked()), url: cfg.URL, events: slices.Clone(cfg.Events), secret: cfg.Secret}
	if h.secret == "" {
		h.secret = randomToken()
	}
	s.adm.webhooks[h.id] = h
	return Webhook{ID: h.id, URL: h.url, Secret: h.secret, Events: slices.Clone(h.events)}, nil
}

// WebhookAttempts returns the delivery attempts made so far, oldest first.
func (s *Server) WebhookAttempts() []WebhookAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WebhookAttempt, 0, len(s.adm.webhookLogs))
	for _, l := range s.adm.webhookLogs {
		a := WebhookAttempt{WebhookID: l.webhookID, Type: l.event, Body: []byte(l.payload), Attempt: l.attempt, At: l.created, StatusCode: l.statusCode}
		if l.errorMessage != nil {
			a.Err = *l.errorMessage
		}
		out = append(out, a)
	}
	return out
}

// WaitWebhooks waits until every attempt due at the server's current time
// has been made, or ctx is done. Retries due later stay queued.
func (s *Server) WaitWebhooks(ctx context.Context) error {
	for {
		s.mu.Lock()
		d := &s.deliveries
		if d.wake == nil || (d.inFlight == 0 && !s.dueLocked()) {
			s.mu.Unlock()
			return nil
		}
		idle := d.idle
		s.wakeLocked()
		s.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// queueWebhooksLocked queues a delivery of the event to every webhook that
// lists its type, and starts the worker if needed. s.mu is held.
func (s *Server) queueWebhooksLocked(eventType string, object any) {
	var targets []string
	for _, h := range sortedBySeq(s.adm.webhooks) {
		if slices.Contains(h.events, eventType) {
			targets = append(targets, h.id)
		}
	}
	if len(targets) == 0 {
		return
	}
	body, err := webhookBody(eventType, object, s.legacyLocked())
	if err != nil {
		panic("fieftest: encoding a webhook event: " + err.Error()) // read models always encode
	}
	now := s.nowLocked()
	d := &s.deliveries
	for _, id := range targets {
		d.queue = append(d.queue, &pendingDelivery{webhookID: id, typ: eventType, body: body, due: now})
	}
	if d.wake == nil && !s.closed {
		d.wake = make(chan struct{}, 1)
		d.idle = make(chan struct{})
		d.stop = make(chan struct{})
		d.done = make(chan struct{})
		go s.deliverLoop(d.wake, d.stop, d.done)
	}
	s.wakeLocked()
}

// webhookBody encodes an event as Fief does: Python's json.dumps style at
// 0.26.3 (pydantic 1), compact JSON with raw UTF-8 and "Z" times at 0.30.0
// (pydantic 2).
func webhookBody(eventType string, object any, legacy bool) ([]byte, error) {
	event := struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}{eventType, object}
	if legacy {
		return pyJSON(event)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(event); err != nil {
		return nil, err
	}
	return zuluTimes(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

func (s *Server) wakeLocked() {
	if s.deliveries.wake == nil {
		return
	}
	select {
	case s.deliveries.wake <- struct{}{}:
	default:
	}
}

// dueLocked reports whether a delivery is due now.
func (s *Server) dueLocked() bool {
	now := s.nowLocked()
	return slices.ContainsFunc(s.deliveries.queue, func(p *pendingDelivery) bool { return !p.due.After(now) })
}

// deliverLoop makes the attempts as they fall due, one at a time, in
// order, until stop is closed.
func (s *Server) deliverLoop(wake, stop, done chan struct{}) {
	defer close(done)
	client := &http.Client{
		Timeout:       webhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	for {
		s.mu.Lock()
		d := &s.deliveries
		p, wait := s.nextDueLocked()
		if p == nil {
			close(d.idle)
			d.idle = make(chan struct{})
		} else {
			d.inFlight++
		}
		s.mu.Unlock()
		if p != nil {
			s.attempt(client, p)
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-stop:
			timer.Stop()
			return
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// nextDueLocked removes and returns the first delivery due now, or returns
// how long to wait (in real time) for the next one.
func (s *Server) nextDueLocked() (*pendingDelivery, time.Duration) {
	d := &s.deliveries
	now := s.nowLocked()
	wait := time.Minute
	for i, p := range d.queue {
		if !p.due.After(now) {
			d.queue = slices.Delete(d.queue, i, i+1)
			return p, 0
		}
		wait = min(wait, p.due.Sub(now))
	}
	return nil, wait
}

// attempt sends one attempt of p, logs it, and requeues p on failure.
func (s *Server) attempt(client *http.Client, p *pendingDelivery) {
	s.mu.Lock()
	now := s.nowLocked()
	h := s.adm.webhooks[p.webhookID]
	legacy := s.legacyLocked()
	var url, secret string
	if h != nil {
		url, secret = h.url, h.secret
	}
	s.mu.Unlock()
	p.attempt++
	var res attemptResult
	if h != nil { // a deleted webhook's deliveries are dropped
		res = sendWebhook(client, url, secret, strconv.FormatInt(now.Unix(), 10), p.body, webhookUserAgent(legacy))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries.inFlight--
	if h == nil || s.adm.webhooks[p.webhookID] == nil {
		return
	}
	l := &webhookLog{
		meta: s.adm.newMeta(now), webhookID: p.webhookID, event: p.typ, attempt: p.attempt,
		payload: string(p.body), success: res.ok(), statusCode: res.status,
		response: res.response, errorType: res.errorType, errorMessage: res.errorMessage,
	}
	s.adm.webhookLogs = append(s.adm.webhookLogs, l)
	if res.ok() {
		return
	}
	reason := res.describe()
	if p.attempt >= webhookAttempts {
		s.warn("fieftest: webhook delivery dropped after the last attempt", "url", url, "event", p.typ, "attempt", p.attempt, "error", reason)
		return
	}
	s.warn("fieftest: webhook delivery failed, will retry", "url", url, "event", p.typ, "attempt", p.attempt, "error", reason)
	p.due = now.Add(webhookBackoff(p.attempt))
	s.deliveries.queue = append(s.deliveries.queue, p)
}

// webhookBackoff is the wait after the n-th failed attempt: dramatiq's
// exponential back-off, jittered between half and all of it.
func webhookBackoff(n int) time.Duration {
	full := webhookMinBackoff << (n - 1)
	return full/2 + rand.N(full/2+1)
}

// attemptResult is the outcome of one attempt, in the terms of Fief's
// webhook logs.
type attemptResult struct {
	status       int
	response     *string
	errorType    *string
	errorMessage *string
}

func (r attemptResult) ok() bool { return r.status >= 200 && r.status < 300 }

// describe says why an attempt failed, for the warning log.
func (r attemptResult) describe() string {
	if r.errorMessage != nil {
		return *r.errorMessage
	}
	return "HTTP " + strconv.Itoa(r.status)
}

// sendWebhook POSTs one signed attempt.
func sendWebhook(client *http.Client, url, secret, ts string, body []byte, userAgent string) attemptResult {
	fail := func(typ string, err error) attemptResult {
		msg := err.Error()
		return attemptResult{errorType: &typ, errorMessage: &msg}
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fail("InvalidURL", err)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("X-Fief-Webhook-Timestamp", ts)
	req.Header.Set("X-Fief-Webhook-Signature", hex.EncodeToString(m.Sum(nil)))
	resp, err := client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fail("TimeoutException", err)
		}
		// httpx's message, as Fief logs it, whatever the cause
		return fail("ConnectError", errors.New("All connection attempts failed"))
	}
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	r := attemptResult{status: resp.StatusCode}
	r.response = new(string)
	*r.response = string(text)
	if !r.ok() {
		typ, msg := "HTTPStatusError", "HTTP "+strconv.Itoa(resp.StatusCode)
		r.errorType, r.errorMessage = &typ, &msg
	}
	return r
}

// stopDeliveries stops the delivery worker, if any, and waits for it.
func (s *Server) stopDeliveries() {
	s.mu.Lock()
	stop, done := s.deliveries.stop, s.deliveries.done
	s.deliveries.stop = nil
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}
