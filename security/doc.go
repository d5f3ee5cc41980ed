// Package security holds the cross-package adversarial, fault-injection and
// soak tests of fief-go; it has no code of its own. Its tests, in package
// security_test, drive the public API of fief, fiefhttp and fieftest as an
// attacker or a misbehaving Fief would:
//
//   - tokens_test.go: a table of forged and malformed access tokens, each
//     with its expected outcome (valid, invalid, expired, forbidden,
//     unavailable), run through fief.Client.ValidateAccessToken and through
//     the fiefhttp middleware;
//   - faults_test.go: fault injection with fieftest (Fief down, a failing or
//     slow key set, malformed bodies, token-endpoint errors, cancelled
//     contexts), with counts of the requests that reach Fief;
//   - webflow_test.go: the sign-in flow of fiefhttp under attack (replayed
//     codes, foreign or forged flow cookies, open redirects, cookie
//     attributes);
//   - soak_test.go: a bounded soak of the examples/api route table, and of
//     the built examples/api program, under concurrent clients, 3 seconds
//     by default and as long as FIEF_SOAK says (FIEF_SOAK=60s go test -run
//     Soak ./security/), checking that goroutines and heap return to their
//     baseline.
//
// The expected outcomes, the limits they rely on and the figures measured
// are in SECURITY.md at the root of the module.
package security
