package main

import (
	"fmt"
	"strings"
)

// check is the verdict on one performance target.
type check struct {
	target  string
	pass    bool
	figures string
}

// checkTargets checks the performance targets at every procs
// value measured; a target whose benchmarks are missing fails.
func checkTargets(r *results) []check {
	var out []check
	med := func(name string, procs int) (float64, bool) {
		b := r.find(name, procs)
		if b == nil || len(b.cost()) == 0 {
			return 0, false
		}
		return median(b.cost()), true
	}
	allocs := func(name string, procs int) float64 {
		if b := r.find(name, procs); b != nil {
			return median(b.allocs)
		}
		return -1
	}
	// each runs f at every procs and joins the figures into one check.
	each := func(target string, f func(procs int) (bool, string)) {
		c := check{target: target, pass: true}
		var figs []string
		for _, p := range r.procs() {
			ok, fig := f(p)
			c.pass = c.pass && ok
			figs = append(figs, fmt.Sprintf("%s (procs %d)", fig, p))
		}
		if len(figs) == 0 {
			c.pass, figs = false, []string{"not measured"}
		}
		c.figures = strings.Join(figs, "; ")
		out = append(out, c)
	}

	for _, t := range []struct {
		bits string
		max  float64
	}{{"4096", 0.45}, {"2048", 1.3}} {
		each(fmt.Sprintf("uncached validation at most %g× crypto/rsa's bare RS256 verification (the limit row), RSA-%s", t.max, t.bits), func(p int) (bool, string) {
			u, ok1 := med("Validate/rsa="+t.bits+"/fief-uncached", p)
			l, ok2 := med("Validate/rsa="+t.bits+"/limit", p)
			if !ok1 || !ok2 {
				return false, "not measured"
			}
			return u/l <= t.max, fmt.Sprintf("%.2f×", u/l)
		})
	}
	each("uncached validation at most 1.5× OpenSSL's bare RSA-4096 verification (openssl speed, CPU time, same run), RSA-4096", func(p int) (bool, string) {
		u, ok := med("Validate/rsa=4096/fief-uncached", p)
		if !ok || r.openssl <= 0 {
			return false, "not measured"
		}
		return u/r.openssl <= 1.5, fmt.Sprintf("%.2f× (%s ns against %s ns)", u/r.openssl, formatNs(u), formatNs(r.openssl))
	})
	for _, bits := range []string{"2048", "4096"} {
		for _, st := range []string{"access-token", "sealed", "server-memory"} {
			each(fmt.Sprintf("a signed-in page at most 1.25× a cached bearer request (Session/…/%s against Middleware/…/fiefhttp-cached), RSA-%s", st, bits), func(p int) (bool, string) {
				s, ok1 := med("Session/rsa="+bits+"/"+st, p)
				m, ok2 := med("Middleware/rsa="+bits+"/fiefhttp-cached", p)
				if !ok1 || !ok2 {
					return false, "not measured"
				}
				return s/m <= 1.25, fmt.Sprintf("%.2f× (%s ns against %s ns; %.0f against %.0f allocations)", s/m, formatNs(s), formatNs(m),
					allocs("Session/rsa="+bits+"/"+st, p), allocs("Middleware/rsa="+bits+"/fiefhttp-cached", p))
			})
		}
	}
	for _, peer := range []string{"go-oidc", "golang-jwt"} {
		each("uncached validation at most 0.45× "+peer+"'s, RSA-4096", func(p int) (bool, string) {
			u, ok1 := med("Validate/rsa=4096/fief-uncached", p)
			o, ok2 := med("Validate/rsa=4096/"+peer, p)
			if !ok1 || !ok2 {
				return false, "not measured"
			}
			return u/o <= 0.45, fmt.Sprintf("%.2f× %s's time", u/o, peer)
		})
	}
	each("cold HTTP path (each request a new token): fiefhttp at least 2.2× go-oidc's requests per CPU second, RSA-4096", func(p int) (bool, string) {
		f, ok1 := med("ColdHTTP/rsa=4096/fiefhttp", p)
		o, ok2 := med("ColdHTTP/rsa=4096/go-oidc", p)
		if !ok1 || !ok2 {
			return false, "not measured"
		}
		return o/f >= 2.2, fmt.Sprintf("%.2f× (%s against %s requests per CPU second)", o/f, formatInt(1e9/f), formatInt(1e9/o))
	})
	for _, bits := range []string{"2048", "4096"} {
		each("cached validation at least 100× faster than the bare RSA-2048 verification, at most 1 allocation, RSA-"+bits+" token", func(p int) (bool, string) {
			c, ok1 := med("Validate/rsa="+bits+"/fief-cached", p)
			l, ok2 := med("Validate/rsa=2048/limit", p)
			if !ok1 || !ok2 {
				return false, "not measured"
			}
			a := allocs("Validate/rsa="+bits+"/fief-cached", p)
			return l/c >= 100 && a <= 1, fmt.Sprintf("%.0f× faster, %.0f alloc", l/c, a)
		})
	}
	for _, group := range []string{"Middleware", "MiddlewareReusedRequest"} {
		for _, bits := range []string{"2048", "4096"} {
			each(fmt.Sprintf("middleware overhead on the cached path at most 2× the unauthenticated path, %s, RSA-%s token", group, bits), func(p int) (bool, string) {
				c, ok1 := med(group+"/rsa="+bits+"/fiefhttp-cached", p)
				b, ok2 := med(group+"/rsa="+bits+"/bare", p)
				if !ok1 || !ok2 {
					return false, "not measured"
				}
				return (c-b)/b <= 2, fmt.Sprintf("overhead %.2f× (%s ns over %s ns; total %.2f×)", (c-b)/b, formatNs(c-b), formatNs(b), c/b)
			})
		}
	}
	for _, bits := range []string{"2048", "4096"} {
		each("uncached validation not slower than go-oidc, RSA-"+bits, func(p int) (bool, string) {
			u, ok1 := med("Validate/rsa="+bits+"/fief-uncached", p)
			o, ok2 := med("Validate/rsa="+bits+"/go-oidc", p)
			if !ok1 || !ok2 {
				return false, "not measured"
			}
			return u <= o, fmt.Sprintf("%.2f× go-oidc's time", u/o)
		})
	}
	const concurrent = "TestConcurrentFirstRequests"
	passed, ran := r.tests[concurrent]
	fig := "not run"
	if ran {
		fig = "exactly one discovery fetch and one key set fetch, cold and after a rotation"
		if !passed {
			fig = "the counts differ (see the test's output)"
		}
	}
	out = append(out, check{"1,000 concurrent first requests with a new kid (" + concurrent + ")", ran && passed, fig})
	return out
}
