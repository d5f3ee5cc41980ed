package main

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// consumers holds, per released module, a small program using its main entry
// points, as a user's first program would: consumers/<dir or "root">/main.go.
//
//go:embed testdata/consumers
var embedded embed.FS

// consumers is embedded's testdata/consumers directory.
var consumers = mustSub(embedded, "testdata/consumers")

// fsys is where consumer programs are read from.
type fsys = fs.FS

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// sandbox is the environment of a stranger's machine: a throwaway module
// cache, the proxy with the published modules first, the checksum database
// off for fief-go's modules only, no workspace and no GOFLAGS of the
// developer's.
type sandbox struct {
	tmp      string
	proxy    proxy
	log      io.Writer
	programs fs.FS
}

func (s sandbox) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOPROXY", "GONOSUMDB", "GONOSUMCHECK", "GOPRIVATE", "GONOPROXY", "GOFLAGS", "GOWORK", "GOMODCACHE", "GOBIN", "GOTOOLCHAIN", "GOPATH":
			continue
		}
		env = append(env, kv)
	}
	proxies := []string{s.proxy.URL()}
	// The developer's module cache serves as a read-only proxy for the
	// other modules (it has their exact zips, and spares the network);
	// anything else comes from the usual proxy.
	if cache := goEnv("GOMODCACHE"); cache != "" {
		if _, err := os.Stat(filepath.Join(cache, "cache", "download")); err == nil {
			proxies = append(proxies, "file://"+filepath.ToSlash(filepath.Join(cache, "cache", "download")))
		}
	}
	usual := goEnv("GOPROXY")
	if usual == "" || usual == "off" {
		usual = "https://proxy.golang.org,direct"
	}
	proxies = append(proxies, usual)
	return append(env,
		"GOPROXY="+strings.Join(proxies, ","),
		"GONOSUMDB="+rootPath,
		"GOFLAGS=-buildvcs=false",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOPATH="+filepath.Join(s.tmp, "gopath"),
		"GOMODCACHE="+filepath.Join(s.tmp, "modcache"),
		"GOBIN="+filepath.Join(s.tmp, "bin"),
	)
}

func goEnv(key string) string {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// goCmd runs the go command in dir within the sandbox; its output goes to
// the log and, on failure, into the error.
func (s sandbox) goCmd(dir string, args ...string) error {
	fmt.Fprintf(s.log, "    $ go %s\n", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = s.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, indent(string(out)))
	}
	return nil
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "      " + strings.ReplaceAll(s, "\n", "\n      ")
}

// consume makes a fresh module outside the repository, fetches the module in
// dir at version alone with "go get", and builds the module's consumer
// program with it.
func (s sandbox) consume(dir, version string) error {
	name := dir
	if name == "" {
		name = "root"
	}
	src, err := fs.ReadFile(s.programs, name+"/main.go")
	if err != nil {
		return fmt.Errorf("no consumer program for %s: %w", modulePath(dir), err)
	}
	work := filepath.Join(s.tmp, "consumer-"+name)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	gomod := "module example.com/consumer\n\ngo 1.25.0\n"
	if err := os.WriteFile(filepath.Join(work, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "main.go"), src, 0o644); err != nil {
		return err
	}
	if err := s.goCmd(work, "get", modulePath(dir)+"@"+version); err != nil {
		return err
	}
	// A user's build: go.mod as "go get" left it, no -mod=mod.
	return s.goCmd(work, "build", "-o", os.DevNull, ".")
}

// installFieftest installs cmd/fieftest at version with "go install
// path@version" and starts it, until it prints the address it serves.
func (s sandbox) installFieftest(version string) error {
	if err := s.goCmd(s.tmp, "install", rootPath+"/cmd/fieftest@"+version); err != nil {
		return err
	}
	bin := filepath.Join(s.tmp, "bin", "fieftest")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0")
	cmd.Env = s.env()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "http://127.0.0.1:") {
			fmt.Fprintf(s.log, "    fieftest@%s runs: %s\n", version, strings.TrimSpace(sc.Text()))
			return nil
		}
	}
	return fmt.Errorf("the installed fieftest printed no address: %s", strings.TrimSpace(errb.String()))
}

// cleanup removes the sandbox; the module cache is read-only, as Go makes it.
func (s sandbox) cleanup() {
	_ = filepath.WalkDir(s.tmp, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	_ = os.RemoveAll(s.tmp)
}
