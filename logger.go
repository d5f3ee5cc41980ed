package fief

import (
	"context"
	"log/slog"
)

// Logger returns the client's logger: [Config.Logger], or, when it is nil,
// a logger that sends warnings and errors to [slog.Default] (looked up at
// each message, so a later [slog.SetDefault] applies) and drops debug and
// info messages. fiefhttp and fiefcli use it unless given a logger of their
// own, so that a misconfiguration shows in the application's log with no
// setup. Nothing it receives carries a token or a secret.
func (c *Client) Logger() *slog.Logger { return c.s.logger }

// defaultLogger is the logger of a client configured without one.
func defaultLogger() *slog.Logger { return slog.New(defaultWarnHandler{}) }

// defaultWarnHandler passes records of level Warn and above to the handler
// of slog.Default at the time of each record.
type defaultWarnHandler struct {
	ops []handlerOp // WithAttrs and WithGroup calls, in order
}

// handlerOp is one WithAttrs (attrs set) or WithGroup (group set) call.
type handlerOp struct {
	attrs []slog.Attr
	group string
}

func (h defaultWarnHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && slog.Default().Handler().Enabled(ctx, l)
}

func (h defaultWarnHandler) Handle(ctx context.Context, r slog.Record) error {
	d := slog.Default().Handler()
	for _, op := range h.ops {
		if op.attrs != nil {
			d = d.WithAttrs(op.attrs)
		} else {
			d = d.WithGroup(op.group)
		}
	}
	return d.Handle(ctx, r)
}

func (h defaultWarnHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return defaultWarnHandler{ops: append(h.ops[:len(h.ops):len(h.ops)], handlerOp{attrs: attrs})}
}

func (h defaultWarnHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return defaultWarnHandler{ops: append(h.ops[:len(h.ops):len(h.ops)], handlerOp{group: name})}
}
