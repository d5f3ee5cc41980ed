//go:build !unix

package fief

import (
	"testing"
	"time"
)

// processCPU reports false: CPU time is read on Unix systems only.
func processCPU() (time.Duration, bool) { return 0, false }

// reportCPU does nothing where CPU time cannot be read.
func reportCPU(*testing.B, time.Duration) {}
