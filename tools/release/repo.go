package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// rootPath is the module path of the repository's root module.
const rootPath = "github.com/fief-dev/fief-go"

// released lists the directories of the modules users install, the root
// first. Each nested one is tagged with its directory as prefix
// (fiefgin/v0.1.0). Every other go.mod of the repository must be listed in
// unreleased, so that a new module is a decision, not an accident.
var released = []string{"", "fiefgin", "fiefecho", "fiefgrpc", "fiefconnect", "fiefredis"}

// unreleasedModules lists the modules that are never published: benchmarks, browser
// tests, conformance tests and this tool.
var unreleasedModules = []string{"bench", "e2e", "docs", "tools/release", "conformance/js"}

// modulePath returns the module path of the module in dir ("" = root).
func modulePath(dir string) string {
	if dir == "" {
		return rootPath
	}
	return rootPath + "/" + dir
}

// tagName returns the git tag of a module's version.
func tagName(dir, version string) string {
	if dir == "" {
		return version
	}
	return dir + "/" + version
}

// repo is a git work tree.
type repo struct{ dir string }

// git runs git in the repository and returns its trimmed standard output.
func (r repo) git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// clean reports an error naming the changed files when the work tree has
// uncommitted changes or untracked files.
func (r repo) clean() error {
	st, err := r.git("status", "--porcelain")
	if err != nil {
		return err
	}
	if st != "" {
		lines := strings.Split(st, "\n")
		if len(lines) > 5 {
			lines = append(lines[:5], "...")
		}
		return fmt.Errorf("the work tree has uncommitted changes; commit or stash them first:\n  %s", strings.Join(lines, "\n  "))
	}
	return nil
}

// clone makes a throwaway clone of rev in a new directory under tmp, sharing
// the repository's objects (no network).
func (r repo) clone(tmp, rev string) (repo, error) {
	dir := filepath.Join(tmp, "clone")
	if _, err := r.git("clone", "-q", "--shared", "--no-checkout", r.dir, dir); err != nil {
		return repo{}, err
	}
	c := repo{dir}
	sha, err := r.git("rev-parse", "--verify", rev+"^{commit}")
	if err != nil {
		return repo{}, err
	}
	if _, err := c.git("checkout", "-q", "-B", "release-check", sha); err != nil {
		return repo{}, err
	}
	// The clone copies no tags unless asked; the checks compare with them.
	tags, err := r.git("tag", "--list")
	if err != nil {
		return repo{}, err
	}
	for _, t := range strings.Fields(tags) {
		if _, err := c.git("fetch", "-q", r.dir, "refs/tags/"+t+":refs/tags/"+t); err != nil {
			return repo{}, err
		}
	}
	for _, kv := range [][2]string{{"user.name", "fief-go release"}, {"user.email", "release@localhost"}} {
		if _, err := c.git("config", kv[0], kv[1]); err != nil {
			return repo{}, err
		}
	}
	return c, nil
}

// tags returns the release versions tagged for the module in dir, in
// increasing order.
func (r repo) tags(dir string) ([]string, error) {
	prefix := tagName(dir, "")
	out, err := r.git("tag", "--list", prefix+"v*")
	if err != nil {
		return nil, err
	}
	var vs []string
	for _, t := range strings.Fields(out) {
		v := strings.TrimPrefix(t, prefix)
		if semver.IsValid(v) && semver.Canonical(v) == v && !strings.Contains(v, "/") {
			vs = append(vs, v)
		}
	}
	semver.Sort(vs)
	return vs, nil
}

// latest returns the highest tagged version of the module in dir, or "".
func (r repo) latest(dir string) (string, error) {
	vs, err := r.tags(dir)
	if err != nil || len(vs) == 0 {
		return "", err
	}
	return vs[len(vs)-1], nil
}

// commit returns the full hash and the commit time of rev.
func (r repo) commit(rev string) (string, time.Time, error) {
	out, err := r.git("show", "-s", "--format=%H %ct", rev+"^{commit}")
	if err != nil {
		return "", time.Time{}, err
	}
	sha, ts, _ := strings.Cut(out, " ")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("commit time of %s: %v", rev, err)
	}
	return sha, time.Unix(sec, 0).UTC(), nil
}

// pseudoVersion returns the pseudo-version the Go proxy gives rev of the root
// module: based on the latest root tag, if any.
func (r repo) pseudoVersion(rev string) (string, error) {
	sha, t, err := r.commit(rev)
	if err != nil {
		return "", err
	}
	older, err := r.latest("")
	if err != nil {
		return "", err
	}
	return module.PseudoVersion("v0", older, t, sha[:12]), nil
}

// checkModules reports an error if a go.mod of the repository is neither in
// released nor in unreleased, or requires one of fief-go's modules at a
// placeholder version.
func checkModules(root string) error {
	var stray, placeholders []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.Name() != "go.mod" || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		rel = filepath.ToSlash(rel)
		if rel == "." {
			rel = ""
		}
		if !slices.Contains(released, rel) && !slices.Contains(unreleasedModules, rel) {
			stray = append(stray, path.Join(rel, "go.mod"))
		}
		f, err := readModFile(root, rel)
		if err != nil {
			return err
		}
		for _, r := range f.Require {
			if (r.Mod.Path == rootPath || strings.HasPrefix(r.Mod.Path, rootPath+"/")) && isPlaceholder(r.Mod.Version) {
				placeholders = append(placeholders, fmt.Sprintf("%s requires %s@%s", path.Join(rel, "go.mod"), r.Mod.Path, r.Mod.Version))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(stray) > 0 {
		return fmt.Errorf("%s: not listed as released or unreleased in tools/release/repo.go", strings.Join(stray, ", "))
	}
	if len(placeholders) > 0 {
		return fmt.Errorf("placeholder requirements, which no proxy serves (require the version being prepared or a released one; the replace keeps development working):\n  %s", strings.Join(placeholders, "\n  "))
	}
	return nil
}

// isPlaceholder reports whether v is a pseudo-version of no commit, such as
// the v0.0.0-00010101000000-000000000000 that "go mod edit -replace" leaves.
func isPlaceholder(v string) bool {
	if !module.IsPseudoVersion(v) {
		return false
	}
	rev, err := module.PseudoVersionRev(v)
	return err == nil && strings.Trim(rev, "0") == ""
}

// rootRequirement returns the version of the root module that the go.mod in
// dir requires ("" if none).
func rootRequirement(root, dir string) (string, error) {
	f, err := readModFile(root, dir)
	if err != nil {
		return "", err
	}
	for _, r := range f.Require {
		if r.Mod.Path == rootPath {
			return r.Mod.Version, nil
		}
	}
	return "", nil
}

func readModFile(root, dir string) (*modfile.File, error) {
	name := filepath.Join(root, dir, "go.mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return modfile.Parse(name, data, nil)
}

// setRootRequirement makes the go.mod in dir require the root module (and
// the other fief-go modules it requires) at version; it reports whether the
// file changed.
func setRootRequirement(root, dir, version string) (bool, error) {
	f, err := readModFile(root, dir)
	if err != nil {
		return false, err
	}
	changed := false
	for _, r := range f.Require {
		p := r.Mod.Path
		if (p == rootPath || strings.HasPrefix(p, rootPath+"/")) && r.Mod.Version != version {
			if err := f.AddRequire(p, version); err != nil {
				return false, err
			}
			changed = true
		}
	}
	if !changed {
		return false, nil
	}
	f.Cleanup()
	data, err := f.Format()
	if err != nil {
		return false, err
	}
	return true, os.WriteFile(filepath.Join(root, dir, "go.mod"), data, 0o644)
}
