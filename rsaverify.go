package fief

import (
	"bytes"
	"crypto/fips140"
	"crypto/rsa"
	"crypto/sha256"
	"math/bits"
	"sync/atomic"
)

// The RS256 check of tokens signed by keys larger than 2048 bits (Fief's
// default keys are 4096-bit) runs on arithmetic written here (rsamont.go:
// Montgomery multiplication on machine words) rather than in crypto/rsa.
// It is the one place where fief-go does by hand what a library does.
//
// Why by hand: crypto/rsa computes RSA with a constant-time big-number
// package that has assembly for 1024-, 1536- and 2048-bit moduli only and
// rebuilds the modulus's Montgomery constants on every call, so one
// RSA-4096 verification costs about 300 µs, five times OpenSSL's; math/big's
// Exp(s, e, n), used here before, takes no precomputed constants and, for a
// one-word exponent, reduces by long division at each of the 17 steps of
// e = 65537 (about 110 µs, 1.8 times OpenSSL's). No library in the allowed
// set takes a prepared public key. Here the modulus's Montgomery constants
// (−n⁻¹ mod 2^W and R² mod n) are computed once per key, when the key set
// is loaded, and each verification is 16 squarings and 2 multiplications
// on fixed-size word arrays, on the stack, without allocation; on amd64
// with ADX and BMI2 the word products run in assembly (rsamont_amd64.s),
// elsewhere in portable Go (math/bits). A signature verification handles
// public values only (the key, the signature, the signed bytes), so it
// needs no constant-time arithmetic.
//
// Why it is safe:
//   - The inputs are public: nothing secret goes through this arithmetic.
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
//     rsa.VerifyPKCS1v15's over keys of 2048 to 8192 bits, moduli of unusual
//     shapes (just above 2^(k−1), just below 2^k, a top word of 1) and
//     hand-built exponents (3, 2³¹−1), every single-bit flip of valid
//     signatures and the malformed encodings RFC 8017 implementations have
//     been caught accepting, with the assembly and the portable word
//     products alike; FuzzRS256Verify compares them on fuzzer-chosen
//     signatures, encoded blocks and digests. rsamont_test.go holds the
//     exponentiation itself to math/big's Exp (TestMontExpMatchesMathBig,
//     FuzzMontExp) and the assembly to the portable form
//     (TestAddMulVVWForms).

// sha256DigestInfo is the DER prefix of a SHA-256 DigestInfo (RFC 8017
// §9.2, note 1), the parameters' NULL included.
var sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

// montRSAKey is a key prepared for the Montgomery path: its modulus with
// its Montgomery constants, its exponent, its size in bytes, and the part of
// the encoded block that precedes the digest, which depends on the size only.
type montRSAKey struct {
	mod    *montModulus
	e      uint32
	size   int    // k, the modulus's length in bytes
	prefix []byte // 0x00 0x01 0xff… 0x00 DigestInfo: the first k−32 bytes of the block
}

// newMontRSAKey prepares pub for the Montgomery path. It reports false for
// a key the path does not take: 2048 bits or less, or anything crypto/rsa
// might refuse.
func newMontRSAKey(pub *rsa.PublicKey) (*montRSAKey, bool) {
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
	return &montRSAKey{
		mod:    newMontModulus(n),
		e:      uint32(pub.E),
		size:   k,
		prefix: prefix,
	}, true
}

// maxStackBlock is the largest encoded block (an 8192-bit modulus) built in
// a stack buffer; larger ones are allocated.
const maxStackBlock = 1024

// verify reports whether sig is a valid RSASSA-PKCS1-v1_5 signature of the
// SHA-256 digest by k (RFC 8017 §8.2.2, encode and compare).
func (k *montRSAKey) verify(digest *[sha256.Size]byte, sig []byte) bool {
	if len(sig) != k.size {
		return false
	}
	L := len(k.mod.n)
	var words [montStackWords]uint
	var work []uint
	if 6*L <= len(words) {
		work = words[:6*L]
	} else {
		work = make([]uint, 6*L)
	}
	s, m, scratch := work[:L], work[L:2*L], work[2*L:]
	bytesToWords(s, sig) // k bytes fit in L words
	if !lessThan(s, k.mod.n) {
		return false
	}
	k.mod.montExp(m, s, k.e, scratch)
	var block [maxStackBlock]byte
	var em []byte
	if k.size <= len(block) {
		em = block[:k.size]
	} else {
		em = make([]byte, k.size)
	}
	wordsToBytes(em, m) // m < n: it fits in k bytes
	return bytes.Equal(em[:len(k.prefix)], k.prefix) && bytes.Equal(em[len(k.prefix):], digest[:])
}

// wordBytes is the size of a machine word in bytes.
const wordBytes = bits.UintSize / 8

// bytesToWords sets z to the big-endian number b, which fits in z.
func bytesToWords(z []uint, b []byte) {
	for i := range z {
		end := len(b) - i*wordBytes
		var w uint
		if end > 0 {
			for _, c := range b[max(0, end-wordBytes):end] {
				w = w<<8 | uint(c)
			}
		}
		z[i] = w
	}
}

// wordsToBytes writes x into b, big-endian, dropping what does not fit.
func wordsToBytes(b []byte, x []uint) {
	for j := range b {
		var w uint
		if q := j / wordBytes; q < len(x) {
			w = x[q]
		}
		b[len(b)-1-j] = byte(w >> (8 * (j % wordBytes)))
	}
}

// lessThan reports whether x < y, both of len(y) words.
func lessThan(x, y []uint) bool {
	for i := len(y) - 1; i >= 0; i-- {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

// montRSAKeys holds the keys of the current key set prepared for the
// Montgomery path, by the identity of the key set's *rsa.PublicKey. Readers
// never lock: each key-set load stores a new map.
type montRSAKeys struct {
	byKey atomic.Pointer[map[*rsa.PublicKey]*montRSAKey]
}

// use prepares the keys of a newly loaded key set, replacing those of the
// previous one.
func (t *montRSAKeys) use(keys []*rsa.PublicKey) {
	m := make(map[*rsa.PublicKey]*montRSAKey, len(keys))
	for _, pub := range keys {
		if k, ok := newMontRSAKey(pub); ok {
			m[pub] = k
		}
	}
	t.byKey.Store(&m)
}

// verifyRS256 checks an RS256 signature over signingInput by key: on the
// Montgomery path when key was prepared by use and FIPS 140 mode is off,
// with crypto/rsa otherwise.
func (t *montRSAKeys) verifyRS256(key *rsa.PublicKey, signingInput string, sig []byte) error {
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
func (t *montRSAKeys) lookup(key *rsa.PublicKey) *montRSAKey {
	if fips140.Enabled() {
		return nil
	}
	p := t.byKey.Load()
	if p == nil {
		return nil
	}
	return (*p)[key]
}
