package bench

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the CPU time (user and system) used by the process so
// far, all threads included.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op b.N times and reports, besides ns/op, the process's CPU time
// per operation as "cpu-ns/op". On a machine shared with other work, wall
// time per operation grows with the load while CPU time much less so: the
// ratios of bench/run use it. It includes the garbage collector's work
// (which runs on other threads), so allocations are paid for.
func loop(b *testing.B, op func()) {
	b.ReportAllocs()
	b.ResetTimer()
	start := processCPU(b)
	for i := 0; i < b.N; i++ {
		op()
	}
	b.StopTimer()
	b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
}

// loopFresh is loop for operations that need a fresh setup every `every`
// operations: it calls setup before operations 0, every, 2×every, …, with
// the timer, the allocation count and the CPU time stopped, and op(i) for i
// from 0 to b.N−1.
func loopFresh(b *testing.B, every int, setup func(), op func(i int)) {
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration
	var start time.Duration
	for i := 0; i < b.N; i++ {
		if i%every == 0 {
			if i > 0 {
				cpu += processCPU(b) - start
			}
			b.StopTimer()
			setup()
			b.StartTimer()
			start = processCPU(b)
		}
		op(i)
	}
	b.StopTimer()
	cpu += processCPU(b) - start
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}
