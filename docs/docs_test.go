// Package docs_test compiles every Go block of README.md and of the pages
// of docs/, so that a page that drifts from the code fails the tests, and
// runs the quick start of README.md as it is written.
//
// A block is a complete Go file (it starts with its package clause, after
// comments), or a fragment, which the line before the block marks:
//
//	<!-- fragment -->
//	```go
//	auth := fiefhttp.New(client, fiefhttp.Config{})
//	```
//
// A fragment is compiled too: declarations (func, type, var, const) as they
// are, statements inside a function. The names a fragment uses without
// declaring them are taken from [given] (client, mux, ctx, ...), and its
// imports from [importPaths].
package docs_test

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// given are the names fragments use without declaring them, with their
// types.
var given = map[string]string{
	"ctx":              "context.Context",
	"w":                "http.ResponseWriter",
	"r":                "*http.Request",
	"client":           "*fief.Client",
	"mux":              "*http.ServeMux",
	"auth":             "*fiefhttp.Auth",
	"flow":             "*fiefhttp.WebFlow",
	"cli":              "*fiefcli.Auth",
	"revocations":      "*fief.Revocations",
	"rdb":              "redis.UniversalClient",
	"key":              "[]byte",
	"keys":             "[][]byte",
	"secrets":          "[]string",
	"token":            "string",
	"code":             "string",
	"srv":              "*fieftest.Server",
	"t":                "*testing.T",
	"tokenInfo":        "http.HandlerFunc",
	"protected":        "http.HandlerFunc",
	"sendWelcomeEmail": "fiefwebhook.HookFunc",
	"myTemplates":      "*template.Template",
}

// importPaths are the packages fragments may use, by name.
var importPaths = map[string]string{
	"context":     "context",
	"errors":      "errors",
	"fmt":         "fmt",
	"io":          "io",
	"log":         "log",
	"net":         "net",
	"os":          "os",
	"time":        "time",
	"strings":     "strings",
	"json":        "encoding/json",
	"base64":      "encoding/base64",
	"http":        "net/http",
	"httptest":    "net/http/httptest",
	"slog":        "log/slog",
	"template":    "html/template",
	"testing":     "testing",
	"flag":        "flag",
	"fief":        "github.com/fief-dev/fief-go",
	"fiefhttp":    "github.com/fief-dev/fief-go/fiefhttp",
	"fiefcli":     "github.com/fief-dev/fief-go/fiefcli",
	"fiefadmin":   "github.com/fief-dev/fief-go/fiefadmin",
	"fiefwebhook": "github.com/fief-dev/fief-go/fiefwebhook",
	"fieftest":    "github.com/fief-dev/fief-go/fieftest",
	"fiefdemo":    "github.com/fief-dev/fief-go/fieftest/fiefdemo",
	"fiefgin":     "github.com/fief-dev/fief-go/fiefgin",
	"fiefecho":    "github.com/fief-dev/fief-go/fiefecho",
	"fiefgrpc":    "github.com/fief-dev/fief-go/fiefgrpc",
	"fiefconnect": "github.com/fief-dev/fief-go/fiefconnect",
	"fiefredis":   "github.com/fief-dev/fief-go/fiefredis",
	"gin":         "github.com/gin-gonic/gin",
	"echo":        "github.com/labstack/echo/v4",
	"chi":         "github.com/go-chi/chi/v5",
	"redis":       "github.com/redis/go-redis/v9",
	"oauth2":      "golang.org/x/oauth2",
	"grpc":        "google.golang.org/grpc",
	"credentials": "google.golang.org/grpc/credentials",
	"oauth":       "google.golang.org/grpc/credentials/oauth",
	"codes":       "google.golang.org/grpc/codes",
	"status":      "google.golang.org/grpc/status",
	"connect":     "connectrpc.com/connect",
	"wrapperspb":  "google.golang.org/protobuf/types/known/wrapperspb",
	"emptypb":     "google.golang.org/protobuf/types/known/emptypb",
}

// fragmentMarker is the line before a fragment's block.
const fragmentMarker = "<!-- fragment -->"

// block is a Go block of a page.
type block struct {
	page     string // path of the page, relative to the repository
	line     int    // line of the block's first line of code
	code     string
	fragment bool
}

// pages returns README.md and the pages of docs/, relative to the
// repository's root.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, p := range docs {
		all = append(all, "docs/"+p)
	}
	sort.Strings(all)
	return append([]string{"README.md"}, all...)
}

// goBlocks returns the ```go blocks of the page at path (relative to the
// repository).
func goBlocks(t *testing.T, path string) []block {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var blocks []block
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		prev := ""
		if i > 0 {
			prev = strings.TrimSpace(lines[i-1])
		}
		start := i + 1
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
		}
		blocks = append(blocks, block{page: path, line: start + 1, code: strings.Join(lines[start:i], "\n") + "\n", fragment: prev == fragmentMarker})
	}
	return blocks
}

// TestGoBlocksCompile compiles every Go block of the pages, each in a
// package of its own, in a copy of this module (which requires every
// module of the repository, replaced by this tree): go vet reports what
// the compiler and vet find, with the page and line of each mistake. Then
// the test files among the blocks run, their benchmarks once.
func TestGoBlocksCompile(t *testing.T) {
	tmp := t.TempDir()
	copyModule(t, tmp)
	var (
		dirs    = map[string]block{} // package directory → its block
		offsets = map[string]int{}   // package directory → line of the block's first line in its file
		n       int
	)
	for _, page := range pages(t) {
		for _, b := range goBlocks(t, page) {
			n++
			dir := fmt.Sprintf("b%03d", n)
			name, src, offset, err := goFile(b)
			if err != nil {
				t.Errorf("%s:%d: %v", b.page, b.line, err)
				continue
			}
			if err := os.MkdirAll(filepath.Join(tmp, dir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tmp, dir, name), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			dirs[dir], offsets[dir] = b, offset
		}
	}
	if n < 30 {
		t.Fatalf("%d Go blocks in the pages: the test does not see them", n)
	}
	cmd := exec.Command("go", "vet", "-unreachable=false", "./...")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the Go blocks of the pages do not compile: %v\n%s", err, pageLines(string(out), dirs, offsets))
	}

	// The tests the pages show pass (their benchmarks run once).
	var tests []string
	for dir := range dirs {
		if _, err := os.Stat(filepath.Join(tmp, dir, "block_test.go")); err == nil {
			tests = append(tests, "./"+dir)
		}
	}
	if len(tests) == 0 {
		t.Fatal("no test among the Go blocks of the pages: the test does not see them")
	}
	sort.Strings(tests)
	cmd = exec.Command("go", append([]string{"test", "-count=1", "-bench=.", "-benchtime=1x"}, tests...)...)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the tests of the pages fail: %v\n%s", err, pageLines(string(out), dirs, offsets))
	}
}

// fileLine matches the position of a message of the go command in the
// copy: b001/main.go:12:3.
var fileLine = regexp.MustCompile(`(?:\./)?(b\d{3})/\w+\.go:(\d+)(:\d+)?`)

// pageLines replaces the positions in out with the page and line they
// come from.
func pageLines(out string, dirs map[string]block, offsets map[string]int) string {
	return fileLine.ReplaceAllStringFunc(out, func(m string) string {
		sub := fileLine.FindStringSubmatch(m)
		b, ok := dirs[sub[1]]
		if !ok {
			return m
		}
		var line int
		fmt.Sscan(sub[2], &line)
		return fmt.Sprintf("%s:%d", b.page, b.line+line-offsets[sub[1]])
	})
}

// goFile returns the Go file of block b: its name, its source, and the
// line of the file where the block's first line is.
func goFile(b block) (name, src string, offset int, err error) {
	fset := token.NewFileSet()
	if !b.fragment {
		f, err := parser.ParseFile(fset, "block.go", b.code, parser.PackageClauseOnly)
		if err != nil {
			return "", "", 0, fmt.Errorf("not a complete Go file (%v): start it with its package clause, or mark it as a fragment with %s on the line before", err, fragmentMarker)
		}
		name = "main.go"
		if strings.HasSuffix(f.Name.Name, "_test") || strings.Contains(b.code, "\nfunc Test") {
			name = "block_test.go"
		}
		return name, b.code, 1, nil
	}
	// A fragment: declarations as they are, statements in a function.
	body := b.code
	decls := true
	if _, err := parser.ParseFile(fset, "", "package fragment\n"+body, parser.SkipObjectResolution); err != nil {
		decls = false
		body = "func _() {\n" + body + "\n" + useLocals(body) + "}\n"
	}
	// The given names it uses, declared as package variables.
	var vars strings.Builder
	for _, name := range unresolved(body) {
		if typ, ok := given[name]; ok {
			fmt.Fprintf(&vars, "var %s %s\n", name, typ)
		}
	}
	withVars := vars.String() + body
	var imports strings.Builder
	for _, name := range unresolved(withVars) {
		if path, ok := importPaths[name]; ok {
			fmt.Fprintf(&imports, "import %s %q\n", name, path)
		}
	}
	head := "package fragment\n\n" + imports.String() + vars.String()
	offset = strings.Count(head, "\n") + 1
	if !decls {
		offset++ // the func line
	}
	return "fragment.go", head + body, offset, nil
}

// unresolved returns the identifiers src (a package's declarations) uses
// without declaring them: the given names and the packages it needs, and
// the predeclared ones.
func unresolved(src string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package fragment\n"+src, 0)
	if err != nil {
		return nil // the compiler will say why
	}
	var names []string
	for _, id := range f.Unresolved {
		if !slices.Contains(names, id.Name) {
			names = append(names, id.Name)
		}
	}
	sort.Strings(names)
	return names
}

// useLocals returns "_ = x" for each variable the statements of src
// declare at their top level, so that a fragment showing a result it does
// not use still compiles.
func useLocals(src string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package fragment\nfunc _() {\n"+src+"\n}\n", parser.SkipObjectResolution)
	if err != nil {
		return "" // the compiler will say why
	}
	var names []string
	add := func(id *ast.Ident) {
		if id.Name != "_" && !slices.Contains(names, id.Name) {
			names = append(names, id.Name)
		}
	}
	for _, stmt := range f.Decls[0].(*ast.FuncDecl).Body.List {
		switch s := stmt.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, e := range s.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						add(id)
					}
				}
			}
		case *ast.DeclStmt:
			if g, ok := s.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, spec := range g.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						add(id)
					}
				}
			}
		}
	}
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "_ = %s\n", n)
	}
	return b.String()
}

// copyModule writes into dst the go.mod and go.sum of this module, with
// its replaces pointing at this tree.
func copyModule(t *testing.T, dst string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(mod), "=> ../", "=> "+filepath.ToSlash(root)+"/")
	s = regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(s, "module example.com/pages")
	if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}

// quickStart matches the README's command that starts the demo.
var quickStart = regexp.MustCompile("(?m)^go run (\\./examples/web)((?: -[a-z]+)*)")

// TestQuickStart runs the demo as the README's quick start says (go run
// ./examples/web -demo: built, then run with the same arguments, on a free
// port), and checks it answers: the home page, the protected page sending
// the browser to the demo Fief's sign-in, whose form answers, and the
// sign-out page.
func TestQuickStart(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := quickStart.FindStringSubmatch(string(readme))
	if m == nil || !strings.Contains(m[2], "-demo") {
		t.Fatalf("README.md has no quick start command \"go run ./examples/web -demo\": %q", m)
	}
	bin := filepath.Join(t.TempDir(), "web")
	build := exec.Command("go", "build", "-o", bin, m[1])
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", m[1], err, out)
	}
	args := append(strings.Fields(m[2]), "-addr", "localhost:0")
	cmd := exec.Command(bin, args...)
	cmd.Env = withoutFief(os.Environ())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		done <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })

	var appURL, output string
	timeout := time.After(60 * time.Second)
	for ready := false; !ready; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the demo stopped before it was ready: %v\n%s", <-done, output)
			}
			output += line + "\n"
			if u, ok := strings.CutPrefix(line, "Listening on "); ok {
				appURL = u
			}
			ready = line == "Press Ctrl-C to stop."
		case <-timeout:
			t.Fatalf("the demo did not start within a minute:\n%s", output)
		}
	}
	if appURL == "" || !strings.Contains(output, "password: ") {
		t.Fatalf("the demo does not say where it listens and how to sign in:\n%s", output)
	}

	c := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(appURL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	if resp, page := get("/"); resp.StatusCode != 200 || !strings.Contains(page, `href="/protected"`) {
		t.Errorf("GET /: %d\n%s", resp.StatusCode, page)
	}
	// Followed redirects: the demo Fief's sign-in form.
	if resp, page := get("/protected"); resp.StatusCode != 200 || !strings.Contains(page, `type="password"`) {
		t.Errorf("GET /protected: %d at %s, want the demo Fief's sign-in form\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	if resp, page := get("/logout"); resp.StatusCode != 200 || !strings.Contains(page, `method="post"`) {
		t.Errorf("GET /logout: %d, want the sign-out page\n%s", resp.StatusCode, page)
	}

	// Ctrl-C stops it cleanly.
	cmd.Process.Signal(syscall.SIGINT)
	for range lines {
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after Ctrl-C: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the demo did not stop within 10 s of Ctrl-C")
	}
}

// withoutFief drops the FIEF_* variables, which the quick start does not
// set.
func withoutFief(environ []string) []string {
	var kept []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "FIEF_") {
			kept = append(kept, kv)
		}
	}
	return kept
}
