package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// placeholder is the version "go mod edit -replace" development leaves in a
// nested module's go.mod: no proxy serves it.
const placeholder = "v0.0.0-00010101000000-000000000000"

// fixture makes a small repository shaped like fief-go: a root module and a
// nested fiefgin module that requires the root at rootVersion, with a replace
// for development.
func fixture(t *testing.T, rootVersion string) repo {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":         "module " + rootPath + "\n\ngo 1.25.0\n",
		"fief.go":        "// Package fief greets.\npackage fief\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n",
		"cmd/hi/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n",
		"fiefgin/go.mod": "module " + rootPath + "/fiefgin\n\ngo 1.25.0\n\nrequire " + rootPath + " " + rootVersion + "\n\nreplace " + rootPath + " => ../\n",
		"fiefgin/gin.go": "// Package fiefgin greets too.\npackage fiefgin\n\nimport fief \"" + rootPath + "\"\n\n// Hello greets.\nfunc Hello() string { return fief.Hello() + \" gin\" }\n",
		"CHANGELOG.md":   "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- `fief.Hello`.\n",
	}
	for name, body := range files {
		writeFile(t, filepath.Join(dir, name), body)
	}
	r := repo{dir}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "user.name", "test"},
		{"config", "user.email", "test@localhost"},
		{"add", "-A"},
		{"commit", "-q", "-m", "first"},
	} {
		if _, err := r.git(args...); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commitAll(t *testing.T, r repo, msg string) {
	t.Helper()
	if _, err := r.git("add", "-A"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.git("commit", "-q", "-m", msg); err != nil {
		t.Fatal(err)
	}
}

// fixturePrograms are the fixture's consumer programs.
var fixturePrograms = fstest.MapFS{
	"root/main.go":    {Data: []byte("package main\n\nimport fief \"" + rootPath + "\"\n\nfunc main() { println(fief.Hello()) }\n")},
	"fiefgin/main.go": {Data: []byte("package main\n\nimport \"" + rootPath + "/fiefgin\"\n\nfunc main() { println(fiefgin.Hello()) }\n")},
}

func fixtureChecker(r repo, log *bytes.Buffer) checker {
	return checker{repo: r, modules: []string{"", "fiefgin"}, programs: fixturePrograms, log: log}
}

// A nested module requiring the root at the placeholder cannot be installed
// alone: the check fails as "go get" fails for a user.
func TestCheckFailsOnPlaceholderRequirement(t *testing.T) {
	r := fixture(t, placeholder)
	var log bytes.Buffer
	err := fixtureChecker(r, &log).check("HEAD")
	if err == nil {
		t.Fatalf("check passed with a placeholder requirement:\n%s", log.String())
	}
	if !strings.Contains(err.Error(), rootPath+"/fiefgin") || strings.Contains(err.Error(), rootPath+",") {
		t.Errorf("error = %v, want fiefgin (alone) named", err)
	}
	if !strings.Contains(log.String(), placeholder) {
		t.Errorf("log does not show go's complaint about %s:\n%s", placeholder, log.String())
	}
}

// Requiring the version being prepared works: the check publishes the root
// at it from the tree, as the release will.
func TestCheckPassesWithReleaseRequirement(t *testing.T) {
	r := fixture(t, "v0.1.0")
	var log bytes.Buffer
	if err := fixtureChecker(r, &log).check("HEAD"); err != nil {
		t.Fatalf("check: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "every module installs alone") {
		t.Errorf("log:\n%s", log.String())
	}
}

// A module whose consumer does not build fails the check (the check is not
// a formality).
func TestCheckFailsWhenAProgramDoesNotBuild(t *testing.T) {
	r := fixture(t, "v0.1.0")
	var log bytes.Buffer
	c := fixtureChecker(r, &log)
	c.programs = fstest.MapFS{
		"root/main.go":    fixturePrograms["root/main.go"],
		"fiefgin/main.go": {Data: []byte("package main\n\nimport \"" + rootPath + "/fiefgin\"\n\nfunc main() { println(fiefgin.Goodbye()) }\n")},
	}
	if err := c.check("HEAD"); err == nil || !strings.Contains(log.String(), "undefined: fiefgin.Goodbye") {
		t.Fatalf("check = %v, want a build failure:\n%s", err, log.String())
	}
}

func fixtureReleaser(r repo, version string, dryRun bool, log *bytes.Buffer) releaser {
	return releaser{repo: r, version: version, date: "2026-12-07", dryRun: dryRun, log: log,
		modules: []string{"", "fiefgin"}, programs: fixturePrograms}
}

func TestReleaseDryRunLeavesTheRepositoryUntouched(t *testing.T) {
	r := fixture(t, "v0.1.0")
	head, _ := r.git("rev-parse", "HEAD")
	var log bytes.Buffer
	if err := fixtureReleaser(r, "v0.1.0", true, &log).run(); err != nil {
		t.Fatalf("dry run: %v\n%s", err, log.String())
	}
	if h, _ := r.git("rev-parse", "HEAD"); h != head {
		t.Errorf("HEAD moved: %s → %s", head, h)
	}
	if tags, _ := r.git("tag", "--list"); tags != "" {
		t.Errorf("tags made in the repository: %q", tags)
	}
	if st, _ := r.git("status", "--porcelain"); st != "" {
		t.Errorf("work tree changed: %q", st)
	}
	for _, want := range []string{"dry run: tagged v0.1.0 fiefgin/v0.1.0", "every module installs alone at v0.1.0"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}

func TestReleaseCommitsAndTags(t *testing.T) {
	r := fixture(t, "v0.0.9") // the requirement the release commit must move
	var log bytes.Buffer
	if err := fixtureReleaser(r, "v0.1.0", false, &log).run(); err != nil {
		t.Fatalf("release: %v\n%s", err, log.String())
	}
	if msg, _ := r.git("log", "-1", "--format=%s"); msg != "Release v0.1.0" {
		t.Errorf("last commit %q", msg)
	}
	if n, _ := r.git("rev-list", "--count", "HEAD"); n != "2" {
		t.Errorf("%s commits, want one release commit on top", n)
	}
	changelog, _ := os.ReadFile(filepath.Join(r.dir, changelogName))
	if !strings.Contains(string(changelog), "## [Unreleased]\n\n## [0.1.0] - 2026-12-07\n\n### Added\n\n- `fief.Hello`.") {
		t.Errorf("CHANGELOG.md:\n%s", changelog)
	}
	if v, err := rootRequirement(r.dir, "fiefgin"); err != nil || v != "v0.1.0" {
		t.Errorf("fiefgin requires the root at %q, %v", v, err)
	}
	for _, tag := range []string{"v0.1.0", "fiefgin/v0.1.0"} {
		typ, err := r.git("cat-file", "-t", tag)
		if err != nil || typ != "tag" {
			t.Errorf("%s: %q, %v (want an annotated tag)", tag, typ, err)
		}
		if c, _ := r.git("rev-parse", tag+"^{commit}"); c != mustGit(t, r, "rev-parse", "HEAD") {
			t.Errorf("%s is not on the release commit", tag)
		}
	}
	if !strings.Contains(log.String(), "git push origin main v0.1.0 fiefgin/v0.1.0") {
		t.Errorf("no push command printed:\n%s", log.String())
	}
	// The next release must be above it, and the changelog must say something.
	if err := fixtureReleaser(r, "v0.1.0", true, &log).run(); err == nil {
		t.Error("releasing v0.1.0 twice was accepted")
	}
	if err := fixtureReleaser(r, "v0.1.1", true, &log).run(); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("release with an empty Unreleased section: %v", err)
	}
}

func mustGit(t *testing.T, r repo, args ...string) string {
	t.Helper()
	out, err := r.git(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReleaseRefuses(t *testing.T) {
	for _, v := range []string{"0.1.0", "v0.1", "v0.1.0+build", "v2.0.0", "v0.0.0-20260101000000-abcdefabcdef", "latest", ""} {
		if err := validVersion(v); err == nil {
			t.Errorf("version %q accepted", v)
		}
	}
	for _, v := range []string{"v0.1.0", "v1.2.3", "v0.2.0-rc.1"} {
		if err := validVersion(v); err != nil {
			t.Errorf("version %q refused: %v", v, err)
		}
	}

	r := fixture(t, "v0.1.0")
	var log bytes.Buffer
	writeFile(t, filepath.Join(r.dir, "fief.go"), "package fief\n")
	if err := fixtureReleaser(r, "v0.1.0", true, &log).run(); err == nil || !strings.Contains(err.Error(), "uncommitted") {
		t.Errorf("dirty tree: %v", err)
	}
	mustGit(t, r, "checkout", "-q", "--", ".")
	writeFile(t, filepath.Join(r.dir, changelogName), "# Changelog\n\n## [Unreleased]\n\n## [0.0.1] - 2026-01-01\n\n- old\n")
	commitAll(t, r, "empty unreleased")
	if err := fixtureReleaser(r, "v0.1.0", true, &log).run(); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty Unreleased: %v", err)
	}
}

// After a tag, an incompatible change fails the API check unless the
// CHANGELOG's Changed/Removed entries or the allow-list name it.
func TestAPICheck(t *testing.T) {
	r := fixture(t, "v0.1.0")
	var log bytes.Buffer
	modules := []string{"", "fiefgin"}
	if err := apiCheck(r, modules, &log); err != nil || !strings.Contains(log.String(), "no release tag yet: nothing to compare") {
		t.Fatalf("before any tag: %v\n%s", err, log.String())
	}
	mustGit(t, r, "tag", "-a", "v0.1.0", "-m", "v0.1.0")
	mustGit(t, r, "tag", "-a", "fiefgin/v0.1.0", "-m", "fiefgin v0.1.0")

	// A compatible addition passes.
	writeFile(t, filepath.Join(r.dir, "more.go"), "package fief\n\n// More is new.\nfunc More() {}\n")
	log.Reset()
	if err := apiCheck(r, modules, &log); err != nil {
		t.Fatalf("compatible addition: %v\n%s", err, log.String())
	}

	// A removal fails, naming the identifier.
	writeFile(t, filepath.Join(r.dir, "fief.go"), "package fief\n")
	writeFile(t, filepath.Join(r.dir, "fiefgin/gin.go"), "package fiefgin\n")
	log.Reset()
	err := apiCheck(r, modules, &log)
	if err == nil || !strings.Contains(err.Error(), "fief.Hello: removed") {
		t.Fatalf("removal: %v\n%s", err, log.String())
	}

	// Named in the CHANGELOG (root) and in the allow-list (fiefgin): passes.
	writeFile(t, filepath.Join(r.dir, changelogName), "# Changelog\n\n## [Unreleased]\n\n### Removed\n\n- `fief.Hello`: use `fief.More`.\n\n## [0.1.0] - 2026-01-01\n")
	writeFile(t, filepath.Join(r.dir, allowName), "# accepted\nfiefgin.Hello  # nobody used it\n")
	log.Reset()
	if err := apiCheck(r, modules, &log); err != nil {
		t.Fatalf("named removal: %v\n%s", err, log.String())
	}

	// Named under "Added" only does not count.
	writeFile(t, filepath.Join(r.dir, changelogName), "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- `fief.Hello` is gone.\n")
	if err := apiCheck(r, modules, &log); err == nil {
		t.Fatal("a removal named under Added passed")
	}
}

// Every go.mod of this repository is either released or listed as
// unreleased.
func TestEveryModuleIsListed(t *testing.T) {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkModules(strings.TrimSpace(string(top))); err != nil {
		t.Fatal(err)
	}
	r := fixture(t, "v0.1.0")
	writeFile(t, filepath.Join(r.dir, "stray/go.mod"), "module x\n")
	if err := checkModules(r.dir); err == nil || !strings.Contains(err.Error(), "stray/go.mod") {
		t.Errorf("stray module: %v", err)
	}

	// A placeholder requirement, even in a module that is never released.
	p := fixture(t, placeholder)
	writeFile(t, filepath.Join(p.dir, "docs/go.mod"), "module "+rootPath+"/docs\n\ngo 1.25.0\n\nrequire "+rootPath+"/fiefgin "+placeholder+"\n\nreplace "+rootPath+"/fiefgin => ../fiefgin\n")
	err = checkModules(p.dir)
	if err == nil || !strings.Contains(err.Error(), "fiefgin/go.mod requires "+rootPath+"@"+placeholder) || !strings.Contains(err.Error(), "docs/go.mod requires "+rootPath+"/fiefgin@"+placeholder) {
		t.Errorf("placeholder requirements: %v", err)
	}
}

func TestDocCheck(t *testing.T) {
	r := fixture(t, "v0.1.0")
	if missing, err := docCheck(r.dir, []string{"", "fiefgin"}); err != nil || len(missing) > 0 {
		t.Fatalf("documented fixture: %v, %v", missing, err)
	}
	writeFile(t, filepath.Join(r.dir, "more.go"), "package fief\n\ntype T struct{}\n\nfunc (T) M() {}\n\nfunc (T) Error() string { return \"\" }\n\nconst (\n\t// A is documented.\n\tA = 1\n\tB = 2\n)\n")
	writeFile(t, filepath.Join(r.dir, "internal/x/x.go"), "package x\n\nfunc Hidden() {}\n")
	missing, err := docCheck(r.dir, []string{"", "fiefgin"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".: B", ".: T", ".: T.M"}
	if !slices.Equal(missing, want) {
		t.Errorf("undocumented = %q, want %q", missing, want)
	}
}
