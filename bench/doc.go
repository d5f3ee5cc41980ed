// Package bench measures the cost of validating a Fief access token with
// this library against its limit and its peers, on the same tokens and keys.
//
// It is a separate module so that the main module does not depend on the
// peers it is compared with (github.com/coreos/go-oidc/v3 and
// github.com/golang-jwt/jwt/v5). Everything lives in its tests:
//
//   - BenchmarkValidate: for RSA-2048 and RSA-4096 keys, the limit (base64
//     decoding of the signature plus rsa.VerifyPKCS1v15 over the SHA-256 of
//     the signing input), go-jose's parse-and-verify (which fief uses for a
//     protected header it has not seen verified before),
//     [fief.Client.ValidateAccessToken] with the verified-token cache off and
//     on, go-oidc's IDTokenVerifier with a static key set, and golang-jwt with
//     a static key.
//   - BenchmarkValidateParallel: the limit and the cached path from several
//     goroutines, to be run with -cpu 1,2.
//   - BenchmarkMiddleware: the fiefhttp middleware end to end through an
//     httptest recorder, against the same handler without authentication;
//     BenchmarkMiddlewareReusedRequest the same with one request reused.
//   - BenchmarkAdapters: the cached-token path of fiefhttp, fiefgin,
//     fiefecho, fiefgrpc and fiefconnect, each next to its framework without
//     authentication (the adapter modules are required through replace
//     directives); BenchmarkAdapterOverhead the same in pairs (one bare
//     request, one through the adapter, under the same load), reporting the
//     median difference as overhead-ns/op.
//   - BenchmarkCallback: the exchange of an authorization code against an
//     in-process fieftest server.
//   - TestConcurrentFirstRequests: 1,000 concurrent first requests make one
//     discovery fetch and one key set fetch.
//   - TestCacheMemoryPerEntry: the heap taken by one cache entry.
//
// The script ./run runs the benchmarks and prints them as a markdown table
// with ratios to the limit; BENCHMARKS.md at the root of the repository holds
// its last output.
//
// Besides ns/op, every benchmark but BenchmarkCallback reports cpu-ns/op, the
// process's CPU time per operation (garbage collection included): on a
// machine shared with other work it moves far less than wall time, and
// ./run computes its ratios and checks the targets with it.
//
// The discovery document and the key set are served by an in-process server
// and fetched during warm-up, so the network is out of the measured loops.
// The RSA keys are in testdata (PKCS #8 PEM), so that every run measures the
// same keys.
package bench
