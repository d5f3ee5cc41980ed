package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go/types"

	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
)

// allowName lists, one per line, incompatible changes accepted without a
// CHANGELOG entry: "fiefhttp.Auth.Check  # why". Lines starting with # are
// comments.
const allowName = ".ci/api-allow.txt"

// cmdAPI compares each released module's exported API with its last tag.
func cmdAPI(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("api", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("repo", ".", "the repository")
	if err := fl.Parse(args); err != nil {
		return err
	}
	r, err := openRepo(*dir)
	if err != nil {
		return err
	}
	if err := reportDocs(r.dir, released); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "docs: every exported name of the released modules has a doc comment")
	return apiCheck(r, released, stdout)
}

// apiCheck compares the API of each module in the work tree of r with the
// module's last release tag, and fails on an incompatible change that
// CHANGELOG's Unreleased "Changed", "Removed" or "Deprecated" entries do not
// name (as `pkg.Name` or `pkg.Type.Method`) and the allow-list does not hold.
func apiCheck(r repo, modules []string, log io.Writer) error {
	changelog, _ := os.ReadFile(filepath.Join(r.dir, changelogName))
	named := namedEntries(string(changelog))
	allow := readAllow(filepath.Join(r.dir, allowName))
	var problems []string
	for _, dir := range modules {
		base, err := r.latest(dir)
		if err != nil {
			return err
		}
		if base == "" {
			fmt.Fprintf(log, "api: %s has no release tag yet: nothing to compare (its first tag is the baseline)\n", modulePath(dir))
			continue
		}
		changes, err := moduleChanges(r, dir, tagName(dir, base))
		if err != nil {
			return err
		}
		n := 0
		for _, ch := range changes {
			if ch.compatible {
				continue
			}
			n++
			if strings.Contains(named, "`"+ch.name+"`") || slices.Contains(allow, ch.name) {
				fmt.Fprintf(log, "api: %s: %s (named in %s)\n", modulePath(dir), ch.message, changelogName)
				continue
			}
			problems = append(problems, fmt.Sprintf("%s: %s", modulePath(dir), ch.message))
		}
		fmt.Fprintf(log, "api: %s compared with %s: %d incompatible change(s)\n", modulePath(dir), tagName(dir, base), n)
	}
	if len(problems) > 0 {
		return fmt.Errorf("incompatible API changes since the last release, not named in %s's Unreleased \"Changed\" or \"Removed\" entries (as `pkg.Name`) nor in %s:\n  %s",
			changelogName, allowName, strings.Join(problems, "\n  "))
	}
	return nil
}

func readAllow(name string) []string {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// apiChange is one difference, named as the CHANGELOG must name it.
type apiChange struct {
	name       string // pkg.Name or pkg.Type.Method
	message    string
	compatible bool
}

// moduleChanges compares the exported API of the module in dir, in r's work
// tree, with the same module at tag.
func moduleChanges(r repo, dir, tag string) ([]apiChange, error) {
	tmp, err := os.MkdirTemp("", "fief-go-api-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	base := filepath.Join(tmp, "base")
	if _, err := r.git("worktree", "add", "-q", "--detach", base, tag); err != nil {
		return nil, err
	}
	defer r.git("worktree", "remove", "--force", base)
	oldPkgs, err := loadAPI(filepath.Join(base, dir))
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", tag, err)
	}
	newPkgs, err := loadAPI(filepath.Join(r.dir, dir))
	if err != nil {
		return nil, fmt.Errorf("loading the work tree: %w", err)
	}
	var out []apiChange
	for path, old := range oldPkgs {
		name := old.Name()
		cur, ok := newPkgs[path]
		if !ok {
			out = append(out, apiChange{name: name, message: "package " + path + " removed"})
			continue
		}
		for _, ch := range apidiff.Changes(old, cur).Changes {
			out = append(out, apiChange{name: name + "." + changedName(ch.Message), message: name + "." + ch.Message, compatible: ch.Compatible})
		}
	}
	slices.SortFunc(out, func(a, b apiChange) int { return strings.Compare(a.message, b.message) })
	return out, nil
}

// changedName turns the subject of an apidiff message ("(*Auth).Check: ...",
// "Config.Logger: ...", "New: ...") into Auth.Check, Config.Logger, New.
func changedName(msg string) string {
	subject, _, _ := strings.Cut(msg, ": ")
	subject = strings.NewReplacer("(*", "", "(", "", ")", "").Replace(subject)
	return strings.TrimSpace(subject)
}

// loadAPI type-checks the module's importable packages (no internal, main or
// example packages).
func loadAPI(dir string) (map[string]*typesPackage, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedTypes,
		Dir:  dir,
		Env:  append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod"),
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	out := map[string]*typesPackage{}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("%s: %v", p.PkgPath, p.Errors[0])
		}
		if p.Name == "main" || slices.Contains(strings.Split(p.PkgPath, "/"), "internal") || p.Types == nil {
			continue
		}
		out[p.PkgPath] = p.Types
	}
	return out, nil
}

type typesPackage = types.Package
