package fief

import (
	"fmt"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// The Montgomery arithmetic (rsamont.go) is held to math/big: montExp must
// give big.Int.Exp's result for moduli of every shape the word loops treat
// apart, with each form of the word products.

// unusualModuli returns odd moduli of bits bits whose words stress the
// Montgomery loops: 2^(bits−1)+1 (the top word a lone bit, all others but
// the first zero), 2^bits−1 (all ones), a top word of all ones over zeros,
// −n⁻¹ mod 2^W = 1 and = 2^W−1 (n ≡ −1 and n ≡ 1 modulo 2^W), and random
// odd ones with the top bit set.
func unusualModuli(bits int, rnd *rand.Rand) map[string]*big.Int {
	one := big.NewInt(1)
	pow := func(k int) *big.Int { return new(big.Int).Lsh(one, uint(k)) }
	random := func() *big.Int {
		b := make([]byte, (bits+7)/8)
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		n := new(big.Int).SetBytes(b)
		n.Rsh(n, uint(8*len(b)-bits))
		n.SetBit(n, bits-1, 1)
		return n.SetBit(n, 0, 1)
	}
	w := pow(wordBits)
	r1, r2 := random(), random()
	return map[string]*big.Int{
		"2^(k-1)+1":         new(big.Int).Add(pow(bits-1), one),
		"2^k-1":             new(big.Int).Sub(pow(bits), one),
		"2^k-2^(k-W)+1":     new(big.Int).Add(new(big.Int).Sub(pow(bits), pow(bits-wordBits)), one),
		"n = -1 mod 2^W":    new(big.Int).Sub(new(big.Int).Add(new(big.Int).Sub(r1, new(big.Int).Mod(r1, w)), w), one),
		"n = 1 mod 2^W":     new(big.Int).Add(new(big.Int).Sub(r2, new(big.Int).Mod(r2, w)), one),
		"random":            random(),
		"random, again":     random(),
		"2^(k-1)+2^W-1":     new(big.Int).Add(pow(bits-1), new(big.Int).Sub(w, one)),
		"2^(k-1)+2^(k/2)+1": new(big.Int).Add(new(big.Int).Add(pow(bits-1), pow(bits/2)), one),
	}
}

// wordBits is the size of a machine word in bits.
const wordBits = bits.UintSize

// montBases returns the bases to raise modulo n: 0, 1, 2, n−1, n−2, R mod
// n, words of all ones, and random ones.
func montBases(n *big.Int, rnd *rand.Rand) []*big.Int {
	one := big.NewInt(1)
	L := len(n.Bits())
	r := new(big.Int).Lsh(one, uint(wordBits*L))
	ones := new(big.Int).Sub(new(big.Int).Lsh(one, uint(n.BitLen()-1)), one)
	bases := []*big.Int{
		new(big.Int), one, big.NewInt(2),
		new(big.Int).Sub(n, one), new(big.Int).Sub(n, big.NewInt(2)),
		new(big.Int).Mod(r, n), ones,
	}
	for range 4 {
		b := make([]byte, (n.BitLen()+7)/8)
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		bases = append(bases, new(big.Int).Mod(new(big.Int).SetBytes(b), n))
	}
	return bases
}

// montExpOf returns x^e mod n by montExp.
func montExpOf(x, n *big.Int, e uint32) *big.Int {
	m := newMontModulus(n)
	L := len(m.n)
	xs := wordsOf(x, L)
	z := make([]uint, L)
	m.montExp(z, xs, e, make([]uint, 4*L))
	words := make([]big.Word, L)
	for i, w := range z {
		words[i] = big.Word(w)
	}
	return new(big.Int).SetBits(words)
}

func TestMontExpMatchesMathBig(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4096, 65537))
	exponents := []uint32{3, 5, 17, 65537, 1<<31 - 1, 0x55555555, 0x40000001}
	sizes := []int{2049, 2112, 2113, 3072, 4095, 4096, 4097, 8192, 8193}
	for _, kernel := range kernels() {
		useKernel(kernel)
		for _, size := range sizes {
			for name, n := range unusualModuli(size, rnd) {
				if n.BitLen() != size || n.Bit(0) != 1 {
					t.Fatalf("%d bits, %s: the modulus has %d bits, odd=%v", size, name, n.BitLen(), n.Bit(0) == 1)
				}
				for i, x := range montBases(n, rnd) {
					e := exponents[(i+size)%len(exponents)]
					if size > 4096 && e > 1<<17 {
						e = 65537 // the large exponents are covered at the smaller sizes
					}
					want := new(big.Int).Exp(x, big.NewInt(int64(e)), n)
					if got := montExpOf(x, n, e); got.Cmp(want) != 0 {
						t.Errorf("%s: %d bits, n = %s, base %d, e = %d: montExp differs from math/big", kernel, size, name, i, e)
					}
				}
			}
		}
	}
	useKernel(kernels()[len(kernels())-1])
}

// TestAddMulVVWForms holds each form of the word products that runs on this
// machine (the portable one always, the assembly where the processor has it)
// to math/big's z + x·y, at every length from 0 to 70 words (the assembly
// works four words at a time, then one by one), with words of all ones (the
// largest carries) and random ones.
func TestAddMulVVWForms(t *testing.T) {
	defer useKernel(kernels()[len(kernels())-1])
	rnd := rand.New(rand.NewPCG(1, 2))
	for n := range 71 {
		for _, fill := range []string{"ones", "random"} {
			x, z := make([]uint, n), make([]uint, n)
			y := ^uint(0)
			for i := range x {
				x[i], z[i] = ^uint(0), ^uint(0)
				if fill == "random" {
					x[i], z[i] = uint(rnd.Uint64()), uint(rnd.Uint64())
				}
			}
			if fill == "random" {
				y = uint(rnd.Uint64())
			}
			wantZ, wantC := addMulReference(z, x, y)
			for _, kernel := range kernels() {
				useKernel(kernel)
				got := append([]uint(nil), z...)
				c := addMulVVW(got, x, y)
				if c != wantC || fmt.Sprint(got) != fmt.Sprint(wantZ) {
					t.Errorf("%s form, %d words, %s: carry %#x and words %x, want %#x and %x", kernel, n, fill, c, got, wantC, wantZ)
				}
			}
		}
	}
}

// addMulReference computes z + x·y with math/big: its low len(z) words and
// the carry word above them.
func addMulReference(z, x []uint, y uint) ([]uint, uint) {
	word := func(ws []uint) *big.Int {
		v := new(big.Int)
		for i := len(ws) - 1; i >= 0; i-- {
			v.Lsh(v, bits.UintSize).Or(v, new(big.Int).SetUint64(uint64(ws[i])))
		}
		return v
	}
	sum := new(big.Int).Mul(word(x[:len(z)]), new(big.Int).SetUint64(uint64(y)))
	sum.Add(sum, word(z))
	out := make([]uint, len(z))
	mask := new(big.Int).SetUint64(uint64(^uint(0)))
	for i := range out {
		out[i] = uint(new(big.Int).And(sum, mask).Uint64())
		sum.Rsh(sum, bits.UintSize)
	}
	return out, uint(sum.Uint64())
}

// FuzzMontExp compares montExp with math/big's Exp on fuzzer-chosen odd
// moduli of any length, bases and odd exponents from 3 to 2³¹−1, with each
// form of the word products.
func FuzzMontExp(f *testing.F) {
	f.Add([]byte{0x80, 0, 0, 0, 0, 0, 0, 0, 1}, []byte{2}, uint32(65537))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte{0xff, 0xff}, uint32(3))
	f.Add([]byte{0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b}, []byte{7, 7, 7}, uint32(1<<31-1))
	f.Fuzz(func(t *testing.T, nb, xb []byte, e uint32) {
		n := new(big.Int).SetBytes(nb)
		if n.BitLen() > 8192 {
			return
		}
		n.SetBit(n, 0, 1)
		if n.BitLen() < 2 {
			return
		}
		e = max(3, e%(1<<31)|1)
		x := new(big.Int).SetBytes(xb)
		x.Mod(x, n)
		want := new(big.Int).Exp(x, big.NewInt(int64(e)), n)
		defer useKernel(kernels()[len(kernels())-1])
		for _, kernel := range kernels() {
			useKernel(kernel)
			if got := montExpOf(x, n, e); got.Cmp(want) != 0 {
				t.Errorf("%s: %x^%d mod %x = %x, want %x", kernel, x, e, n, got, want)
			}
		}
	})
}
