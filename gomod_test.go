package fief_test

import (
	"os"
	"strings"
	"testing"
)

// TestCoreModuleRequiresNoFramework: the core module (the client, fiefhttp,
// fiefcli, fieftest, fiefadmin, fiefwebhook and the examples) depends on
// go-jose, golang.org/x/oauth2 and golang.org/x/sync only, directly or not;
// frameworks and stores live in their own modules (fiefgin, fiefecho,
// fiefgrpc, fiefconnect, fiefredis), so that they never reach an
// application that does not use them.
func TestCoreModuleRequiresNoFramework(t *testing.T) {
	b, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"github.com/go-jose/go-jose/v4": true,
		"golang.org/x/oauth2":           true,
		"golang.org/x/sync":             true,
	}
	var required []string
	inBlock := false
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimPrefix(line, "require ")
		case !inBlock:
			continue
		}
		if f := strings.Fields(line); len(f) >= 2 {
			required = append(required, f[0])
		}
	}
	if len(required) == 0 {
		t.Fatal("no require found in go.mod: the test cannot read it")
	}
	for _, m := range required {
		if !allowed[m] {
			t.Errorf("the core module requires %s; only go-jose, x/oauth2 and x/sync are allowed", m)
		}
	}
}
