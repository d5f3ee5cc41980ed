package main

import (
	"fmt"
	"io"
	"net"
	"os"
)

// listen opens addr. An address other machines can reach (every
// interface, or a non-loopback one) is refused unless allowRemote, and
// then comes with a warning. It returns the listener and the host:port to
// put in URLs: the name given in addr, the loopback or interface address
// listened on, or, on every interface, the machine's name (never
// "[::]:PORT", which no client can use).
func listen(addr string, allowRemote bool, stderr io.Writer) (net.Listener, string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("fieftest: -addr %q: %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("fieftest: failed to listen on %s: %w", addr, err)
	}
	bound := ln.Addr().(*net.TCPAddr)
	if !bound.IP.IsLoopback() {
		if !allowRemote {
			ln.Close()
			return nil, "", fmt.Errorf("fieftest: -addr %s is reachable from other machines (%s): fieftest is a development server whose users, passwords and admin key are meant for one machine; add -allow-remote if other machines must reach it", addr, bound)
		}
		fmt.Fprintf(stderr, "fieftest: WARNING: listening on %s, reachable from other machines: whoever reaches it can sign in with the users' passwords, and do anything with the admin key. It is a development server, not a Fief for production.\n", bound)
	}
	port := fmt.Sprint(bound.Port)
	switch {
	case host != "" && net.ParseIP(host) == nil: // a name, such as localhost
		return ln, net.JoinHostPort(host, port), nil
	case bound.IP.IsUnspecified():
		name, err := os.Hostname()
		if err != nil || name == "" {
			name = "localhost"
		}
		return ln, net.JoinHostPort(name, port), nil
	default:
		return ln, net.JoinHostPort(bound.IP.String(), port), nil
	}
}
