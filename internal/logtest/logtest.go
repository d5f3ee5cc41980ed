// Package logtest captures what the code of this module logs and the
// errors it returns, for tests that assert that no secret leaks: a
// [Recorder] is an [slog.Handler] keeping every record as text, and
// [Recorder.NoSecrets] fails the test when any of it, or any error text
// given to it, contains one of the secrets.
package logtest

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Recorder is an [slog.Handler] that keeps every record, with its
// attributes, as a line of text (all levels). It is safe for concurrent
// use.
type Recorder struct {
	mu     sync.Mutex
	lines  []string
	errors []string
}

// New returns a Recorder and a logger writing to it.
func New() (*Recorder, *slog.Logger) {
	r := &Recorder{}
	return r, slog.New(r.Handler())
}

// UseAsDefault makes [slog.Default] write to a new Recorder until the end
// of the test, and returns it. Tests using it must not run in parallel.
func UseAsDefault(t testing.TB) *Recorder {
	r, logger := New()
	old := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(old) })
	return r
}

// Handler returns the slog.Handler writing to r.
func (r *Recorder) Handler() slog.Handler {
	return &handler{r: r}
}

// Lines returns the records so far, one line each.
func (r *Recorder) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// Text returns the records so far, joined by newlines.
func (r *Recorder) Text() string { return strings.Join(r.Lines(), "\n") }

// AddError keeps the text of err (when not nil) for [Recorder.NoSecrets].
func (r *Recorder) AddError(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, err.Error())
}

// AddText keeps s, any text shown to a user or an operator (a report, a
// page), for [Recorder.NoSecrets].
func (r *Recorder) AddText(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, s)
}

// NoSecrets fails t if a record, an error or a text kept contains one of
// secrets (empty ones are ignored). It reports how many texts it scanned.
func (r *Recorder) NoSecrets(t testing.TB, secrets ...string) int {
	t.Helper()
	r.mu.Lock()
	texts := append(append([]string(nil), r.lines...), r.errors...)
	r.mu.Unlock()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, text := range texts {
			if strings.Contains(text, s) {
				t.Errorf("a secret (%d bytes, starting %.4q) leaks in: %s", len(s), s, text)
			}
		}
	}
	return len(texts)
}

type handler struct {
	r     *Recorder
	attrs []slog.Attr
	group string
}

func (h *handler) Enabled(context.Context, slog.Level) bool { return true }

func (h *handler) Handle(_ context.Context, rec slog.Record) error {
	var buf bytes.Buffer
	th := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	var out slog.Handler = th.WithAttrs(h.attrs)
	if h.group != "" {
		out = out.WithGroup(h.group)
	}
	if err := out.Handle(context.Background(), rec); err != nil {
		return err
	}
	h.r.mu.Lock()
	defer h.r.mu.Unlock()
	h.r.lines = append(h.r.lines, strings.TrimSuffix(buf.String(), "\n"))
	return nil
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &handler{r: h.r, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...), group: h.group}
}

func (h *handler) WithGroup(name string) slog.Handler {
	g := name
	if h.group != "" {
		g = h.group + "." + name
	}
	return &handler{r: h.r, attrs: h.attrs, group: g}
}
