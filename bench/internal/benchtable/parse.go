package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// bench is one benchmark at one GOMAXPROCS, with the figures of each run.
type bench struct {
	name   string // without "Benchmark" and the -procs suffix: "Validate/rsa=2048/limit"
	procs  int
	ns     []float64 // wall time per op
	cpuNs  []float64 // process CPU time per op (the benchmarks' "cpu-ns/op" metric)
	bytes  []float64
	allocs []float64
}

// cost returns the figures the ratios and targets use: the CPU time per
// op when measured, else the wall time.
func (b *bench) cost() []float64 {
	if len(b.cpuNs) > 0 {
		return b.cpuNs
	}
	return b.ns
}

// results is what parse found in the output of go test.
type results struct {
	benches []*bench        // in order of first appearance
	tests   map[string]bool // test name (with subtests) -> passed
	notes   []string        // the measurements tests log ("... bytes per entry ...")
	openssl float64         // OpenSSL's RSA-4096 verification, CPU ns (0: not measured)
}

// find returns the benchmark of name at procs, or nil.
func (r *results) find(name string, procs int) *bench {
	for _, b := range r.benches {
		if b.name == name && b.procs == procs {
			return b
		}
	}
	return nil
}

// procs returns the GOMAXPROCS values of the benchmarks, in increasing order.
func (r *results) procs() []int {
	var out []int
	for _, b := range r.benches {
		if !slices.Contains(out, b.procs) {
			out = append(out, b.procs)
		}
	}
	slices.Sort(out)
	return out
}

// parse reads the output of go test -bench (with -benchmem) and of go test
// -v, in any order and mixed with other lines.
func parse(in io.Reader) (*results, error) {
	r := &results{tests: make(map[string]bool)}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		trimmed := strings.TrimSpace(text)
		switch {
		case strings.HasPrefix(text, "Benchmark"):
			if err := r.addBenchmark(text); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		case strings.HasPrefix(trimmed, "--- PASS: "), strings.HasPrefix(trimmed, "--- FAIL: "):
			name, _, _ := strings.Cut(trimmed[len("--- PASS: "):], " ")
			r.tests[name] = strings.HasPrefix(trimmed, "--- PASS: ")
		case strings.Contains(text, "bytes per entry"):
			if _, note, ok := strings.Cut(trimmed, ": "); ok && strings.HasPrefix(trimmed, "memory_test.go") {
				r.notes = append(r.notes, note)
			}
		}
	}
	return r, sc.Err()
}

// addBenchmark records a result line such as
// "BenchmarkValidate/rsa=2048/limit-2  35000  33000 ns/op  2112 B/op  11 allocs/op".
// A line without figures (a benchmark that printed something) is skipped.
func (r *results) addBenchmark(text string) error {
	f := strings.Fields(text)
	if len(f) < 4 || f[3] != "ns/op" {
		return nil
	}
	name, procs := splitProcs(strings.TrimPrefix(f[0], "Benchmark"))
	b := r.find(name, procs)
	if b == nil {
		b = &bench{name: name, procs: procs}
		r.benches = append(r.benches, b)
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", f[0], f[i])
		}
		switch f[i+1] {
		case "ns/op":
			b.ns = append(b.ns, v)
		case "cpu-ns/op":
			b.cpuNs = append(b.cpuNs, v)
		case "B/op":
			b.bytes = append(b.bytes, v)
		case "allocs/op":
			b.allocs = append(b.allocs, v)
		}
	}
	return nil
}

// splitProcs splits the "-N" suffix go test adds to a benchmark name when
// GOMAXPROCS is N > 1.
func splitProcs(name string) (string, int) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name, 1
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil || n < 1 {
		return name, 1
	}
	return name[:i], n
}

// median returns the median of v, 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread returns (max-min)/median of v, the noise of the runs.
func spread(v []float64) float64 {
	m := median(v)
	if m == 0 {
		return 0
	}
	return (slices.Max(v) - slices.Min(v)) / m
}
