//go:build !purego

package fief

// On amd64, the word products of the RS256 check run in assembly
// (rsamont_amd64.s) when the processor has the ADX and BMI2 extensions:
// MULX and the two independent carry chains of ADCX and ADOX, which Go's
// compiler does not emit. Written by hand because the portable form
// (addMulVVWGo) leaves RSA-4096 verification too far from OpenSSL's; see
// BENCHMARKS.md, "RSA above 2048 bits: Montgomery multiplication".

// useADX reports whether addMulVVW runs the assembly. Tests turn it off to
// check the portable form on the same inputs.
var useADX = hasADXAndBMI2()

// addMulVVW sets z += x·y and returns the carry word; len(x) ≥ len(z).
func addMulVVW(z, x []uint, y uint) uint {
	if useADX {
		return addMulVVWADX(z, x, y)
	}
	return addMulVVWGo(z, x, y)
}

// addMulVVWADX is addMulVVW with MULX, ADCX and ADOX.
//
//go:noescape
func addMulVVWADX(z, x []uint, y uint) (c uint)

// hasADXAndBMI2 reports whether CPUID lists ADX and BMI2.
func hasADXAndBMI2() bool
