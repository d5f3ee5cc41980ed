//go:build !purego

// Go refuses FIPS 140-3 mode in a program built with the purego tag (its
// FIPS module must be the one it validated), so the FIPS test builds only
// without it.

package fief

import (
	"crypto/fips140"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRS256InFIPSMode runs the differential test of a 4096-bit key
// again in a child process with GODEBUG=fips140=on, where every check must
// go to crypto/rsa.
func TestRS256InFIPSMode(t *testing.T) {
	if os.Getenv("FIEF_TEST_FIPS_CHILD") == "1" {
		if !fips140.Enabled() {
			t.Fatal("the child runs without FIPS 140 mode")
		}
		keys := diffKeys(t)
		prepared := preparedKeys(keys)
		for _, key := range keys {
			if prepared.lookup(key.pub) != nil {
				t.Errorf("%s: Montgomery path taken in FIPS 140 mode", key.name)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRS256InFIPSMode$", "-test.v")
	cmd.Env = append(os.Environ(), "FIEF_TEST_FIPS_CHILD=1", "GODEBUG=fips140=on")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestRS256InFIPSMode") {
		t.Fatalf("child in FIPS 140 mode: %v\n%s", err, out)
	}
}
