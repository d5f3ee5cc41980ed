package fief

import (
	"math/big"
	"math/bits"
)

// Montgomery arithmetic on public values, for the RS256 check of keys above
// 2048 bits (see rsaverify.go for why it is written here).
//
// Numbers are little-endian slices of machine words. For a modulus n of L
// words, R = 2^(W·L) with W the word size; the Montgomery form of x is
// x·R mod n, and montMul(a, b) = a·b·R⁻¹ mod n, which needs no division:
// each word of the product is cancelled by adding a multiple of n chosen
// with n0inv = −n⁻¹ mod 2^W. Nothing here is constant-time, on purpose:
// every input is public.

// montModulus is an odd modulus prepared for Montgomery multiplication:
// computed once per key, when the key set is loaded.
type montModulus struct {
	n     []uint // the modulus, L words, n[L−1] ≠ 0
	n0inv uint   // −n⁻¹ mod 2^W
	rr    []uint // R² mod n: montMul(x, rr) = x·R mod n
}

// newMontModulus prepares the odd modulus n (n > 1).
func newMontModulus(n *big.Int) *montModulus {
	m := &montModulus{n: wordsOf(n, len(n.Bits()))}
	// Newton's iteration for the inverse modulo 2^W: an odd x is its own
	// inverse modulo 8 (3 bits), and each step doubles the correct bits.
	inv := m.n[0]
	for range 5 {
		inv *= 2 - m.n[0]*inv
	}
	m.n0inv = -inv
	r2 := new(big.Int).Lsh(big.NewInt(1), uint(2*bits.UintSize*len(m.n)))
	m.rr = wordsOf(r2.Mod(r2, n), len(m.n))
	return m
}

// wordsOf returns x (0 ≤ x < 2^(W·size)) as size words.
func wordsOf(x *big.Int, size int) []uint {
	z := make([]uint, size)
	for i, w := range x.Bits() {
		z[i] = uint(w)
	}
	return z
}

// montStackWords is the room an RS256 check works in, 6L words (the
// signature, the result, and montExp's 4L), on the stack up to an 8192-bit
// modulus; larger moduli allocate it.
const montStackWords = 6 * (8192 / bits.UintSize)

// montExp sets z = x^e mod n for 0 ≤ x < n and an odd e ≥ 3, with scratch
// of at least 4L words. z has L words and is not x.
func (m *montModulus) montExp(z, x []uint, e uint32, scratch []uint) {
	L := len(m.n)
	xR := scratch[:L]
	t := scratch[L : 3*L]
	acc := scratch[3*L : 4*L]
	m.montMul(xR, x, m.rr, t) // x·R
	copy(acc, xR)
	// Left to right over e's bits below the top one, all in Montgomery form;
	// the last bit (e is odd: it is 1) multiplies by x itself, which leaves
	// the Montgomery form: (x^(e−1)·R)·x·R⁻¹ = x^e.
	for i := bits.Len32(e) - 2; i >= 1; i-- {
		m.montSqr(acc, acc, t)
		if e>>i&1 == 1 {
			m.montMul(acc, acc, xR, t)
		}
	}
	m.montSqr(acc, acc, t)
	m.montMul(z, acc, x, t)
}

// montMul sets z = x·y·R⁻¹ mod n for x, y < n, with t of 2L words as
// scratch; z may be x or y.
//
// One pass per word of y (coarsely integrated operand scanning): add
// x·y[i], then the multiple of n that zeroes word i.
func (m *montModulus) montMul(z, x, y, t []uint) {
	L := len(m.n)
	t = t[:2*L]
	clear(t)
	var top uint
	for i := range L {
		c1 := addMulVVW(t[i:i+L], x, y[i])
		c2 := addMulVVW(t[i:i+L], m.n, t[i]*m.n0inv)
		t[i+L], top = bits.Add(c1, c2, top)
	}
	m.reduceOnce(z, t[L:], top)
}

// montSqr sets z = x²·R⁻¹ mod n for x < n, with t of 2L words as scratch;
// z may be x.
//
// The square first (separated operand scanning): each product x[i]·x[j],
// i < j, once, the sum doubled, the squares x[i]² added; then the L
// multiples of n that zero the low half. That is 1.5·L² word products
// against montMul's 2·L².
func (m *montModulus) montSqr(z, x, t []uint) {
	L := len(m.n)
	t = t[:2*L]
	x = x[:L]
	clear(t)
	for i := range L - 1 {
		// Row i ends at t[i+L], which no row wrote before.
		t[i+L] = addMulVVW(t[2*i+1:i+L], x[i+1:], x[i])
	}
	// t·2 + the squares. t < 2^(2WL−1), so nothing leaves the top word.
	var shiftCarry, c uint
	for i, w := range x {
		hi, lo := bits.Mul(w, w)
		w0, w1 := t[2*i], t[2*i+1]
		d0 := w0<<1 | shiftCarry
		d1 := w1<<1 | w0>>(bits.UintSize-1)
		shiftCarry = w1 >> (bits.UintSize - 1)
		t[2*i], c = bits.Add(d0, lo, c)
		t[2*i+1], c = bits.Add(d1, hi, c)
	}
	var top uint
	for i := range L {
		c := addMulVVW(t[i:i+L], m.n, t[i]*m.n0inv)
		t[i+L], top = bits.Add(t[i+L], c, top)
	}
	m.reduceOnce(z, t[L:], top)
}

// addMulVVWGo sets z += x·y and returns the carry word; len(x) ≥ len(z).
// It is the portable form of addMulVVW.
func addMulVVWGo(z, x []uint, y uint) (carry uint) {
	x = x[:len(z)]
	for i := range z {
		hi, lo := bits.Mul(x[i], y)
		var c uint
		lo, c = bits.Add(lo, z[i], 0)
		// bits.Add with zero rather than hi += c: an add-with-carry that
		// takes the carry of the line above.
		hi, _ = bits.Add(hi, 0, c)
		lo, c = bits.Add(lo, carry, 0)
		hi, _ = bits.Add(hi, 0, c)
		carry = hi
		z[i] = lo
	}
	return carry
}

// reduceOnce sets z = hi·R + t − n if that is not negative, else
// t (hi is 0 or 1; hi·R + t < 2n).
func (m *montModulus) reduceOnce(z, t []uint, hi uint) {
	L := len(m.n)
	var b uint
	for i := range L {
		z[i], b = bits.Sub(t[i], m.n[i], b)
	}
	// hi·R + t − n < 0 when the subtraction borrowed past hi.
	if b > hi {
		copy(z, t[:L])
	}
}
