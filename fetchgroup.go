package fief

import (
	"context"
	"sync"

	"golang.org/x/sync/singleflight"
)

// fetchGroup merges concurrent fetches of the same thing (singleflight) and
// gives the shared fetch a context of its own: it is not cancelled when the
// caller who happened to start it goes away while others still wait, it is
// bounded by DefaultHTTPTimeout, and it is cancelled as soon as every
// waiter has gone, so an abandoned fetch leaves nothing running.
type fetchGroup struct {
	sf      singleflight.Group
	mu      sync.Mutex
	waiters map[string]int
	cancels map[string]context.CancelFunc
}

func (g *fetchGroup) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	g.mu.Lock()
	if g.waiters == nil {
		g.waiters = map[string]int{}
		g.cancels = map[string]context.CancelFunc{}
	}
	g.waiters[key]++
	g.mu.Unlock()

	ch := g.sf.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultHTTPTimeout)
		defer cancel()
		g.mu.Lock()
		if g.waiters[key] == 0 {
			cancel() // everyone left before the fetch started
		}
		g.cancels[key] = cancel
		g.mu.Unlock()
		defer func() {
			g.mu.Lock()
			delete(g.cancels, key)
			g.mu.Unlock()
		}()
		return fn(fctx)
	})
	select {
	case res := <-ch:
		g.leave(key)
		return res.Val, res.Err
	case <-ctx.Done():
		g.leave(key)
		return nil, ctx.Err()
	}
}

// leave counts a waiter out, and cancels the fetch when it was the last.
func (g *fetchGroup) leave(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.waiters[key]--
	if g.waiters[key] > 0 {
		return
	}
	delete(g.waiters, key)
	if cancel := g.cancels[key]; cancel != nil {
		cancel()
	}
}
