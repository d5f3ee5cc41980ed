package sentinel

import (
	"errors"
	"fmt"
	"testing"
)

func TestIn(t *testing.T) {
	parent := errors.New("parent")
	other := errors.New("other")
	a := In(parent, "a")
	b := In(parent, "b")
	if a.Error() != "a" {
		t.Fatalf("Error() = %q, want %q", a.Error(), "a")
	}
	wrapped := fmt.Errorf("detail: %w", a)
	if !errors.Is(wrapped, a) || !errors.Is(wrapped, parent) {
		t.Fatal("a wrapped error is not its sentinel and its parent")
	}
	if errors.Is(a, b) || errors.Is(a, other) || errors.Is(parent, a) {
		t.Fatal("a sentinel matches a sibling, an unrelated error, or its parent matches it")
	}
}
