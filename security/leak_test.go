package security_test

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// waitFor polls cond every 10ms until it holds or the deadline passes, and
// reports whether it held. It replaces sleeps: tests wait for a state, not
// for a duration.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// clientGoroutines counts the goroutines of the process except those
// serving connections of an in-process server (fieftest, httptest): a leak
// of the client side shows in it, the server finishing its own requests
// does not.
func clientGoroutines() (int, string) {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	var kept []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "created by net/http.(*Server).Serve") {
			continue
		}
		n++
		kept = append(kept, g)
	}
	return n, strings.Join(kept, "\n\n")
}

// checkGoroutines fails t unless the number of client goroutines comes back
// to at most baseline+slack within 5 seconds (connections closing, timers
// firing), and dumps them when it does not.
func checkGoroutines(t *testing.T, baseline, slack int) {
	t.Helper()
	var n int
	var dump string
	if !waitFor(5*time.Second, func() bool { n, dump = clientGoroutines(); return n <= baseline+slack }) {
		t.Errorf("%d goroutines, baseline %d (+%d allowed):\n%s", n, baseline, slack, dump)
	}
}

// settledGoroutines returns the number of goroutines once it stops
// changing (connections just closed take a moment to go), or after 5s.
func settledGoroutines() int {
	prev := runtime.NumGoroutine()
	waitFor(5*time.Second, func() bool {
		time.Sleep(50 * time.Millisecond)
		n := runtime.NumGoroutine()
		same := n == prev
		prev = n
		return same
	})
	return prev
}

// heapInUse returns the bytes of live heap objects after a collection.
func heapInUse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// checkHeap fails t unless the live heap comes back to at most
// baseline+slack bytes within 5 seconds, and returns the last reading.
func checkHeap(t *testing.T, baseline, slack uint64) uint64 {
	t.Helper()
	var h uint64
	if !waitFor(5*time.Second, func() bool { h = heapInUse(); return h <= baseline+slack }) {
		t.Errorf("live heap %d bytes, baseline %d (+%d allowed)", h, baseline, slack)
	}
	return h
}
