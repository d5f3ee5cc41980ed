package fiefredis

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// NewBusForTest returns a started bus with its own revocation set, closed
// at the end of the test: an instance that only publishes.
func NewBusForTest(tb testing.TB, c Config) *Bus {
	tb.Helper()
	b, err := NewBus(BusConfig{Config: c, Revocations: fief.NewRevocations(fief.RevocationsConfig{})})
	if err != nil {
		tb.Fatal(err)
	}
	b.Start()
	tb.Cleanup(func() { b.Close() })
	return b
}

// PublishForTest publishes effects, authenticated, in one pipeline, as many
// instances applying webhooks at once would, without storing them.
func (b *Bus) PublishForTest(ctx context.Context, effects []fiefwebhook.Effect) error {
	_, err := b.o.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range effects {
			msg, err := json.Marshal(busMessage{Effect: &effects[i]})
			if err != nil {
				return err
			}
			p.Publish(ctx, b.channel, b.mac.signed(b.channel, msg))
		}
		return nil
	})
	return err
}

// PublishReloadsForTest publishes n authentic requests to reload, as a
// flood of one genuine request replayed would.
func (b *Bus) PublishReloadsForTest(ctx context.Context, n int) error {
	_, err := b.o.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		msg, _ := json.Marshal(busMessage{Reload: true})
		for range n {
			p.Publish(ctx, b.channel, b.mac.signed(b.channel, msg))
		}
		return nil
	})
	return err
}
