package main

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// docCheck lists the exported names of the released modules' importable
// packages that have no doc comment: every exported name is a promise to
// users, and says what it is for.
func docCheck(root string, modules []string) ([]string, error) {
	var missing []string
	for _, dir := range modules {
		top := filepath.Join(root, dir)
		err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			name := d.Name()
			if p != top && (name == "internal" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || hasGoMod(p)) {
				return filepath.SkipDir
			}
			m, err := undocumented(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			for _, n := range m {
				missing = append(missing, filepath.ToSlash(rel)+": "+n)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(missing)
	return missing, nil
}

func hasGoMod(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// undocumented returns the exported names without a doc comment in the
// package in dir (none for a main package or a directory without Go files).
func undocumented(dir string) ([]string, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []string
	for name, pkg := range pkgs {
		if name == "main" {
			continue
		}
		files := make([]*ast.File, 0, len(pkg.Files))
		for _, f := range pkg.Files {
			files = append(files, f)
		}
		p, err := doc.NewFromFiles(fset, files, "x")
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(p.Doc) == "" {
			out = append(out, "package "+name)
		}
		values := func(vs []*doc.Value) {
			for _, v := range vs {
				if v.Doc != "" {
					continue
				}
				for _, spec := range v.Decl.Specs {
					vs := spec.(*ast.ValueSpec)
					if vs.Doc != nil || vs.Comment != nil {
						continue
					}
					for _, n := range vs.Names {
						if n.IsExported() {
							out = append(out, n.Name)
						}
					}
				}
			}
		}
		funcs := func(prefix string, fs []*doc.Func) {
			for _, f := range fs {
				if prefix != "" && wellKnown[f.Name] {
					continue
				}
				if f.Doc == "" && ast.IsExported(f.Name) {
					out = append(out, prefix+f.Name)
				}
			}
		}
		values(p.Consts)
		values(p.Vars)
		funcs("", p.Funcs)
		for _, t := range p.Types {
			if t.Doc == "" {
				out = append(out, t.Name)
			}
			values(t.Consts)
			values(t.Vars)
			funcs("", t.Funcs)
			funcs(t.Name+".", t.Methods)
		}
	}
	return out, nil
}

// wellKnown are methods that implement a standard interface (error,
// fmt.Stringer, fmt.Formatter, slog.LogValuer, json and text marshalling,
// http.Handler, errors' Unwrap/Is/As): their meaning is the interface's.
var wellKnown = map[string]bool{
	"Error": true, "String": true, "Format": true, "GoString": true, "LogValue": true, "Unwrap": true, "Is": true, "As": true,
	"MarshalJSON": true, "UnmarshalJSON": true, "MarshalText": true, "UnmarshalText": true, "ServeHTTP": true,
}

// reportDocs prints and fails on undocumented exported names.
func reportDocs(root string, modules []string) error {
	missing, err := docCheck(root, modules)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("exported names without a doc comment (say what each is for, or unexport it):\n  %s", strings.Join(missing, "\n  "))
	}
	return nil
}
