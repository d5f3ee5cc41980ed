package fieftest

import (
	"fmt"
	"regexp"
)

// The Fief versions a [Server] answers as (see [Server.Version]).
const (
	// FiefVersion030 is Fief 0.30.0, the default.
	FiefVersion030 = "0.30.0"
	// FiefVersion026 is Fief 0.26.3.
	FiefVersion026 = "0.26.3"
)

// checkVersion reports an error for a version the server cannot answer
// as; "" means the default.
func checkVersion(v string) error {
	switch v {
	case "", FiefVersion030, FiefVersion026:
		return nil
	}
	return fmt.Errorf("fieftest: unknown Fief version %q (known: %s, %s)", v, FiefVersion030, FiefVersion026)
}

// CheckVersion reports whether v is a Fief version a Server answers as:
// "" (the default, 0.30.0), FiefVersion030 or FiefVersion026.
func CheckVersion(v string) error { return checkVersion(v) }

// legacyLocked reports whether the server answers as Fief 0.26.3. Before
// Start it reads [Server.Version], after it the copy Start took.
func (s *Server) legacyLocked() bool {
	if s.started {
		return s.cfg.version == FiefVersion026
	}
	return s.Version == FiefVersion026
}

// defaultTenantName is the name (and, lower-cased, the admin slug) Fief
// gives the tenant it creates at installation.
func defaultTenantName(legacy bool) string {
	if legacy {
		return "Fief"
	}
	return "Default"
}

// applyVersionLocked gives the default tenant, and the clients named after
// it, the names of the version chosen, unless they were named explicitly.
// Start calls it: the default tenant exists before Version is set.
func (s *Server) applyVersionLocked() {
	t := s.tenants[""]
	if t.nameSet {
		return
	}
	old := t.name
	t.name = defaultTenantName(s.cfg.version == FiefVersion026)
	t.adminSlug = lowerASCII(t.name)
	for _, c := range t.clientList {
		if c.name == old+"'s client" {
			c.name = t.name + "'s client"
		}
	}
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// webhookUserAgent is the User-Agent of the deliveries.
func webhookUserAgent(legacy bool) string {
	if legacy {
		return "fief-server-webhooks/" + FiefVersion026
	}
	return "fief-server-webhooks/" + FiefVersion030
}

// pyTimeSuffix matches the "+00:00" of the created_at and updated_at
// members written by pyTime, which Fief 0.30.0 (pydantic 2) writes "Z".
var pyTimeSuffix = regexp.MustCompile(`("(?:created_at|updated_at)":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?)\+00:00"`)

// zuluTimes rewrites the timestamps of a JSON document written by
// encoding/json from the read models into pydantic 2's form.
func zuluTimes(b []byte) []byte { return pyTimeSuffix.ReplaceAll(b, []byte(`${1}Z"`)) }
