package fief

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

// discoveryDoc is what the client uses of the discovery document: the
// issuer, and the paths of the endpoints. Only paths are kept: back-channel
// calls resolve them against the internal base URL and browser-facing URLs
// against the public one, whatever host Fief wrote in them (Fief builds them
// from the request's Host header, see the protocol notes, §1.4).
type discoveryDoc struct {
	issuer        string
	authorizePath string
	tokenPath     string
	userinfoPath  string
	jwksPath      string
}

// discoveryRetryBackoff is how long a failed discovery fetch answers for
// itself before the next attempt: long enough that a client under load does
// not send Fief a stream of requests while it fails, short enough to
// recover at once when it is back.
const discoveryRetryBackoff = time.Second

// discoveryCache fetches the document once; concurrent first calls share
// one fetch. A failed fetch is not kept: the next call after a short
// back-off fetches again.
type discoveryCache struct {
	mu       sync.RWMutex
	doc      *discoveryDoc
	failure  error     // of the last fetch, if it failed
	failedAt time.Time // when it failed
	fg       fetchGroup
}

func (c *Client) discovery(ctx context.Context) (*discoveryDoc, error) {
	c.disc.mu.RLock()
	doc, failure, failedAt := c.disc.doc, c.disc.failure, c.disc.failedAt
	c.disc.mu.RUnlock()
	if doc != nil {
		return doc, nil
	}
	if failure != nil && c.s.clock().Sub(failedAt) < min(discoveryRetryBackoff, c.s.cooldown) {
		return nil, failure
	}
	v, err := c.disc.fg.do(ctx, "discovery", func(fctx context.Context) (any, error) {
		d, err := c.fetchDiscovery(fctx)
		c.disc.mu.Lock()
		defer c.disc.mu.Unlock()
		if err != nil {
			if !errors.Is(err, context.Canceled) { // not when every caller left
				c.disc.failure, c.disc.failedAt = err, c.s.clock()
			}
			return nil, err
		}
		c.disc.doc, c.disc.failure = d, nil
		return d, nil
	})
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ErrUnavailable) {
			return nil, unavailable("discovery", err)
		}
		return nil, err
	}
	return v.(*discoveryDoc), nil
}

// discoveryJSON is what the client reads of the discovery document.
type discoveryJSON struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

func (c *Client) fetchDiscovery(ctx context.Context) (*discoveryDoc, error) {
	var raw discoveryJSON
	prefix := c.s.publicBase.Path
	err := c.do(ctx, request{op: "discovery", method: "GET", path: prefix + "/.well-known/openid-configuration"}, &raw)
	if err != nil {
		return nil, err
	}
	if raw.Issuer == "" {
		return nil, unavailable("discovery", fmt.Errorf("the document has no issuer"))
	}
	d := &discoveryDoc{issuer: raw.Issuer}
	for _, e := range []struct {
		name string
		raw  string
		dst  *string
	}{
		{"authorization_endpoint", raw.AuthorizationEndpoint, &d.authorizePath},
		{"token_endpoint", raw.TokenEndpoint, &d.tokenPath},
		{"userinfo_endpoint", raw.UserinfoEndpoint, &d.userinfoPath},
		{"jwks_uri", raw.JWKSURI, &d.jwksPath},
	} {
		p, err := endpointPath(e.raw, prefix)
		if err != nil {
			return nil, unavailable("discovery", fmt.Errorf("%s: %w", e.name, err))
		}
		*e.dst = p
	}
	c.s.logger.Debug("fief: discovery loaded", "issuer", d.issuer)
	return d, nil
}

// endpointPath returns the path of an endpoint URL of the discovery
// document, which must lie under the tenant's path prefix.
func endpointPath(raw, prefix string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("missing")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if !u.IsAbs() || u.Path == "" {
		return "", fmt.Errorf("%q is not an absolute URL", raw)
	}
	if !strings.HasPrefix(u.Path, prefix+"/") {
		return "", fmt.Errorf("%q is outside the tenant path %q", raw, prefix)
	}
	return u.Path, nil
}
