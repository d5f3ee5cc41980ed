package main

import (
	"strings"
	"testing"
)

func TestSplitProcs(t *testing.T) {
	tests := []struct {
		in    string
		name  string
		procs int
	}{
		{"Validate/rsa=2048/limit", "Validate/rsa=2048/limit", 1},
		{"Validate/rsa=2048/limit-2", "Validate/rsa=2048/limit", 2},
		{"Middleware/rsa=4096/fiefhttp-cached", "Middleware/rsa=4096/fiefhttp-cached", 1},
		{"Middleware/rsa=4096/fiefhttp-cached-16", "Middleware/rsa=4096/fiefhttp-cached", 16},
		{"Callback/rsa=2048/fiefhttp-0", "Callback/rsa=2048/fiefhttp-0", 1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			name, procs := splitProcs(tt.in)
			if name != tt.name || procs != tt.procs {
				t.Errorf("splitProcs(%q) = %q, %d; want %q, %d", tt.in, name, procs, tt.name, tt.procs)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"small int", formatInt(999), "999"},
		{"thousands", formatInt(35889.4), "35,889"},
		{"millions", formatInt(1234567), "1,234,567"},
		{"ns below 1000", formatNs(121.94), "121.9"},
		{"ratio", formatRatio(1.234), "1.23×"},
		{"small ratio", formatRatio(1.0 / 250), "1/250"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// sample is go test output: two runs of a few benchmarks at procs 1 and 2,
// and test results.
const sample = `goos: linux
cpu: AMD EPYC
BenchmarkValidate/rsa=2048/limit           	  100	     30000 ns/op	    2112 B/op	      11 allocs/op
BenchmarkValidate/rsa=2048/limit           	  100	     34000 ns/op	    2112 B/op	      11 allocs/op
BenchmarkValidate/rsa=2048/limit-2         	  100	     32000 ns/op	    2112 B/op	      11 allocs/op
BenchmarkValidate/rsa=2048/fief-uncached   	  100	     36000 ns/op	    8000 B/op	     100 allocs/op
BenchmarkValidate/rsa=2048/fief-uncached   	  100	     40000 ns/op	    8000 B/op	     100 allocs/op
BenchmarkValidate/rsa=2048/fief-uncached-2 	  100	     48000 ns/op	    8000 B/op	     100 allocs/op
BenchmarkValidate/rsa=2048/fief-cached     	  100	       200 ns/op	      80 B/op	       1 allocs/op
BenchmarkValidate/rsa=2048/fief-cached     	  100	       200 ns/op	      80 B/op	       1 allocs/op
BenchmarkValidate/rsa=2048/fief-cached-2   	  100	       400 ns/op	      80 B/op	       1 allocs/op
BenchmarkValidate/rsa=2048/go-oidc         	  100	     50000 ns/op	   14000 B/op	     146 allocs/op
BenchmarkValidate/rsa=2048/go-oidc-2       	  100	     40000 ns/op	   14000 B/op	     146 allocs/op
BenchmarkValidate/rsa=4096/limit           	  100	    300000 ns/op	    290000 cpu-ns/op	   63552 B/op	     103 allocs/op
BenchmarkValidate/rsa=4096/limit-2         	  100	    300000 ns/op	    290000 cpu-ns/op	   63552 B/op	     103 allocs/op
BenchmarkValidate/rsa=4096/fief-uncached   	  100	    900000 ns/op	    300000 cpu-ns/op	   70000 B/op	     198 allocs/op
BenchmarkValidate/rsa=4096/fief-uncached-2 	  100	    300000 ns/op	    330000 cpu-ns/op	   70000 B/op	     198 allocs/op
BenchmarkColdHTTP/rsa=4096/fiefhttp       	  100	    200000 ns/op	    125000 cpu-ns/op	   23000 B/op	      58 allocs/op
BenchmarkColdHTTP/rsa=4096/fiefhttp-2     	  100	    200000 ns/op	    125000 cpu-ns/op	   23000 B/op	      58 allocs/op
BenchmarkColdHTTP/rsa=4096/go-oidc        	  100	    400000 ns/op	    312500 cpu-ns/op	   87000 B/op	     279 allocs/op
BenchmarkColdHTTP/rsa=4096/go-oidc-2      	  100	    400000 ns/op	    250000 cpu-ns/op	   87000 B/op	     279 allocs/op
BenchmarkMiddleware/rsa=2048/fiefhttp-cached   	  100	      5000 ns/op	      4000 cpu-ns/op	    7986 B/op	      26 allocs/op
BenchmarkMiddleware/rsa=2048/fiefhttp-cached-2 	  100	      5000 ns/op	      4000 cpu-ns/op	    7986 B/op	      26 allocs/op
BenchmarkSession/rsa=2048/sealed               	  100	      6000 ns/op	      4800 cpu-ns/op	    8459 B/op	      26 allocs/op
BenchmarkSession/rsa=2048/sealed-2             	  100	      7000 ns/op	      6000 cpu-ns/op	    8459 B/op	      27 allocs/op
PASS
=== RUN   TestConcurrentFirstRequests
--- PASS: TestConcurrentFirstRequests (0.69s)
    --- PASS: TestConcurrentFirstRequests/cold_client (0.20s)
    memory_test.go:57: rsa=2048: 1295 bytes per entry for tokens of 814 bytes (499 entries)
--- FAIL: TestCacheMemoryPerEntry (1.00s)
`

func TestParse(t *testing.T) {
	r, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.benches) != 20 {
		t.Fatalf("%d benchmarks, want 20 (10 names at 2 procs)", len(r.benches))
	}
	limit := r.find("Validate/rsa=2048/limit", 1)
	if limit == nil || median(limit.ns) != 32000 || spread(limit.ns) != 0.125 {
		t.Fatalf("limit at procs 1: %+v, want median 32000 and spread 0.125", limit)
	}
	uncached := r.find("Validate/rsa=2048/fief-uncached", 1)
	if got := r.ratioToLimit(uncached); got != 38000.0/32000 {
		t.Errorf("ratio of fief-uncached = %v, want %v", got, 38000.0/32000)
	}
	// With CPU time measured, ratios use it rather than wall time.
	uncached4096 := r.find("Validate/rsa=4096/fief-uncached", 1)
	if got := r.ratioToLimit(uncached4096); got != 300000.0/290000 {
		t.Errorf("ratio of fief-uncached at 4096 = %v, want the CPU times' %v", got, 300000.0/290000)
	}
	if !r.tests["TestConcurrentFirstRequests"] || !r.tests["TestConcurrentFirstRequests/cold_client"] || r.tests["TestCacheMemoryPerEntry"] {
		t.Errorf("tests = %v", r.tests)
	}
	if len(r.notes) != 1 || !strings.HasPrefix(r.notes[0], "rsa=2048: 1295 bytes per entry") {
		t.Errorf("notes = %q", r.notes)
	}
}

func TestOrdered(t *testing.T) {
	r := &results{}
	for _, name := range []string{"Callback/rsa=2048/x", "Middleware/rsa=2048/bare", "Other/a", "Validate/rsa=2048/limit", "Validate/rsa=2048/go-jose", "ValidateParallel/rsa=2048/limit"} {
		r.benches = append(r.benches, &bench{name: name, procs: 1})
	}
	var got []string
	for _, b := range r.ordered() {
		got = append(got, b.name)
	}
	want := []string{"Validate/rsa=2048/limit", "Validate/rsa=2048/go-jose", "ValidateParallel/rsa=2048/limit", "Middleware/rsa=2048/bare", "Callback/rsa=2048/x", "Other/a"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestCheckTargets(t *testing.T) {
	r, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	r.openssl = 200000
	got := make(map[string]check)
	for _, c := range checkTargets(r) {
		got[c.target] = c
	}
	tests := []struct {
		target  string
		pass    bool
		figures string
	}{
		// 38000/32000 at procs 1 but 48000/32000 at procs 2.
		{"uncached validation at most 1.3× crypto/rsa's bare RS256 verification (the limit row), RSA-2048", false, "1.19× (procs 1); 1.50× (procs 2)"},
		// CPU time: 300000/290000 at procs 1, 330000/290000 at procs 2.
		{"uncached validation at most 0.45× crypto/rsa's bare RS256 verification (the limit row), RSA-4096", false, "1.03× (procs 1); 1.14× (procs 2)"},
		{"uncached validation at most 0.45× go-oidc's, RSA-4096", false, "not measured (procs 1); not measured (procs 2)"},
		// CPU time: 300000 and 330000 against OpenSSL's 200000.
		{"uncached validation at most 1.5× OpenSSL's bare RSA-4096 verification (openssl speed, CPU time, same run), RSA-4096", false, "1.50× (300,000 ns against 200,000 ns) (procs 1); 1.65× (330,000 ns against 200,000 ns) (procs 2)"},
		{"a signed-in page at most 1.25× a cached bearer request (Session/…/sealed against Middleware/…/fiefhttp-cached), RSA-2048", false, "1.20× (4,800 ns against 4,000 ns; 26 against 26 allocations) (procs 1); 1.50× (6,000 ns against 4,000 ns; 27 against 26 allocations) (procs 2)"},
		{"a signed-in page at most 1.25× a cached bearer request (Session/…/server-memory against Middleware/…/fiefhttp-cached), RSA-2048", false, "not measured (procs 1); not measured (procs 2)"},
		{"cold HTTP path (each request a new token): fiefhttp at least 2.2× go-oidc's requests per CPU second, RSA-4096", false, "2.50× (8,000 against 3,200 requests per CPU second) (procs 1); 2.00× (8,000 against 4,000 requests per CPU second) (procs 2)"},
		{"middleware overhead on the cached path at most 2× the unauthenticated path, Middleware, RSA-2048 token", false, "not measured (procs 1); not measured (procs 2)"},
		// 160× at procs 1 but 80× at procs 2: the target fails.
		{"cached validation at least 100× faster than the bare RSA-2048 verification, at most 1 allocation, RSA-2048 token", false, "160× faster, 1 alloc (procs 1); 80× faster, 1 alloc (procs 2)"},
		{"uncached validation not slower than go-oidc, RSA-2048", false, "0.76× go-oidc's time (procs 1); 1.20× go-oidc's time (procs 2)"},
		{"1,000 concurrent first requests with a new kid (TestConcurrentFirstRequests)", true, "exactly one discovery fetch and one key set fetch, cold and after a rotation"},
	}
	for _, tt := range tests {
		c, ok := got[tt.target]
		if !ok {
			t.Errorf("no check of %q", tt.target)
			continue
		}
		if c.figures != tt.figures {
			t.Errorf("%s: figures %q, want %q", tt.target, c.figures, tt.figures)
		}
		if c.pass != tt.pass {
			t.Errorf("%s: pass = %v, want %v", tt.target, c.pass, tt.pass)
		}
	}
}
