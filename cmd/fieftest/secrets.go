package main

import (
	"fmt"
	"os"
	"strings"
)

// secretFrom reads a secret from file when given (without its final line
// break), else from the environment variable env ("" when unset).
func secretFrom(file, env, what string) (string, error) {
	if file == "" {
		return os.Getenv(env), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("fieftest: reading %s: %w", what, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("fieftest: %s in %s is empty", what, file)
	}
	return s, nil
}

// secretOption resolves a secret given on the command line (visible to
// every local user in ps), in a file, or in the environment variable env,
// in that order; "" when none is given.
func secretOption(value, file, env, what string) (string, error) {
	if value != "" && file != "" {
		return "", fmt.Errorf("fieftest: %s given twice, as a flag and as a file", what)
	}
	if value != "" {
		return value, nil
	}
	return secretFrom(file, env, what)
}

// randomSecret returns a random url-safe secret that does not start with
// "-", so that it is never read as a flag when pasted on a command line.
func randomSecret() string {
	for {
		if s := randomString(); s[0] != '-' {
			return s
		}
	}
}
