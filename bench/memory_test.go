package bench

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// cacheEntriesMeasured is the number of tokens cached to measure the memory
// of one entry; each must be signed, which is what bounds it.
const cacheEntriesMeasured = 200

// TestCacheMemoryPerEntry measures the heap one verified-token cache entry
// takes: the heap in use after filling the cache with distinct tokens, less
// the heap in use before (with the same tokens already held by the test),
// divided by their number. It logs the figure (go test -v shows it) and
// fails if an entry does not hold its token or takes more than its token
// plus 1 KiB.
func TestCacheMemoryPerEntry(t *testing.T) {
	for _, bits := range keySizes {
		t.Run(fmt.Sprintf("rsa=%d", bits), func(t *testing.T) {
			s := signers(t)[bits]
			srv := newKeyServer(t, s)
			now := time.Now()
			tokens := make([]string, cacheEntriesMeasured)
			tokenBytes := 0
			for i := range tokens {
				cl := newClaims(now)
				cl.Iat -= int64(i) // a distinct token each
				tokens[i] = s.sign(t, cl)
				tokenBytes += len(tokens[i])
			}
			c := newClient(t, srv, 2*cacheEntriesMeasured, nil)
			warm(t, c, tokens[0]) // loads the keys, caches one entry
			ctx := context.Background()

			before := heapInUse()
			for _, tok := range tokens[1:] {
				if _, err := c.ValidateAccessToken(ctx, tok, fief.Requirements{}); err != nil {
					t.Fatal(err)
				}
			}
			after := heapInUse()
			runtime.KeepAlive(tokens)
			runtime.KeepAlive(c)

			n := len(tokens) - 1
			perEntry := float64(after-before) / float64(n)
			tokenLen := float64(tokenBytes) / float64(len(tokens))
			t.Logf("rsa=%d: %.0f bytes per entry for tokens of %.0f bytes (%d entries)", bits, perEntry, tokenLen, n)
			if perEntry < tokenLen {
				t.Errorf("%.0f bytes per entry: less than the %.0f-byte token it must hold", perEntry, tokenLen)
			}
			if perEntry > tokenLen+1024 {
				t.Errorf("%.0f bytes per entry: more than the %.0f-byte token plus 1 KiB", perEntry, tokenLen)
			}
		})
	}
}

// heapInUse returns the bytes of live heap objects after a full collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
