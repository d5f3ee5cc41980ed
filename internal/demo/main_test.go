package demo

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExit(t *testing.T) {
	tests := []struct {
		err  error
		code int
		out  string
	}{
		{nil, 0, ""},
		{UsageError("usage: cli login"), 2, "usage: cli login\n"},
		{fmt.Errorf("parsing: %w", UsageError("unknown flag -x")), 2, "parsing: unknown flag -x\n"},
		{errors.New("Fief is down"), 1, "error: Fief is down\n"},
	}
	for _, tt := range tests {
		var out strings.Builder
		if code := Exit(tt.err, &out); code != tt.code || out.String() != tt.out {
			t.Errorf("Exit(%v) = %d, %q; want %d, %q", tt.err, code, out.String(), tt.code, tt.out)
		}
	}
}
