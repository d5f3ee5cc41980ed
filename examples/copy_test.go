// Package examples_test checks that each example program of the repository
// (examples/*, and example/ in the nested modules) is a program a user can
// copy: its files alone, in a module of their own outside the repository,
// build.
package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// rootModule is the module path of the repository's root module.
const rootModule = "github.com/fief-dev/fief-go"

// TestExamplesBuildWhenCopied copies the non-test Go files of each example
// into a fresh module in a temporary directory, whose go.mod requires the
// example's module and replaces it (and the root module) with this tree,
// and compiles it as a user's build would (go vet: every check of the
// compiler, and vet's, without the link): go.mod and go.sum as
// written.
// An example importing an internal package, or a file it does not carry
// along, fails here.
func TestExamplesBuildWhenCopied(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "examples", "*"))
	nested, _ := filepath.Glob(filepath.Join(root, "*", "example"))
	var examples []string
	for _, d := range append(dirs, nested...) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			examples = append(examples, d)
		}
	}
	if len(examples) < 7 {
		t.Fatalf("found %d examples, want at least 7: %q", len(examples), examples)
	}
	for _, dir := range examples {
		rel, _ := filepath.Rel(root, dir)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			// The module the example belongs to: the root, or the nested
			// module of its parent directory.
			modDir := root
			if filepath.Base(dir) == "example" {
				modDir = filepath.Dir(dir)
			}
			tmp := t.TempDir()
			copyGoFiles(t, dir, tmp)
			writeGoMod(t, root, modDir, tmp)
			cmd := exec.Command("go", "vet", ".") // compiles the program, without the link
			cmd.Dir = tmp
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly -buildvcs=false")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the example copied alone into a module of its own does not build: %v\n%s", err, out)
			}
		})
	}
}

// copyGoFiles copies the Go files of dir, but its tests, into dst.
func copyGoFiles(t *testing.T, dir, dst string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatalf("no Go file in %s", dir)
	}
}

var (
	moduleLine  = regexp.MustCompile(`(?m)^module .*$`)
	replaceLine = regexp.MustCompile(`(?m)^replace .*$`)
)

// writeGoMod writes into dst the go.mod and go.sum of a user's module
// using the module at modDir: that module's requirements (and checksums),
// the module itself required, and replaces pointing the fief-go modules at
// this tree, as a user trying a local change would.
func writeGoMod(t *testing.T, root, modDir, dst string) {
	t.Helper()
	gomod, err := os.ReadFile(filepath.Join(modDir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := moduleLine.ReplaceAllString(string(gomod), "module example.com/copied")
	mod = replaceLine.ReplaceAllString(mod, "")
	mod += "\nreplace " + rootModule + " => " + filepath.ToSlash(root) + "\n"
	if modDir != root {
		path := rootModule + "/" + filepath.Base(modDir)
		mod += "require " + path + " v0.0.0-00010101000000-000000000000\n"
		mod += "replace " + path + " => " + filepath.ToSlash(modDir) + "\n"
	}
	if !strings.Contains(mod, "require "+rootModule+" ") && !strings.Contains(mod, "\t"+rootModule+" ") {
		mod += "require " + rootModule + " v0.0.0-00010101000000-000000000000\n"
	}
	if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(modDir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}
