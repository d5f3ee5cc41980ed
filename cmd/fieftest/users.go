package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
)

// userSpec is a user of -user or -user-file, with the permissions of
// -permission.
type userSpec struct {
	email, password string
	permissions     []string
}

// readUsers collects the users of -user and -user-file, then gives them
// the permissions of -permission. Errors never quote a password.
func (o *options) readUsers() error {
	add := func(v, where string) error {
		email, pw, ok := strings.Cut(v, ":")
		if !ok || email == "" || pw == "" {
			return fmt.Errorf("fieftest: %s wants EMAIL:PASSWORD, got %q", where, redactUser(v))
		}
		for _, u := range o.userSpecs {
			if strings.EqualFold(u.email, email) {
				return fmt.Errorf("fieftest: user %s given twice", email)
			}
		}
		o.userSpecs = append(o.userSpecs, &userSpec{email: email, password: pw})
		return nil
	}
	for _, u := range o.users {
		if err := add(u, "-user"); err != nil {
			return err
		}
	}
	if o.userFile != "" {
		b, err := os.ReadFile(o.userFile)
		if err != nil {
			return fmt.Errorf("fieftest: reading -user-file: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if err := add(line, fmt.Sprintf("%s line %d", o.userFile, n)); err != nil {
				return err
			}
		}
	}
	for _, g := range o.grants {
		i := strings.LastIndexByte(g, '=')
		if i <= 0 || i == len(g)-1 {
			return fmt.Errorf("fieftest: -permission wants EMAIL=CODENAME[,CODENAME...], got %q", g)
		}
		email := g[:i]
		j := slices.IndexFunc(o.userSpecs, func(u *userSpec) bool { return strings.EqualFold(u.email, email) })
		if j < 0 {
			return fmt.Errorf("fieftest: -permission %s: no user of -user or -user-file has that email (the configuration file's users have \"permissions\")", email)
		}
		for _, c := range strings.Split(g[i+1:], ",") {
			if c = strings.TrimSpace(c); c != "" && !slices.Contains(o.userSpecs[j].permissions, c) {
				o.userSpecs[j].permissions = append(o.userSpecs[j].permissions, c)
			}
		}
	}
	return nil
}
