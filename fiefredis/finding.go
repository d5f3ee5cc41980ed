package fiefredis

import (
	"context"

	fief "github.com/fief-dev/fief-go"
)

// FindingRedis is the name of the [Bus.Finding] of a startup check.
const FindingRedis = "redis"

// Finding is [Bus.Check] as a finding of fief's startup check, to append
// to the report of [fief.Client.Check]:
//
//	report := client.Check(ctx, opts)
//	report.Findings = append(report.Findings, bus.Finding(ctx))
//
// Redis unreachable is a warning, not a failure: the instance works with
// what it has, and catches up when Redis returns.
func (b *Bus) Finding(ctx context.Context) fief.Finding {
	if err := b.Check(ctx); err != nil {
		return fief.Finding{
			Name:    FindingRedis,
			Verdict: fief.VerdictWarning,
			Detail:  err.Error() + "; this instance applies the webhooks it receives itself, and misses the revocations other instances receive until Redis answers",
			Fix:     "check the Redis URL and that Redis is running and reachable from this instance",
		}
	}
	return fief.Finding{Name: FindingRedis, Verdict: fief.VerdictOK, Detail: "the event bus is connected and synchronised"}
}
