// Command benchtable reads the output of the bench module's benchmarks and
// tests (go test -bench ... and go test -v ...) on its standard input and
// prints it as markdown: a table of the benchmarks with the median of the
// -count runs, their spread and the ratio to the limit of the same key size,
// then the check of each performance target of the project against these
// figures.
//
// It is run by bench/run, which passes OpenSSL's RSA-4096 verification
// time of the same run with -openssl-ns, for the target against it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
)

func main() {
	openssl := flag.Float64("openssl-ns", 0, "OpenSSL's RSA-4096 verification time in the same run, CPU ns (0: not measured)")
	flag.Parse()
	res, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	res.openssl = *openssl
	w := bufio.NewWriter(os.Stdout)
	render(w, res)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}
