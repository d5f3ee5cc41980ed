package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// proxy is a file-system module proxy: the layout of GOPROXY=file://DIR
// (https://go.dev/ref/mod#goproxy-protocol).
type proxy struct{ dir string }

// URL returns the proxy's GOPROXY entry.
func (p proxy) URL() string { return "file://" + filepath.ToSlash(p.dir) }

// publish writes the module in dir of the repository, as of the commit rev,
// at version: the zip x/mod/zip makes from the commit (exactly what the
// public proxy would serve), its go.mod, its .info and the version list.
func (p proxy) publish(r repo, rev, dir, version string) error {
	mod := modulePath(dir)
	if err := module.Check(mod, version); err != nil {
		return err
	}
	esc, err := module.EscapePath(mod)
	if err != nil {
		return err
	}
	vdir := filepath.Join(p.dir, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	zf, err := os.Create(filepath.Join(vdir, version+".zip"))
	if err != nil {
		return err
	}
	err = zip.CreateFromVCS(zf, module.Version{Path: mod, Version: version}, r.dir, rev, dir)
	if cerr := zf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("zip of %s@%s: %w", mod, version, err)
	}
	gomod, err := r.git("show", rev+":"+filepath.ToSlash(filepath.Join(dir, "go.mod")))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(vdir, version+".mod"), []byte(gomod+"\n"), 0o644); err != nil {
		return err
	}
	_, t, err := r.commit(rev)
	if err != nil {
		return err
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, t})
	if err := os.WriteFile(filepath.Join(vdir, version+".info"), info, 0o644); err != nil {
		return err
	}
	return p.addToList(vdir, version)
}

func (p proxy) addToList(vdir, version string) error {
	name := filepath.Join(vdir, "list")
	data, err := os.ReadFile(name)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	vs := strings.Fields(string(data))
	if !slices.Contains(vs, version) {
		vs = append(vs, version)
	}
	return os.WriteFile(name, []byte(strings.Join(vs, "\n")+"\n"), 0o644)
}
