package fiefcli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
)

// setRedirectHost resolves Config.RedirectHost into the redirect URI's
// host:port and the addresses the callback server listens on.
func (a *Auth) setRedirectHost(host string) error {
	port := strconv.Itoa(a.port)
	switch host {
	case "", DefaultRedirectHost:
		a.listenAddrs = []string{net.JoinHostPort("127.0.0.1", port)}
		a.redirectHost = a.listenAddrs[0]
	case "[::1]", "::1":
		a.listenAddrs = []string{net.JoinHostPort("::1", port)}
		a.redirectHost = a.listenAddrs[0]
	case "localhost":
		a.listenAddrs = []string{net.JoinHostPort("127.0.0.1", port)}
		if hasIPv6Loopback() {
			a.listenAddrs = append(a.listenAddrs, net.JoinHostPort("::1", port))
		}
		a.redirectHost = net.JoinHostPort("localhost", port)
	default:
		return configError("RedirectHost", fmt.Sprintf("%q is not one of %q, %q, %q", host, "127.0.0.1", "[::1]", "localhost"))
	}
	return nil
}

// hasIPv6Loopback reports whether the machine has the IPv6 loopback address
// on an interface, so that a program could listen on it.
func hasIPv6Loopback() bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.Equal(net.IPv6loopback) {
			return true
		}
	}
	return false
}

// listenLoopback listens on every address of the callback server, or on
// none: when one is taken (by another program, which would receive the
// browser's redirect), the others are closed and the error says which.
func (a *Auth) listenLoopback(ctx context.Context) ([]net.Listener, error) {
	var lc net.ListenConfig
	var lns []net.Listener
	for _, addr := range a.listenAddrs {
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("fiefcli: cannot listen on %s for the sign-in callback (is another program, or another sign-in, using port %d?): %w", addr, a.port, err)
		}
		lns = append(lns, ln)
	}
	if len(lns) == 0 {
		return nil, errors.New("fiefcli: no address to listen on for the sign-in callback")
	}
	return lns, nil
}
