package seal

import (
	"bytes"
	"errors"
	"testing"
)

// TestSealOpen: a value opens under its name with any of the secrets, and
// never under another name, for another purpose, or once changed.
func TestSealOpen(t *testing.T) {
	oldSecret, newSecret := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	before, _ := New([][]byte{oldSecret}, "purpose")
	after, _ := New([][]byte{newSecret, oldSecret}, "purpose")
	other, _ := New([][]byte{oldSecret}, "another purpose")
	sealed := before.Seal("name", []byte("value"))
	if p, err := after.Open("name", sealed); err != nil || string(p) != "value" {
		t.Fatalf("open after a rotation: %q, %v", p, err)
	}
	for what, open := range map[string]func() ([]byte, error){
		"another name":    func() ([]byte, error) { return before.Open("other", sealed) },
		"another purpose": func() ([]byte, error) { return other.Open("name", sealed) },
		"truncated":       func() ([]byte, error) { return before.Open("name", sealed[:10]) },
		"changed":         func() ([]byte, error) { c := bytes.Clone(sealed); c[len(c)-1] ^= 1; return before.Open("name", c) },
	} {
		if _, err := open(); !errors.Is(err, ErrUnsealable) {
			t.Errorf("%s: %v, want ErrUnsealable", what, err)
		}
	}
	if _, err := New(nil, "purpose"); err == nil {
		t.Error("no secret accepted")
	}
}
