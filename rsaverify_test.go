package fief

import (
	"bytes"
	"context"
	"crypto"
	"crypto/fips140"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The Montgomery RS256 path (rsaverify.go, rsamont.go) is held to
// crypto/rsa: for every key and signature below, montRSAKeys.verifyRS256
// must give rsa.VerifyPKCS1v15's verdict, with each form of the word
// products this machine has (the portable one always, the assembly one on
// amd64 with ADX and BMI2).

// kernels returns the forms of addMulVVW to test here: "go" always, "adx"
// when the processor has it.
func kernels() []string {
	if hasADX {
		return []string{"go", "adx"}
	}
	return []string{"go"}
}

// hasADX is whether the assembly form runs on this machine (useADX as the
// package set it up).
var hasADX = useADX

// useKernel makes addMulVVW run the named form ("go" or "adx").
func useKernel(name string) {
	useADX = name == "adx"
}

// rsaTestMessage is the i-th signed message of the differential tests.
func rsaTestMessage(i int) string {
	return fmt.Sprintf("eyJhbGciOiJSUzI1NiJ9.message-%d", i)
}

// pkcs1Block returns the k-byte block 0x00 0x01 0xff… 0x00 tail.
func pkcs1Block(k int, tail []byte) []byte {
	em := make([]byte, k)
	em[1] = 0x01
	for i := 2; i < k-len(tail)-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-len(tail):], tail)
	return em
}

// signSHA256 returns f's valid RS256 signature of msg.
func (f *rsaFixture) signSHA256(msg string) []byte {
	sum := sha256.Sum256([]byte(msg))
	return f.rawSign(pkcs1Block((f.Bits+7)/8, append(append([]byte(nil), sha256DigestInfo...), sum[:]...)))
}

// otherDigestInfos are the DigestInfo prefixes of other hash algorithms
// (RFC 8017 §9.2, note 1), with their hash.
var otherDigestInfos = []struct {
	hash   crypto.Hash
	prefix []byte
}{
	{crypto.MD5, []byte{0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10}},
	{crypto.SHA1, []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}},
	{crypto.SHA224, []byte{0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c}},
	{crypto.SHA384, []byte{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30}},
	{crypto.SHA512, []byte{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40}},
	{crypto.SHA512_256, []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x06, 0x05, 0x00, 0x04, 0x20}},
}

// sha256DigestInfoNoNULL is SHA-256's DigestInfo with the parameters' NULL
// left out (the form RFC 8017 §9.2 note 2 says verifiers should accept, and
// crypto/rsa refuses).
var sha256DigestInfoNoNULL = []byte{0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20}

// diffKey is a public key of the differential tests, with a function that
// makes the raw signature of an encoded block under it (em^d mod n for the
// key's own d when it has one; otherwise its fixture's, so that the
// signatures are valid ones of a neighbouring key).
type diffKey struct {
	name string
	pub  *rsa.PublicKey
	sign func(em []byte) []byte
	bits int
	// leadingZero is the message whose valid signature starts with a zero
	// byte (the fixture's; 0 for derived keys, whose signature of message 0
	// may or may not).
	leadingZero int
}

// diffKeys returns the fixture keys and keys built from them that
// crypto/rsa refuses or treats unusually: exponents 1, 2, 0, negative and
// even, an even modulus, a negative modulus (crypto/rsa uses its absolute
// value), no modulus.
func diffKeys(tb testing.TB) []diffKey {
	fs := loadRSAFixtures(tb)
	var keys []diffKey
	var base *rsaFixture
	for _, f := range fs {
		keys = append(keys, diffKey{f.Name, &rsa.PublicKey{N: f.n, E: int(f.E)}, f.rawSign, f.Bits, f.LeadingZero})
		if f.Bits == 4096 && f.E == 65537 && f.Shape == "" {
			base = f
		}
	}
	n := base.n
	identity := func(em []byte) []byte { return append([]byte(nil), em...) }
	keys = append(keys,
		diffKey{"rsa4096-e1", &rsa.PublicKey{N: n, E: 1}, identity, 4096, 0},
		diffKey{"rsa4096-e2", &rsa.PublicKey{N: n, E: 2}, base.rawSign, 4096, 0},
		diffKey{"rsa4096-e0", &rsa.PublicKey{N: n, E: 0}, base.rawSign, 4096, 0},
		diffKey{"rsa4096-e-65537", &rsa.PublicKey{N: n, E: -65537}, base.rawSign, 4096, 0},
		diffKey{"rsa4096-e65538", &rsa.PublicKey{N: n, E: 65538}, base.rawSign, 4096, 0},
		diffKey{"rsa4096-even-n", &rsa.PublicKey{N: new(big.Int).Add(n, big.NewInt(1)), E: 65537}, base.rawSign, 4096, 0},
		diffKey{"rsa4096-negative-n", &rsa.PublicKey{N: new(big.Int).Neg(n), E: 65537}, base.rawSign, 4096, 0},
		diffKey{"no-modulus", &rsa.PublicKey{E: 65537}, base.rawSign, 4096, 0},
	)
	return keys
}

// preparedKeys returns the montRSAKeys of keys, as a key-set load makes it.
func preparedKeys(keys []diffKey) *montRSAKeys {
	pubs := make([]*rsa.PublicKey, len(keys))
	for i, k := range keys {
		pubs[i] = k.pub
	}
	t := &montRSAKeys{}
	t.use(pubs)
	return t
}

// sameVerdict checks that the Montgomery path, with each form of the word
// products, and crypto/rsa agree on sig over msg by key, and returns
// crypto/rsa's verdict.
func sameVerdict(t *testing.T, prepared *montRSAKeys, key diffKey, what, msg string, sig []byte) bool {
	t.Helper()
	sum := sha256.Sum256([]byte(msg))
	want := rsa.VerifyPKCS1v15(key.pub, crypto.SHA256, sum[:], sig) == nil
	defer useKernel(kernels()[len(kernels())-1])
	for _, kernel := range kernels() {
		useKernel(kernel)
		if got := prepared.verifyRS256(key.pub, msg, sig) == nil; got != want {
			t.Errorf("%s, %s: Montgomery path (%s) says valid=%v, crypto/rsa says valid=%v", key.name, what, kernel, got, want)
		}
	}
	return want
}

// bitFlipStep returns every how many bits the single-bit flips of a valid
// signature are tried: every bit at 2048 and 4096 bits with e = 65537, a
// sample elsewhere so that the test stays well under a minute.
func bitFlipStep(k diffKey) int {
	switch {
	case (k.bits == 2048 || k.bits == 4096) && k.pub.E == 65537 && k.pub.N != nil && k.pub.N.Sign() > 0 && k.pub.N.Bit(0) == 1:
		return 1
	case k.bits == 8192:
		return 29
	default:
		return 97
	}
}

func TestRS256MatchesCryptoRSA(t *testing.T) {
	keys := diffKeys(t)
	prepared := preparedKeys(keys)
	rnd := rand.New(rand.NewChaCha8([32]byte{'r', 's', 'a'}))
	for _, key := range keys {
		t.Run(key.name, func(t *testing.T) {
			k := (key.bits + 7) / 8
			msg := rsaTestMessage(0)
			sum := sha256.Sum256([]byte(msg))
			digestInfo := append(append([]byte(nil), sha256DigestInfo...), sum[:]...)
			valid := key.sign(pkcs1Block(k, digestInfo))
			accepted := sameVerdict(t, prepared, key, "valid signature", msg, valid)
			// The Montgomery path must take every key of more than 2048 bits
			// that crypto/rsa accepts, but for a negative modulus (which
			// crypto/rsa reads as its absolute value), and no other, unless in
			// FIPS 140 mode.
			fast := accepted && key.bits > 2048 && key.pub.N.Sign() > 0 && !fips140.Enabled()
			if got := prepared.lookup(key.pub) != nil; got != fast {
				t.Fatalf("Montgomery path taken: %v, want %v", got, fast)
			}
			if key.name == "rsa4096-e65537" && !accepted {
				t.Fatal("crypto/rsa refuses the valid signature of the 4096-bit fixture key")
			}

			// Every (or every step-th) single-bit flip.
			step := bitFlipStep(key)
			flipped := make([]byte, len(valid))
			for bit := 0; bit < 8*len(valid); bit += step {
				copy(flipped, valid)
				flipped[bit/8] ^= 0x80 >> (bit % 8)
				if sameVerdict(t, prepared, key, fmt.Sprintf("bit %d flipped", bit), msg, flipped) {
					t.Errorf("bit %d flipped: accepted", bit)
				}
			}

			// The signature of another message.
			sameVerdict(t, prepared, key, "signature of another message", rsaTestMessage(1), valid)

			// s = 0, 1, n−1, n, n+1, n + valid, and 2^(8k)−1.
			if key.pub.N != nil {
				n := new(big.Int).Abs(key.pub.N)
				one := big.NewInt(1)
				for name, s := range map[string]*big.Int{
					"s = 0":         new(big.Int),
					"s = 1":         one,
					"s = n-1":       new(big.Int).Sub(n, one),
					"s = n":         n,
					"s = n+1":       new(big.Int).Add(n, one),
					"s = n + valid": new(big.Int).Add(n, new(big.Int).SetBytes(valid)),
					"s = 2^8k - 1":  new(big.Int).Sub(new(big.Int).Lsh(one, uint(8*k)), one),
				} {
					if s.BitLen() <= 8*k {
						sameVerdict(t, prepared, key, name, msg, s.FillBytes(make([]byte, k)))
					}
				}
			}

			// One byte short and one byte long, leading zero bytes.
			sameVerdict(t, prepared, key, "first byte cut", msg, valid[1:])
			sameVerdict(t, prepared, key, "last byte cut", msg, valid[:k-1])
			sameVerdict(t, prepared, key, "zero byte prepended", msg, append([]byte{0}, valid...))
			sameVerdict(t, prepared, key, "zero byte appended", msg, append(append([]byte(nil), valid...), 0))
			sameVerdict(t, prepared, key, "empty", msg, nil)
			lz := rsaTestMessage(key.leadingZero)
			lzSum := sha256.Sum256([]byte(lz))
			lzSig := key.sign(pkcs1Block(k, append(append([]byte(nil), sha256DigestInfo...), lzSum[:]...)))
			if lzSig[0] == 0 {
				if lzAccepted := sameVerdict(t, prepared, key, "valid signature with a leading zero byte", lz, lzSig); fast && !lzAccepted {
					t.Error("valid signature with a leading zero byte refused")
				}
				sameVerdict(t, prepared, key, "leading zero byte stripped", lz, lzSig[1:])
			}

			// Well-formed blocks of other digests, and malformed blocks of the
			// right one.
			for _, o := range otherDigestInfos {
				h := o.hash.New()
				h.Write([]byte(msg))
				tail := append(append([]byte(nil), o.prefix...), h.Sum(nil)...)
				sameVerdict(t, prepared, key, o.hash.String()+" digest and DigestInfo", msg, key.sign(pkcs1Block(k, tail)))
				tail = append(append([]byte(nil), o.prefix...), sum[:]...)
				sameVerdict(t, prepared, key, "SHA-256 digest under the DigestInfo of "+o.hash.String(), msg, key.sign(pkcs1Block(k, tail)))
			}
			blocks := map[string][]byte{
				"DigestInfo without NULL":    pkcs1Block(k, append(append([]byte(nil), sha256DigestInfoNoNULL...), sum[:]...)),
				"digest alone":               pkcs1Block(k, sum[:]),
				"one garbage byte after":     pkcs1Block(k, append(append([]byte(nil), digestInfo...), 0x00)),
				"eight garbage bytes after":  pkcs1Block(k, append(append([]byte(nil), digestInfo...), "garbage!"...)),
				"block type 2":               replaceAt(pkcs1Block(k, digestInfo), 1, 0x02),
				"block type 0":               replaceAt(pkcs1Block(k, digestInfo), 1, 0x00),
				"first byte 1":               replaceAt(pkcs1Block(k, digestInfo), 0, 0x01),
				"padding byte 0xfe":          replaceAt(pkcs1Block(k, digestInfo), k/2, 0xfe),
				"separator 0xff":             replaceAt(pkcs1Block(k, digestInfo), k-len(digestInfo)-1, 0xff),
				"padding of 7 bytes":         shortPadding(k, digestInfo, 7),
				"padding of 8 bytes":         shortPadding(k, digestInfo, 8),
				"DigestInfo length 0x32":     replaceAt(pkcs1Block(k, digestInfo), k-len(digestInfo)+1, 0x32),
				"digest length 0x21":         replaceAt(pkcs1Block(k, digestInfo), k-len(digestInfo)+len(sha256DigestInfo)-1, 0x21),
				"block shifted by one byte":  append(pkcs1Block(k, digestInfo)[1:], 0),
				"digest with its last bit 1": replaceAt(pkcs1Block(k, digestInfo), k-1, sum[31]^1),
			}
			for name, em := range blocks {
				sameVerdict(t, prepared, key, name, msg, key.sign(em))
			}

			// Random signatures, of the right length and of others.
			for i := range 64 {
				sig := make([]byte, k-1+i%3)
				for j := range sig {
					sig[j] = byte(rnd.Uint32())
				}
				sameVerdict(t, prepared, key, fmt.Sprintf("random bytes %d", i), msg, sig)
			}
		})
	}
}

// replaceAt returns b with b[i] set to v.
func replaceAt(b []byte, i int, v byte) []byte {
	b[i] = v
	return b
}

// shortPadding returns 0x00… 0x00 0x01, pad 0xff bytes, 0x00, tail: a block
// whose padding is shorter than the modulus requires.
func shortPadding(k int, tail []byte, pad int) []byte {
	em := make([]byte, k)
	start := k - len(tail) - pad - 2
	em[start] = 0x01
	for i := start + 1; i <= start+pad; i++ {
		em[i] = 0xff
	}
	copy(em[k-len(tail):], tail)
	return em
}


// TestValidateAccessTokenRSA4096 validates tokens of a 4096-bit tenant key
// end to end: the first through go-jose, the next ones (same protected
// header) through the Montgomery path, which must refuse a forged payload and
// a damaged signature as crypto/rsa does.
func TestValidateAccessTokenRSA4096(t *testing.T) {
	var f *rsaFixture
	for _, fx := range loadRSAFixtures(t) {
		if fx.Bits == 4096 && fx.E == 65537 && fx.Shape == "" {
			f = fx
		}
	}
	priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: f.n, E: int(f.E)}, D: f.d, Primes: []*big.Int{f.P, f.Q}}
	priv.Precompute()
	key := testKey{kid: "big", priv: priv}
	srv := newKeyServer(t, testIssuer, jwksOf(t, key))
	now := time.Now()
	c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: func() time.Time { return now }})
	ctx := context.Background()

	first := sign(t, key, claimsAt(now.Unix()))
	if _, err := c.ValidateAccessToken(ctx, first, Requirements{}); err != nil {
		t.Fatalf("first token: %v", err)
	}
	if !remembered(c, first) {
		t.Fatal("the header of the first token is not remembered")
	}
	c.keys.mu.RLock()
	pub := c.keys.byKID["big"]
	c.keys.mu.RUnlock()
	if c.rsaKeys.lookup(pub) == nil {
		t.Fatal("the 4096-bit key is not prepared for the Montgomery path")
	}

	second := sign(t, key, claimsWith(now.Unix(), "sub", "b2c0e4a1-58c1-4f5e-9d1c-3c8a8f1e2d7b"))
	info, err := c.ValidateAccessToken(ctx, second, Requirements{})
	if err != nil || info.ID != "b2c0e4a1-58c1-4f5e-9d1c-3c8a8f1e2d7b" {
		t.Fatalf("second token: %+v, %v", info, err)
	}

	dot := strings.LastIndexByte(second, '.')
	forged := first[:strings.LastIndexByte(first, '.')] + second[dot:]
	if _, err := c.ValidateAccessToken(ctx, forged, Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("payload of one token under the signature of another: err = %v, want ErrInvalidToken", err)
	}
	sig, err := decodeSegment(second[dot+1:])
	if err != nil {
		t.Fatal(err)
	}
	sig[len(sig)/2] ^= 1
	damaged := second[:dot+1] + fzB64(sig)
	if _, err := c.ValidateAccessToken(ctx, damaged, Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("damaged signature: err = %v, want ErrInvalidToken", err)
	}
}

// FuzzRS256Verify compares the Montgomery path's verdict, with each form of
// the word products, with rsa.VerifyPKCS1v15's on fuzzer-chosen input: the
// key (the fixtures, 2048 to 8192 bits and the unusual moduli among them,
// and the keys built from them), the signed message, and either the
// signature bytes themselves (mode 0), the whole encoded block that the
// key's private operation turns into the signature (mode 1), or what
// follows the 0x00 0x01 0xff… 0x00 of that block (mode 2), so that fuzzing
// explores near-misses of the valid encoding.
func FuzzRS256Verify(f *testing.F) {
	keys := diffKeys(f)
	prepared := preparedKeys(keys)
	for i, key := range keys {
		k := (key.bits + 7) / 8
		msg := []byte(rsaTestMessage(i))
		sum := sha256.Sum256(msg)
		tail := append(append([]byte(nil), sha256DigestInfo...), sum[:]...)
		f.Add(uint8(i), uint8(0), msg, key.sign(pkcs1Block(k, tail)))
		if key.bits > 4096 {
			continue
		}
		f.Add(uint8(i), uint8(1), msg, pkcs1Block(k, tail))
		f.Add(uint8(i), uint8(2), msg, tail)
		f.Add(uint8(i), uint8(2), msg, append(append([]byte(nil), sha256DigestInfoNoNULL...), sum[:]...))
	}
	f.Fuzz(func(t *testing.T, keyIndex, mode uint8, msg, data []byte) {
		key := keys[int(keyIndex)%len(keys)]
		if mode%3 != 0 && key.bits > 4096 {
			return // an 8192-bit private operation per input would slow fuzzing tenfold
		}
		k := (key.bits + 7) / 8
		var sig []byte
		switch mode % 3 {
		case 0:
			sig = data
		case 1:
			em := make([]byte, k)
			copy(em[max(0, k-len(data)):], data[max(0, len(data)-k):])
			sig = key.sign(em)
		case 2:
			if len(data) > k-3 {
				return
			}
			sig = key.sign(pkcs1Block(k, data))
		}
		sameVerdict(t, prepared, key, "fuzzed", string(msg), sig)
	})
}

// BenchmarkRS256Verify compares the RS256 check of the Montgomery path
// (with the assembly word products where the machine has them, and with
// the portable ones), of math/big's Exp (the path before it), and
// rsa.VerifyPKCS1v15, on the fixture keys with e = 65537 (the digest
// included in all). Names are
// RS256Verify/rsa=BITS/{montgomery,montgomery-go,math-big,crypto-rsa}.
func BenchmarkRS256Verify(b *testing.B) {
	keys := diffKeys(b)
	prepared := preparedKeys(keys)
	for _, key := range keys {
		if key.pub.E != 65537 || key.pub.N == nil || key.pub.N.Sign() <= 0 || key.pub.N.Bit(0) == 0 || key.bits%1024 != 0 || strings.HasSuffix(key.name, "-low") {
			continue
		}
		msg := rsaTestMessage(0)
		sum := sha256.Sum256([]byte(msg))
		sig := key.sign(pkcs1Block((key.bits+7)/8, append(append([]byte(nil), sha256DigestInfo...), sum[:]...)))
		for _, kernel := range kernels() {
			name := "montgomery"
			if kernel == "go" && hasADX {
				name = "montgomery-go"
			}
			b.Run(fmt.Sprintf("rsa=%d/%s", key.bits, name), func(b *testing.B) {
				useKernel(kernel)
				defer useKernel(kernels()[len(kernels())-1])
				b.ReportAllocs()
				start, _ := processCPU()
				for b.Loop() {
					if err := prepared.verifyRS256(key.pub, msg, sig); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, start)
			})
		}
		b.Run(fmt.Sprintf("rsa=%d/math-big", key.bits), func(b *testing.B) {
			b.ReportAllocs()
			e := big.NewInt(int64(key.pub.E))
			k := (key.bits + 7) / 8
			start, _ := processCPU()
			for b.Loop() {
				// What the RS256 check did before the Montgomery path.
				sum := sha256.Sum256([]byte(msg))
				s := new(big.Int).SetBytes(sig)
				em := s.Exp(s, e, key.pub.N).FillBytes(make([]byte, k))
				if !bytes.Equal(em[k-len(sum):], sum[:]) {
					b.Fatal("math/big: wrong digest")
				}
			}
			reportCPU(b, start)
		})
		b.Run(fmt.Sprintf("rsa=%d/crypto-rsa", key.bits), func(b *testing.B) {
			b.ReportAllocs()
			start, _ := processCPU()
			for b.Loop() {
				sum := sha256.Sum256([]byte(msg))
				if err := rsa.VerifyPKCS1v15(key.pub, crypto.SHA256, sum[:], sig); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}
