package fief

import (
	"bytes"
	"crypto/fips140"
	"crypto/rsa"
	"crypto/sha256"
	"math/big"
	"sync/atomic"
)

// The RS256 check of tokens signed by keys larger than 2048 bits (Fief's
// default keys are 4096-bit) runs on math/big rather than crypto/rsa.
//
// Why: crypto/rsa computes RSA with a constant-time big-number package that
// has assembly for 1024-, 1536- and 2048-bit moduli only and rebuilds the
// modulus's Montgomery constants on every call, so one RSA-4096 verification
// costs about 300 µs, about 2.8 times math/big's Exp(s, e, n). A signature
// verification handles public values only (the key, the signature, the
// signed bytes), so it needs no constant-time arithmetic.
//
// Why it is safe:
//   - The inputs are public: nothing secret goes through math/big.
//   - Encode and compare (RFC 8017 §8.2.2): the signature must have exactly
//     the modulus's length and be below the modulus; s^e mod n is encoded as
//     a block of the modulus's length and compared byte for byte with the
//     EMSA-PKCS1-v1_5 encoding of the SHA-256 digest, built from scratch
//     (0x00 0x01, 0xff padding, 0x00, SHA-256's DigestInfo, the digest). The
//     decrypted block is never parsed, so no parsing leniency (a missing NULL
//     parameter, garbage after the digest, short padding) can be accepted.
//   - Keys: the path takes only keys crypto/rsa accepts (an odd positive
//     modulus of more than 2048 bits, an odd exponent from 3 to 2³¹−1);
//     every other key (a negative modulus too, which crypto/rsa reads as
//     its absolute value), every key of 2048 bits or less, and every check
//     while Go runs in FIPS 140 mode (crypto/fips140.Enabled) go to
//     crypto/rsa, so that in FIPS mode every signature check stays inside
//     the validated module.
//   - Evidence: rsaverify_test.go compares the verdict with
//     rsa.VerifyPKCS1v15's over keys of 2048 to 8192 bits and hand-built
//     exponents, every single-bit flip of valid signatures and the malformed
//     encodings RFC 8017 implementations have been caught accepting;
//     FuzzRS256Verify compares them on fuzzer-chosen signatures, encoded
//     blocks and digests.

// sha256DigestInfo is the DER prefix of a SHA-256 DigestInfo (RFC 8017
// §9.2, note 1), the parameters' NULL included.
var sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

// bigRSAKey is a key prepared for the math/big path: its modulus and
// exponent as big.Int, its size in bytes, and the part of the encoded block
// that precedes the digest, which depends on the size only.
type bigRSAKey struct {
	n, e   *big.Int
	size   int    // k, the modulus's length in bytes
	prefix []byte // 0x00 0x01 0xff… 0x00 DigestInfo: the first k−32 bytes of the block
}

// newBigRSAKey prepares pub for the math/big path. It reports false for a
// key the path does not take: 2048 bits or less, or anything crypto/rsa
// might refuse.
func newBigRSAKey(pub *rsa.PublicKey) (*bigRSAKey, bool) {
	n := pub.N
	if n == nil || n.Sign() <= 0 || n.Bit(0) == 0 || n.BitLen() <= 2048 {
		return nil, false
	}
	if pub.E < 3 || pub.E&1 == 0 || pub.E > 1<<31-1 {
		return nil, false
	}
	k := (n.BitLen() + 7) / 8
	prefix := make([]byte, k-sha256.Size)
	prefix[1] = 0x01
	for i := 2; i < len(prefix)-len(sha256DigestInfo)-1; i++ {
		prefix[i] = 0xff
	}
	copy(prefix[len(prefix)-len(sha256DigestInfo):], sha256DigestInfo)
	return &bigRSAKey{
		n:      new(big.Int).Set(n),
		e:      big.NewInt(int64(pub.E)),
		size:   k,
		prefix: prefix,
	}, true
}

// maxStackBlock is the largest encoded block (an 8192-bit modulus) built in
// a stack buffer; larger ones are allocated.
const maxStackBlock = 1024

// verify reports whether sig is a valid RSASSA-PKCS1-v1_5 signature of the
// SHA-256 digest by k (RFC 8017 §8.2.2, encode and compare).
func (k *bigRSAKey) verify(digest *[sha256.Size]byte, sig []byte) bool {
	if len(sig) != k.size {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(k.n) >= 0 {
		return false
	}
	m := s.Exp(s, k.e, k.n)
	var stack [maxStackBlock]byte
	var em []byte
	if k.size <= len(stack) {
		em = stack[:k.size]
	} else {
		em = make([]byte, k.size)
	}
	m.FillBytes(em) // m < n: it fits in k bytes
	return bytes.Equal(em[:len(k.prefix)], k.prefix) && bytes.Equal(em[len(k.prefix):], digest[:])
}

// bigRSAKeys holds the keys of the current key set prepared for the math/big
// path, by the identity of the key set's *rsa.PublicKey. Readers never lock:
// each key-set load stores a new map.
type bigRSAKeys struct {
	byKey atomic.Pointer[map[*rsa.PublicKey]*bigRSAKey]
}

// use prepares the keys of a newly loaded key set, replacing those of the
// previous one.
func (t *bigRSAKeys) use(keys []*rsa.PublicKey) {
	m := make(map[*rsa.PublicKey]*bigRSAKey, len(keys))
	for _, pub := range keys {
		if k, ok := newBigRSAKey(pub); ok {
			m[pub] = k
		}
	}
	t.byKey.Store(&m)
}

// verifyRS256 checks an RS256 signature over signingInput by key: on
// math/big when key was prepared by use and FIPS 140 mode is off, with
// crypto/rsa otherwise.
func (t *bigRSAKeys) verifyRS256(key *rsa.PublicKey, signingInput string, sig []byte) error {
	k := t.lookup(key)
	if k == nil {
		return verifyRS256(key, signingInput, sig)
	}
	digest := sha256.Sum256([]byte(signingInput))
	if !k.verify(&digest, sig) {
		return rsa.ErrVerification
	}
	return nil
}

// lookup returns the prepared form of key, or nil when crypto/rsa must
// check its signatures.
func (t *bigRSAKeys) lookup(key *rsa.PublicKey) *bigRSAKey {
	if fips140.Enabled() {
		return nil
	}
	p := t.byKey.Load()
	if p == nil {
		return nil
	}
	return (*p)[key]
}
