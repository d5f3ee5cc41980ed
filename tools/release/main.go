// Command release publishes fief-go's modules the way users receive them, and
// checks that each one installs alone in a fresh module outside the
// repository. It is run through the repository's scripts:
//
//	.ci/release [-dry-run] VERSION   make the release commit and its tags
//	.ci/check-modules                 the same publish-and-consume check on the
//	                                  committed tree, at a pseudo-version, and
//	                                  the API compatibility check (CI runs it)
//
// Every module is published with golang.org/x/mod/zip from a git commit into a
// file-system module proxy (the .zip, .mod and .info files and the list a
// proxy serves), then fetched from it with "go get" by programs that use each
// module's main entry points, with GOPROXY pointing at that proxy first, the
// checksum database off for fief-go's modules only (it cannot know these
// zips), and a throwaway module cache (so no local version lands in the
// developer's own).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "release:", err)
		}
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: release {release|check|api} [flags]")
		return flag.ErrHelp
	}
	switch args[0] {
	case "release":
		return cmdRelease(args[1:], stdout, stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "api":
		return cmdAPI(args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown command %q (want release, check or api)", args[0])
}
