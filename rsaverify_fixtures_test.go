package fief

import (
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The RSA keys of the differential tests of the math/big verification path
// live in testdata/rsaverify/keys.json: generating 4096- and 8192-bit keys
// takes minutes, and crypto/rsa.GenerateKey always uses e = 65537, so the
// keys with other exponents are built by hand from two primes. Regenerate
// them with
//
//	go test -run TestRSAFixtures -update-rsa-fixtures .
var updateRSAFixtures = flag.Bool("update-rsa-fixtures", false, "regenerate testdata/rsaverify/keys.json")

const rsaFixturesPath = "testdata/rsaverify/keys.json"

// rsaFixture is one key of the fixtures: a modulus of Bits bits, the product
// of P and Q, with the public exponent E.
type rsaFixture struct {
	Name  string   `json:"name"`
	Bits  int      `json:"bits"`
	E     int64    `json:"e"`
	Shape string   `json:"shape,omitempty"` // "", "low" or "high": see rsaFixtureSpecs
	P     *big.Int `json:"p"`
	Q     *big.Int `json:"q"`
	// LeadingZero is the smallest i for which the valid signature of
	// rsaTestMessage(i) starts with a zero byte.
	LeadingZero int `json:"leading_zero"`

	n, d, dp, dq, qinv *big.Int // derived by prepare
}

// rsaFixtureSpecs are the keys of the fixtures: every size the
// differential covers with e = 65537, the 2049-bit boundary (the smallest
// modulus the fast path takes, whose top word holds a single bit), and
// hand-built exponents: 3, the largest exponent crypto/rsa accepts (2³¹−1)
// and the smallest it refuses as too large (2³¹+1). Then moduli of unusual
// shapes for the Montgomery arithmetic: "low", just above 2^(bits−1) (the
// top half of the words 0x8000…0, 0, 0…), "high", just below 2^bits (the
// top half all ones), and 4097 bits (a top word of 1).
var rsaFixtureSpecs = []struct {
	bits  int
	e     int64
	shape string
}{
	{2048, 65537, ""}, {2049, 65537, ""}, {3072, 65537, ""}, {4096, 65537, ""}, {8192, 65537, ""},
	{3072, 3, ""}, {4096, 3, ""}, {4096, 1<<31 - 1, ""}, {4096, 1<<31 + 1, ""},
	{4096, 65537, "low"}, {4096, 3, "high"}, {3072, 1<<31 - 1, "low"}, {4097, 65537, ""}, {8192, 3, "high"},
}

// prepare derives the modulus and the private exponent (with its CRT parts)
// from P, Q and E.
func (f *rsaFixture) prepare() error {
	one := big.NewInt(1)
	f.n = new(big.Int).Mul(f.P, f.Q)
	if f.n.BitLen() != f.Bits {
		return fmt.Errorf("%s: modulus of %d bits, want %d", f.Name, f.n.BitLen(), f.Bits)
	}
	p1 := new(big.Int).Sub(f.P, one)
	q1 := new(big.Int).Sub(f.Q, one)
	gcd := new(big.Int).GCD(nil, nil, p1, q1)
	lambda := new(big.Int).Div(new(big.Int).Mul(p1, q1), gcd)
	f.d = new(big.Int).ModInverse(big.NewInt(f.E), lambda)
	if f.d == nil {
		return fmt.Errorf("%s: e is not invertible modulo λ(n)", f.Name)
	}
	f.dp = new(big.Int).Mod(f.d, p1)
	f.dq = new(big.Int).Mod(f.d, q1)
	f.qinv = new(big.Int).ModInverse(f.Q, f.P)
	if f.qinv == nil {
		return fmt.Errorf("%s: q is not invertible modulo p", f.Name)
	}
	return nil
}

// rawSign returns em^d mod n as k bytes (the RSA private operation, by the
// Chinese remainder theorem), whatever em holds: the tests build their
// encoded blocks, valid or not, by hand.
func (f *rsaFixture) rawSign(em []byte) []byte {
	m := new(big.Int).SetBytes(em)
	m.Mod(m, f.n)
	m1 := new(big.Int).Exp(m, f.dp, f.P)
	m2 := new(big.Int).Exp(m, f.dq, f.Q)
	h := m1.Sub(m1, m2)
	h.Mul(h, f.qinv).Mod(h, f.P)
	s := h.Mul(h, f.Q).Add(h, m2)
	return s.FillBytes(make([]byte, (f.Bits+7)/8))
}

// loadRSAFixtures reads and prepares the fixture keys.
func loadRSAFixtures(tb testing.TB) []*rsaFixture {
	tb.Helper()
	raw, err := os.ReadFile(rsaFixturesPath)
	if err != nil {
		tb.Fatal(err)
	}
	var fs []*rsaFixture
	if err := json.Unmarshal(raw, &fs); err != nil {
		tb.Fatal(err)
	}
	for _, f := range fs {
		if err := f.prepare(); err != nil {
			tb.Fatal(err)
		}
	}
	return fs
}

// TestRSAFixtures checks that every fixture key is a working RSA key (its
// private operation inverts its public one) and that the fixtures hold the
// keys listed in rsaFixtureSpecs; with -update-rsa-fixtures it first
// regenerates them.
func TestRSAFixtures(t *testing.T) {
	if *updateRSAFixtures {
		generateRSAFixtures(t)
	}
	fs := loadRSAFixtures(t)
	if len(fs) != len(rsaFixtureSpecs) {
		t.Fatalf("%d fixture keys, want %d", len(fs), len(rsaFixtureSpecs))
	}
	for i, f := range fs {
		spec := rsaFixtureSpecs[i]
		if f.Bits != spec.bits || f.E != spec.e || f.Shape != spec.shape {
			t.Errorf("%s: %d bits, e = %d, shape %q; want %d bits, e = %d, shape %q", f.Name, f.Bits, f.E, f.Shape, spec.bits, spec.e, spec.shape)
		}
		// The shaped moduli differ from 2^(bits−1) or 2^bits by about p
		// times the gap between primes: their top bits but 32 bits of the
		// top half are 0x8000…0 or all ones.
		low := f.Bits/2 + 32
		top := new(big.Int).Rsh(f.n, uint(low))
		switch one := new(big.Int).Lsh(big.NewInt(1), uint(f.Bits-1-low)); f.Shape {
		case "low":
			if top.Cmp(one) != 0 {
				t.Errorf("%s: the top of the modulus is not 0x8000…0", f.Name)
			}
		case "high":
			if top.Cmp(one.Sub(one.Lsh(one, 1), big.NewInt(1))) != 0 {
				t.Errorf("%s: the top of the modulus is not all ones", f.Name)
			}
		}
		if !f.P.ProbablyPrime(0) || !f.Q.ProbablyPrime(0) {
			t.Errorf("%s: a factor is not prime", f.Name)
		}
		em := make([]byte, (f.Bits+7)/8)
		em[len(em)-1] = 0x2a
		em[1] = 0x01
		s := new(big.Int).SetBytes(f.rawSign(em))
		if got := s.Exp(s, big.NewInt(f.E), f.n); got.Cmp(new(big.Int).SetBytes(em)) != 0 {
			t.Errorf("%s: s^e mod n does not give back the signed block", f.Name)
		}
		if sig := f.signSHA256(rsaTestMessage(f.LeadingZero)); sig[0] != 0 {
			t.Errorf("%s: the signature of message %d does not start with a zero byte", f.Name, f.LeadingZero)
		}
	}
}

// generateRSAFixtures writes the fixture keys, keeping those already in
// the file: two random primes of half the size each, drawn again until
// their product has exactly the size wanted and e is invertible; for the
// shaped moduli, one random prime p and the prime q nearest above
// 2^(bits−1)/p ("low") or below (2^bits−1)/p ("high").
func generateRSAFixtures(t *testing.T) {
	var kept []*rsaFixture
	if raw, err := os.ReadFile(rsaFixturesPath); err == nil {
		if err := json.Unmarshal(raw, &kept); err != nil {
			t.Fatal(err)
		}
	}
	var fs []*rsaFixture
	for _, spec := range rsaFixtureSpecs {
		name := fmt.Sprintf("rsa%d-e%d", spec.bits, spec.e)
		if spec.shape != "" {
			name += "-" + spec.shape
		}
		if i := slices.IndexFunc(kept, func(f *rsaFixture) bool { return f.Name == name }); i >= 0 {
			fs = append(fs, kept[i])
			continue
		}
		for {
			p, err := rand.Prime(rand.Reader, (spec.bits+1)/2)
			if err != nil {
				t.Fatal(err)
			}
			var q *big.Int
			switch spec.shape {
			case "":
				q, err = rand.Prime(rand.Reader, spec.bits/2)
				if err != nil {
					t.Fatal(err)
				}
			case "low":
				q = new(big.Int).Lsh(big.NewInt(1), uint(spec.bits-1))
				q.Div(q, p)
				q = primeFrom(q.Add(q, big.NewInt(1)), 2)
			case "high":
				q = new(big.Int).Lsh(big.NewInt(1), uint(spec.bits))
				q.Sub(q, big.NewInt(1)).Div(q, p)
				q = primeFrom(q, -2)
			}
			f := &rsaFixture{Name: name, Bits: spec.bits, E: spec.e, Shape: spec.shape, P: p, Q: q}
			if p.Cmp(q) != 0 && f.prepare() == nil {
				for f.signSHA256(rsaTestMessage(f.LeadingZero))[0] != 0 {
					f.LeadingZero++
				}
				fs = append(fs, f)
				t.Logf("generated %s", f.Name)
				break
			}
		}
	}
	raw, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(rsaFixturesPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rsaFixturesPath, append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// primeFrom returns the first prime from x on, stepping by step (±2), x
// made odd first.
func primeFrom(x *big.Int, step int64) *big.Int {
	x.SetBit(x, 0, 1)
	for !x.ProbablyPrime(20) {
		x.Add(x, big.NewInt(step))
	}
	return x
}
