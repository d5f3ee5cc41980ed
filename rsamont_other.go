//go:build !amd64 || purego

package fief

// useADX is false: this platform has no assembly form of addMulVVW.
var useADX = false

// addMulVVW sets z += x·y and returns the carry word; len(x) ≥ len(z).
func addMulVVW(z, x []uint, y uint) uint {
	return addMulVVWGo(z, x, y)
}
