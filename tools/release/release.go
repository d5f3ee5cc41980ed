package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// cmdRelease makes the release commit of a version, publishes every released
// module from it into a temporary proxy, installs each alone, and tags it.
func cmdRelease(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("release", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: .ci/release [-dry-run] VERSION    (e.g. .ci/release -dry-run v0.1.0)")
		fl.PrintDefaults()
	}
	dir := fl.String("repo", ".", "the repository")
	dryRun := fl.Bool("dry-run", false, "do everything in a temporary clone and leave the repository untouched")
	date := fl.String("date", time.Now().UTC().Format(time.DateOnly), "the release date written in CHANGELOG.md")
	keep := fl.Bool("keep", false, "keep the temporary clone, proxy and modules (their directory is printed)")
	// Flags may come before or after the version.
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return err
		}
		if fl.NArg() == 0 {
			break
		}
		pos = append(pos, fl.Arg(0))
		args = fl.Args()[1:]
	}
	if len(pos) != 1 {
		fl.Usage()
		return flag.ErrHelp
	}
	version := pos[0]
	r, err := openRepo(*dir)
	if err != nil {
		return err
	}
	rel := releaser{repo: r, version: version, date: *date, dryRun: *dryRun, keep: *keep, log: stdout,
		modules: released, programs: consumers, fieftest: true}
	return rel.run()
}

type releaser struct {
	repo     repo
	version  string
	date     string
	dryRun   bool
	keep     bool
	log      io.Writer
	modules  []string
	programs fsys
	fieftest bool
}

// validVersion refuses what is not a release version a Go module can have.
func validVersion(v string) error {
	if !semver.IsValid(v) || semver.Canonical(v) != v {
		return fmt.Errorf("%q is not a semantic version such as v0.1.0 (vMAJOR.MINOR.PATCH, optional -prerelease, no +build)", v)
	}
	if m := semver.Major(v); m != "v0" && m != "v1" {
		return fmt.Errorf("%s: a major version above v1 needs a /%s module path; these modules have none", v, m)
	}
	if module.IsPseudoVersion(v) {
		return fmt.Errorf("%s is a pseudo-version, not a release", v)
	}
	return nil
}

func (rel releaser) run() error {
	if err := validVersion(rel.version); err != nil {
		return err
	}
	if err := rel.repo.clean(); err != nil {
		return err
	}
	if err := checkModules(rel.repo.dir); err != nil {
		return err
	}
	for _, dir := range rel.modules {
		tags, err := rel.repo.tags(dir)
		if err != nil {
			return err
		}
		if slices.Contains(tags, rel.version) {
			return fmt.Errorf("%s is tagged already", tagName(dir, rel.version))
		}
		if semver.Compare(rel.version, last(tags)) <= 0 && len(tags) > 0 {
			return fmt.Errorf("%s is not above the last release of %s, %s", rel.version, modulePath(dir), last(tags))
		}
	}
	text, err := os.ReadFile(filepath.Join(rel.repo.dir, changelogName))
	if err != nil {
		return err
	}
	newText, err := releaseChangelog(string(text), rel.version, rel.date)
	if err != nil {
		return err
	}

	tmp, err := os.MkdirTemp("", "fief-go-release-")
	if err != nil {
		return err
	}
	c := checker{modules: rel.modules, programs: rel.programs, log: rel.log, keep: rel.keep, fieftest: rel.fieftest}
	s := sandbox{tmp: tmp, proxy: proxy{filepath.Join(tmp, "proxy")}, log: rel.log, programs: rel.programs}
	defer c.done(s)
	clone, err := rel.repo.clone(tmp, "HEAD")
	if err != nil {
		return err
	}
	c.repo = clone

	// The release commit, in the clone.
	if err := os.WriteFile(filepath.Join(clone.dir, changelogName), []byte(newText), 0o644); err != nil {
		return err
	}
	for _, dir := range append(slices.Clone(rel.modules[1:]), unreleasedModules...) {
		if _, err := os.Stat(filepath.Join(clone.dir, dir, "go.mod")); err != nil {
			continue
		}
		if _, err := setRootRequirement(clone.dir, dir, rel.version); err != nil {
			return fmt.Errorf("%s/go.mod: %w", dir, err)
		}
	}
	msg := "Release " + rel.version
	if _, err := clone.git("commit", "-q", "-a", "-m", msg); err != nil {
		return err
	}
	sha, _, err := clone.commit("HEAD")
	if err != nil {
		return err
	}
	fmt.Fprintf(rel.log, "release commit %s in a temporary clone: %s\n", sha[:12], msg)

	// Every exported name documented, and the API compared with each
	// module's last release.
	if err := reportDocs(clone.dir, rel.modules); err != nil {
		return err
	}
	if err := apiCheck(clone, rel.modules, rel.log); err != nil {
		return err
	}

	// Published from that commit, and installed alone.
	if err := os.MkdirAll(s.proxy.dir, 0o755); err != nil {
		return err
	}
	for _, dir := range rel.modules {
		if err := s.proxy.publish(clone, "HEAD", dir, rel.version); err != nil {
			return err
		}
	}
	if err := c.consumeAll(s, rel.version); err != nil {
		return err
	}

	// Tags.
	var tags []string
	for _, dir := range rel.modules {
		tags = append(tags, tagName(dir, rel.version))
	}
	target := clone
	if !rel.dryRun {
		branch, err := rel.repo.git("rev-parse", "--abbrev-ref", "HEAD")
		if err != nil {
			return err
		}
		if _, err := rel.repo.git("fetch", "-q", clone.dir, "release-check"); err != nil {
			return err
		}
		if _, err := rel.repo.git("merge", "-q", "--ff-only", "FETCH_HEAD"); err != nil {
			return err
		}
		target = rel.repo
		defer fmt.Fprintf(rel.log, "to publish: git push origin %s %s\n", branch, strings.Join(tags, " "))
	}
	for _, t := range tags {
		if _, err := target.git("tag", "-a", t, "-m", modulePathOfTag(t)+" "+rel.version, sha); err != nil {
			return err
		}
	}
	if rel.dryRun {
		fmt.Fprintf(rel.log, "dry run: tagged %s in the temporary clone; the repository is untouched\n", strings.Join(tags, " "))
	} else {
		fmt.Fprintf(rel.log, "tagged %s\n", strings.Join(tags, " "))
	}
	return nil
}

func modulePathOfTag(tag string) string {
	i := strings.LastIndex(tag, "/")
	if i < 0 {
		return rootPath
	}
	return modulePath(tag[:i])
}
