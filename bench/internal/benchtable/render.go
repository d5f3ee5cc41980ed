package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// render prints the table of the benchmarks, the targets and the notes.
func render(w io.Writer, r *results) {
	fmt.Fprintln(w, "| benchmark | procs | wall ns/op | CPU ns/op | spread | B/op | allocs/op | vs limit |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, b := range r.ordered() {
		cpu := ""
		if len(b.cpuNs) > 0 {
			cpu = formatNs(median(b.cpuNs))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %.0f%% | %s | %s | %s |\n",
			b.name, b.procs, formatNs(median(b.ns)), cpu, 100*spread(b.cost()),
			formatInt(median(b.bytes)), formatInt(median(b.allocs)), formatRatio(r.ratioToLimit(b)))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Medians of the runs. CPU ns/op is the process's CPU time (all threads, the garbage collector")
	fmt.Fprintln(w, "included) per operation: on a shared machine it varies much less than wall time, so the")
	fmt.Fprintln(w, "spread ((max-min)/median), the ratios and the targets use it (wall time where it is not")
	fmt.Fprintln(w, "measured). \"vs limit\" divides by the limit of the same key size and procs (\"1/N\": N times")
	fmt.Fprintln(w, "faster than the limit).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Performance targets, checked against the medians above:")
	fmt.Fprintln(w)
	for _, c := range checkTargets(r) {
		status := "PASS"
		if !c.pass {
			status = "FAIL"
		}
		fmt.Fprintf(w, "- **%s** %s: %s\n", status, c.target, c.figures)
	}
	if len(r.notes) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Memory per verified-token cache entry (TestCacheMemoryPerEntry):")
		fmt.Fprintln(w)
		for _, n := range r.notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

// groupOrder is the order of the benchmark groups in the table; go test runs
// them in alphabetical order.
var groupOrder = []string{"Validate", "ValidateParallel", "Middleware", "MiddlewareReusedRequest", "ColdHTTP", "Callback"}

// ordered returns the benchmarks by group in groupOrder (others last), and
// in the order they ran within a group.
func (r *results) ordered() []*bench {
	rank := func(b *bench) int {
		group, _, _ := strings.Cut(b.name, "/")
		if i := slices.Index(groupOrder, group); i >= 0 {
			return i
		}
		return len(groupOrder)
	}
	out := slices.Clone(r.benches)
	slices.SortStableFunc(out, func(a, b *bench) int { return rank(a) - rank(b) })
	return out
}

// ratioToLimit returns the median ns/op of b over that of the limit of the
// same key size and procs, or NaN if there is none.
func (r *results) ratioToLimit(b *bench) float64 {
	bits := keySize(b.name)
	if bits == "" {
		return math.NaN()
	}
	limit := r.find("Validate/rsa="+bits+"/limit", b.procs)
	if limit == nil {
		return math.NaN()
	}
	if len(b.cpuNs) == 0 || len(limit.cpuNs) == 0 {
		return median(b.ns) / median(limit.ns) // like with like
	}
	return median(b.cpuNs) / median(limit.cpuNs)
}

// keySize returns the BITS of the "rsa=BITS" element of a benchmark name.
func keySize(name string) string {
	for _, part := range strings.Split(name, "/") {
		if bits, ok := strings.CutPrefix(part, "rsa="); ok {
			return bits
		}
	}
	return ""
}

func formatRatio(x float64) string {
	switch {
	case math.IsNaN(x):
		return ""
	case x < 0.1:
		return fmt.Sprintf("1/%.0f", 1/x)
	default:
		return fmt.Sprintf("%.2f×", x)
	}
}

func formatNs(x float64) string {
	if x < 1000 {
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return formatInt(x)
}

// formatInt rounds x and groups its digits by thousands: 1234567 is
// "1,234,567".
func formatInt(x float64) string {
	s := strconv.FormatInt(int64(math.Round(x)), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
