// Package fiefwebhook receives Fief's webhooks: it verifies each delivery
// (HMAC-SHA256 of the timestamp, a dot and the raw body, keyed with the
// webhook's secret), refuses stale ones, decodes the event into the types of
// package fiefadmin (Fief sends each object as its admin API reads it:
// [Event.User] is a *[fiefadmin.User]), processes each delivery once, and
// makes the changes that matter to access take effect at once (see
// [fief.Revocations] and [EffectOf]): a reset password or a removed
// permission or role revokes the user's tokens and sessions issued until
// then; a deactivated or deleted user is blocked whatever the token's iat; a
// deleted role or permission, or a permission a role lost, refuses the
// earlier tokens that carry it; and any change to a user drops the user's
// cached user info.
//
// The main type is [Handler], an [http.Handler] made by [NewHandler] from a
// [Config]. What an event does to access is its [Effect]; an [Applier]
// applies it: [Local] to this process, or a shared bus (module fiefredis) to
// every instance of a service; when it fails, the delivery is answered 503
// so that Fief retries it. [Deliveries] remembers which deliveries were
// processed (in memory by default, or shared), with a lease, so that a
// delivery whose instance died mid-way is processed again.
//
// Revocation is as fast as the webhook: Fief sends its webhooks from a
// background worker, usually within a second, and retries for a few minutes
// when the application does not answer 2xx. It is not a guarantee of Fief's:
// until the event arrives, a token stays valid until it expires.
package fiefwebhook
