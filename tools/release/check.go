package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// cmdCheck publishes the committed tree at a pseudo-version, as the Go proxy
// would serve "go get github.com/fief-dev/fief-go/fiefgin@<commit>", and
// installs each released module alone from it.
func cmdCheck(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("repo", ".", "the repository")
	rev := fl.String("rev", "HEAD", "the commit to publish")
	keep := fl.Bool("keep", false, "keep the temporary proxy and modules (their directory is printed)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	r, err := openRepo(*dir)
	if err != nil {
		return err
	}
	if err := checkModules(r.dir); err != nil {
		return err
	}
	if st, _ := r.git("status", "--porcelain"); st != "" && *rev == "HEAD" {
		fmt.Fprintln(stdout, "note: the work tree has uncommitted changes; this checks the last commit only")
	}
	c := checker{repo: r, modules: released, programs: consumers, log: stdout, keep: *keep, fieftest: true}
	return c.check(*rev)
}

// openRepo finds the top of the git work tree holding dir.
func openRepo(dir string) (repo, error) {
	top, err := (repo{dir}).git("rev-parse", "--show-toplevel")
	if err != nil {
		return repo{}, fmt.Errorf("%s is not in a git work tree: %w", dir, err)
	}
	return repo{top}, nil
}

// checker publishes modules into a temporary proxy and consumes them.
type checker struct {
	repo     repo
	modules  []string // directories of the released modules, root ("") first
	programs fsys
	log      io.Writer
	keep     bool
	fieftest bool // also "go install" cmd/fieftest and run it
}

// check publishes the modules of rev at its pseudo-version and consumes them.
func (c checker) check(rev string) error {
	version, err := c.repo.pseudoVersion(rev)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.log, "publishing %s at %s (pseudo-version of %s)\n", strings.Join(c.names(), ", "), version, rev)
	s, err := c.sandbox()
	if err != nil {
		return err
	}
	defer c.done(s)
	// x/mod/zip reads commits from a plain clone (a linked work tree has
	// no .git directory).
	if c.repo, err = c.repo.clone(s.tmp, rev); err != nil {
		return err
	}
	rev = "HEAD"
	for _, dir := range c.modules {
		if err := s.proxy.publish(c.repo, rev, dir, version); err != nil {
			return err
		}
	}
	if err := c.publishRequiredRoots(s, rev, version); err != nil {
		return err
	}
	return c.consumeAll(s, version)
}

func (c checker) names() []string {
	var n []string
	for _, d := range c.modules {
		n = append(n, modulePath(d))
	}
	return n
}

func (c checker) sandbox() (sandbox, error) {
	tmp, err := os.MkdirTemp("", "fief-go-release-")
	if err != nil {
		return sandbox{}, err
	}
	if err := os.MkdirAll(tmp+"/proxy", 0o755); err != nil {
		return sandbox{}, err
	}
	return sandbox{tmp: tmp, proxy: proxy{tmp + "/proxy"}, log: c.log, programs: c.programs}, nil
}

func (c checker) done(s sandbox) {
	if c.keep {
		fmt.Fprintf(c.log, "kept %s (proxy: %s)\n", s.tmp, s.proxy.URL())
		return
	}
	s.cleanup()
}

// publishRequiredRoots publishes the root module at each version a nested
// module of rev requires, as far as a user could fetch it: a tagged version
// from its tag; the version being prepared (a release version above every
// tag, not tagged yet) from rev itself, as the release will publish it. A
// placeholder or a pseudo-version of no commit is left out: "go get" then
// fails exactly as it would for a user.
func (c checker) publishRequiredRoots(s sandbox, rev, published string) error {
	tags, err := c.repo.tags("")
	if err != nil {
		return err
	}
	done := map[string]bool{published: true}
	for _, dir := range c.modules[1:] {
		data, err := c.repo.git("show", rev+":"+dir+"/go.mod")
		if err != nil {
			return err
		}
		f, err := modfile.Parse(dir+"/go.mod", []byte(data), nil)
		if err != nil {
			return err
		}
		var req string
		for _, r := range f.Require {
			if r.Mod.Path == rootPath {
				req = r.Mod.Version
			}
		}
		switch {
		case req == "" || done[req]:
		case slices.Contains(tags, req):
			fmt.Fprintf(c.log, "%s requires %s@%s: published from its tag\n", modulePath(dir), rootPath, req)
			if err := s.proxy.publish(c.repo, tagName("", req), "", req); err != nil {
				return err
			}
		case !module.IsPseudoVersion(req) && semver.Compare(req, last(tags)) > 0:
			fmt.Fprintf(c.log, "%s requires %s@%s, the version being prepared (not tagged yet): published from this tree, as the release will\n", modulePath(dir), rootPath, req)
			if err := s.proxy.publish(c.repo, rev, "", req); err != nil {
				return err
			}
		default:
			fmt.Fprintf(c.log, "%s requires %s@%s, which no proxy can serve (no such tag or commit)\n", modulePath(dir), rootPath, req)
		}
		done[req] = true
	}
	return nil
}

func last(vs []string) string {
	if len(vs) == 0 {
		return "v0.0.0"
	}
	return vs[len(vs)-1]
}

// consumeAll installs each module alone in a fresh module, and cmd/fieftest.
// The modules are consumed side by side (the go command locks its module
// cache); each one's log is printed whole, in order.
func (c checker) consumeAll(s sandbox, version string) error {
	type result struct {
		log bytes.Buffer
		err error
	}
	results := make([]*result, len(c.modules))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	for i, dir := range c.modules {
		res := &result{}
		results[i] = res
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			own := s
			own.log = &res.log
			res.err = own.consume(dir, version)
		}()
	}
	wg.Wait()
	var failed []string
	for i, dir := range c.modules {
		fmt.Fprintf(c.log, "  %s@%s, alone in a fresh module:\n", modulePath(dir), version)
		c.log.Write(results[i].log.Bytes())
		if err := results[i].err; err != nil {
			fmt.Fprintf(c.log, "  FAIL %v\n", err)
			failed = append(failed, modulePath(dir))
			continue
		}
		fmt.Fprintf(c.log, "  ok\n")
	}
	if c.fieftest {
		fmt.Fprintf(c.log, "  go install %s/cmd/fieftest@%s:\n", rootPath, version)
		if err := s.installFieftest(version); err != nil {
			fmt.Fprintf(c.log, "  FAIL %v\n", err)
			failed = append(failed, "cmd/fieftest")
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("a user could not install %s at %s", strings.Join(failed, ", "), version)
	}
	fmt.Fprintf(c.log, "every module installs alone at %s\n", version)
	return nil
}
