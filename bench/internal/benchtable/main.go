// Command benchtable reads the output of the bench module's benchmarks and
// tests (go test -bench ... and go test -v ...) on its standard input and
// prints it as markdown: a table of the benchmarks with the median of the
// -count runs, their spread and the ratio to the limit of the same key size,
// then the check of each performance target of the project against these
// figures.
//
// It is run by bench/run.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	res, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	render(w, res)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}
