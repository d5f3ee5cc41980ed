package bench

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	fief "github.com/fief-dev/fief-go"
	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// verifyFunc checks one token; every contender of BenchmarkValidate is one.
type verifyFunc func(ctx context.Context, token string) error

// contender is one way of validating the benchmark token.
type contender struct {
	name string
	// setup returns the verifier for the key of s, served by srv; setup
	// work (fetching keys, building parsers, warming caches) is not measured.
	setup func(tb testing.TB, s *signer, srv *keyServer, token string) verifyFunc
}

// contenders are the rows of the table, the limit first: bench/run computes
// every ratio against the row named "limit" of the same key size.
var contenders = []contender{
	{"limit", setupLimit},
	{"go-jose", setupGoJose},
	{"fief-uncached", setupFief(-1)},
	{"fief-cached", setupFief(0)},
	{"go-oidc", setupGoOIDC},
	{"golang-jwt", setupGolangJWT},
}

// BenchmarkValidate validates the same token with every contender, for each
// key size. Names are Validate/rsa=BITS/CONTENDER.
func BenchmarkValidate(b *testing.B) {
	for _, bits := range keySizes {
		s := signers(b)[bits]
		srv := newKeyServer(b, s)
		token := s.sign(b, newClaims(time.Now()))
		for _, c := range contenders {
			b.Run(fmt.Sprintf("rsa=%d/%s", bits, c.name), func(b *testing.B) {
				verify := c.setup(b, s, srv, token)
				ctx := context.Background()
				if err := verify(ctx, token); err != nil {
					b.Fatalf("warm-up: %v", err)
				}
				loop(b, func() {
					if err := verify(ctx, token); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}

// TestContendersRejectForgery makes sure every contender really checks the
// signature: a benchmark of a verifier that accepts anything would be a
// benchmark of nothing.
func TestContendersRejectForgery(t *testing.T) {
	for _, bits := range keySizes {
		s := signers(t)[bits]
		srv := newKeyServer(t, s)
		good := s.sign(t, newClaims(time.Now()))
		other := newClaims(time.Now())
		other.Sub = "00000000-0000-4000-8000-000000000000"
		forged := s.sign(t, other)
		// The payload of another token under good's signature.
		forged = forged[:strings.LastIndexByte(forged, '.')] + good[strings.LastIndexByte(good, '.'):]
		for _, c := range contenders {
			t.Run(fmt.Sprintf("rsa=%d/%s", bits, c.name), func(t *testing.T) {
				verify := c.setup(t, s, srv, good)
				ctx := context.Background()
				if err := verify(ctx, good); err != nil {
					t.Fatalf("valid token refused: %v", err)
				}
				if err := verify(ctx, forged); err == nil {
					t.Fatal("token with a foreign payload accepted")
				}
			})
		}
	}
}

// setupLimit is the bare RS256 verification: decode the signature, hash the
// signing input, verify. Nothing else is checked: this is the floor no
// verifier of this token can go below.
func setupLimit(_ testing.TB, s *signer, _ *keyServer, _ string) verifyFunc {
	pub := s.pub()
	return func(_ context.Context, token string) error {
		return verifyRS256(pub, token)
	}
}

func verifyRS256(pub *rsa.PublicKey, token string) error {
	dot := strings.LastIndexByte(token, '.')
	if dot < 0 {
		return errors.New("not a compact JWS")
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(token[:dot]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

// setupGoJose is go-jose's parse and verify, which fief builds on; claims
// are not decoded.
func setupGoJose(_ testing.TB, s *signer, _ *keyServer, _ string) verifyFunc {
	pub := s.pub()
	algs := []jose.SignatureAlgorithm{jose.RS256}
	return func(_ context.Context, token string) error {
		jws, err := jose.ParseSignedCompact(token, algs)
		if err != nil {
			return err
		}
		_, err = jws.Verify(pub)
		return err
	}
}

// setupFief is fief's ValidateAccessToken with the given cache size
// (negative: off, zero: the default), its keys loaded from srv.
func setupFief(cacheSize int) func(testing.TB, *signer, *keyServer, string) verifyFunc {
	return func(tb testing.TB, _ *signer, srv *keyServer, token string) verifyFunc {
		c := newClient(tb, srv, cacheSize, nil)
		warm(tb, c, token)
		return func(ctx context.Context, token string) error {
			_, err := c.ValidateAccessToken(ctx, token, fief.Requirements{})
			return err
		}
	}
}

// setupGoOIDC is go-oidc's verifier with a static key set, checking the
// issuer, the audience (the client ID) and the expiry.
func setupGoOIDC(_ testing.TB, s *signer, _ *keyServer, _ string) verifyFunc {
	keys := &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{s.pub()}}
	v := oidc.NewVerifier(benchIssuer, keys, &oidc.Config{ClientID: benchClientID})
	return func(ctx context.Context, token string) error {
		_, err := v.Verify(ctx, token)
		return err
	}
}

// jwtClaims are the claims golang-jwt decodes, those fief returns.
type jwtClaims struct {
	jwt.RegisteredClaims
	ACR         string   `json:"acr"`
	Scope       string   `json:"scope"`
	Permissions []string `json:"permissions"`
}

// setupGolangJWT is golang-jwt with a static key, checking the algorithm, the
// issuer and the expiry (required, with fief's default leeway).
func setupGolangJWT(_ testing.TB, s *signer, _ *keyServer, _ string) verifyFunc {
	pub := s.pub()
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(benchIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(fief.DefaultLeeway),
	)
	keyFunc := func(*jwt.Token) (any, error) { return pub, nil }
	return func(_ context.Context, token string) error {
		_, err := p.ParseWithClaims(token, &jwtClaims{}, keyFunc)
		return err
	}
}

// BenchmarkValidateParallel validates the same token from GOMAXPROCS
// goroutines at once, cached and uncached, to show how the verified-token
// cache behaves under contention: run it with -cpu 1,2. Names are
// ValidateParallel/rsa=BITS/CONTENDER.
func BenchmarkValidateParallel(b *testing.B) {
	for _, bits := range keySizes {
		s := signers(b)[bits]
		srv := newKeyServer(b, s)
		token := s.sign(b, newClaims(time.Now()))
		for _, c := range contenders {
			if c.name != "fief-cached" && c.name != "limit" {
				continue
			}
			b.Run(fmt.Sprintf("rsa=%d/%s", bits, c.name), func(b *testing.B) {
				verify := c.setup(b, s, srv, token)
				if err := verify(context.Background(), token); err != nil {
					b.Fatalf("warm-up: %v", err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				start := processCPU(b)
				b.RunParallel(func(pb *testing.PB) {
					ctx := context.Background()
					for pb.Next() {
						if err := verify(ctx, token); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.StopTimer()
				b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
