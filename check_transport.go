package fief

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
)

// explainTransport turns the failure of a request to Fief into what went
// wrong and what to change.
func (p *probe) explainTransport(err error) (detail, fix string) {
	field := p.baseField()
	host := p.c.s.internalBase.Host
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	msg := err.Error()
	switch {
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return "this address serves plain http, not https", "write http:// in " + field + "; serve Fief over https in production"
	case errors.As(err, &recordErr):
		return "the server at " + host + " does not speak TLS", "write http:// in " + field + ", or check its port"
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("the host %q does not resolve", dnsErr.Name), "check the host name in " + field
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens at " + host, "start Fief, or fix the host and port in " + field
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &certErr):
		return "Fief's TLS certificate is not trusted: " + msg, "give Fief a certificate for " + host + " that this machine trusts, or give Config.HTTPClient the CA that signed it"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "no answer in time: " + msg, "check that Fief runs and that " + field + " is reachable from here (firewall, proxy)"
	}
	return msg, "check that Fief runs and that " + field + " names its host and port"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
