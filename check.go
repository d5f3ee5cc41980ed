package fief

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CheckOptions are the inputs of [Client.Check] that the client does not
// know.
type CheckOptions struct {
	// RedirectURI is the redirect URI the application sends to Fief, such
	// as "https://app.example.com/auth-callback". fiefhttp.WebFlow and
	// fiefcli.Auth give theirs with their CheckOptions methods. Empty skips
	// the redirect URI check.
	RedirectURI string

	// RedirectURISkipped says why RedirectURI is empty, for the report.
	// Empty means it was not given.
	RedirectURISkipped string

	// Findings are the application's own, added to the report after
	// Fief's: fiefhttp.WebFlow's CheckOptions gives the finding of its
	// session store, for instance.
	Findings []Finding
}

// checkResponseType is the response_type of the authorization probe: not
// one Fief knows, so that Fief answers with an error once it has checked
// the client ID and the redirect URI, and creates nothing.
const checkResponseType = "fief-go-check"

// checkRedirectURI is the redirect URI sent to the token endpoint when the
// real one is unknown: Fief refuses a random code before comparing it.
const checkRedirectURI = "http://localhost/fief-go-check"

// Check asks Fief whether the client's configuration works, and reports
// each finding with what to change. Call it at startup (print the report
// unless [Report.OK], and stop on [Report.Failed]), from a "doctor"
// command, or behind a health endpoint ([Report] is an [http.Handler]).
// See [CheckConfig] to check a [Config] that [New] may refuse.
//
// It makes no change on Fief: it reads the discovery document and the key
// set, sends GET /authorize with the client ID, the redirect URI and an
// invalid response_type (Fief checks the first two, then refuses the third
// without starting a sign-in), and POST /api/token with a random code and
// PKCE verifier, authenticated as configured (Fief checks the client's
// credentials, then refuses the code). In order, the findings are:
//
//   - reachable: Fief answers at the base URL (InternalBaseURL when set), and
//     over the right scheme;
//   - discovery: a tenant answers at the base URL's path, and its discovery
//     document is Fief's;
//   - clock: the local clock (Config.Clock) is within half the leeway of
//     Fief's Date header, else a warning with both times;
//   - signing_keys: the key set holds an RS256 key of at least 2048 bits;
//   - client_id and redirect_uri: Fief knows the client ID in this tenant,
//     and the redirect URI (skipped without [CheckOptions].RedirectURI);
//   - client_credentials: the token endpoint accepts the client ID and
//     secret; a refusal tells an unknown client, a wrong secret, and a
//     public/confidential mix-up apart;
//   - encryption_key: whether ID tokens are expected encrypted. Whether
//     Fief encrypts them shows only at a sign-in, where a mismatch is an
//     [ErrEncryptionMismatch].
//   - key_set_age: the key set the client holds ([Client.KeySetStatus]):
//     a warning when it is past its maximum age and fetching it again
//     fails, a failure past [Config].JWKSMaxStaleness. Useful behind a
//     health endpoint; at startup the set is not loaded yet.
//
// A check that needs an earlier one that failed is skipped. Check does not
// use or change the client's caches. The report never holds the secret.
func (c *Client) Check(ctx context.Context, opts CheckOptions) *Report {
	r := &Report{BaseURL: c.BaseURL(), ClientID: c.s.clientID}
	p := &probe{c: c, r: r}
	doc := p.discovery(ctx)
	if doc == nil {
		const why = "needs Fief's discovery document (see above)"
		for _, name := range []string{FindingSigningKeys, FindingClientID, FindingRedirectURI, FindingCredentials} {
			r.add(name, VerdictSkipped, why, "")
		}
	} else {
		p.signingKeys(ctx, doc)
		knownClient := p.authorize(ctx, doc, opts)
		p.credentials(ctx, doc, opts.RedirectURI, knownClient)
	}
	p.encryptionKey()
	p.keySetAge()
	r.Findings = append(r.Findings, opts.Findings...)
	return r
}

// probe runs the checks of one report.
type probe struct {
	c *Client
	r *Report
}

// baseField names the configuration field of the back-channel URL.
func (p *probe) baseField() string {
	if p.c.s.internalBase != p.c.s.publicBase {
		return "InternalBaseURL"
	}
	return "BaseURL (FIEF_BASE_URL)"
}

// discovery fetches and judges the discovery document; it adds the
// reachable, discovery and clock findings and returns the document, or nil.
func (p *probe) discovery(ctx context.Context) *discoveryDoc {
	prefix := p.c.s.publicBase.Path
	target := p.c.backURL(prefix + "/.well-known/openid-configuration")
	unreachable := func(detail, fix string) *discoveryDoc {
		p.r.add(FindingReachable, VerdictFailure, "GET "+target+": "+detail, fix)
		p.r.add(FindingDiscovery, VerdictSkipped, "Fief cannot be reached", "")
		p.r.add(FindingClock, VerdictSkipped, "Fief cannot be reached", "")
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return unreachable(err.Error(), "check "+p.baseField())
	}
	req.Header.Set("Accept", "application/json")
	sent := p.c.s.clock()
	resp, err := p.c.s.httpClient.Do(req)
	received := p.c.s.clock()
	if err != nil {
		return unreachable(p.explainTransport(err))
	}
	defer resp.Body.Close()
	body, err := readCapped(resp.Body)
	if err != nil {
		return unreachable(err.Error(), "check that "+p.baseField()+" points at Fief")
	}
	if looksLikePlainHTTPToTLS(resp.StatusCode, body) {
		return unreachable("this address serves https, not plain http", "write https:// in "+p.baseField())
	}
	reach := "Fief answered GET " + target
	if final := resp.Request.URL; final.Scheme != req.URL.Scheme || final.Host != req.URL.Host {
		p.r.add(FindingReachable, VerdictWarning, reach+", through a redirect to "+final.Scheme+"://"+final.Host,
			"write "+final.Scheme+"://"+final.Host+" in "+p.baseField()+": every request now takes a redirect, and POST requests do not survive one")
	} else {
		p.r.add(FindingReachable, VerdictOK, reach, "")
	}
	doc := p.judgeDiscovery(resp.StatusCode, body, prefix)
	p.clock(resp.Header.Get("Date"), sent, received)
	return doc
}

// judgeDiscovery adds the discovery finding.
func (p *probe) judgeDiscovery(status int, body []byte, prefix string) *discoveryDoc {
	notFief := "point " + p.baseField() + " at Fief's base URL for the tenant, such as https://fief.example.com or https://fief.example.com/<tenant-slug>"
	switch {
	case status == http.StatusBadRequest || status == http.StatusNotFound:
		p.r.add(FindingDiscovery, VerdictFailure, fmt.Sprintf("no Fief tenant at the path %q: the discovery document answered HTTP %d", orRoot(prefix), status), hintTenantPath)
		return nil
	case status >= 400 && status < 500:
		p.r.add(FindingDiscovery, VerdictFailure, fmt.Sprintf("the discovery document answered HTTP %d", status), hintTenantPath)
		return nil
	case status >= 500:
		p.r.add(FindingDiscovery, VerdictFailure, fmt.Sprintf("Fief answered HTTP %d: it runs but fails", status),
			"look at Fief's logs and its /healthz (database or Redis unavailable?)")
		return nil
	case status != http.StatusOK:
		p.r.add(FindingDiscovery, VerdictFailure, fmt.Sprintf("the discovery document answered HTTP %d", status), notFief)
		return nil
	}
	var raw discoveryJSON
	if err := json.Unmarshal(body, &raw); err != nil {
		p.r.add(FindingDiscovery, VerdictFailure, "the answer is not a discovery document ("+describeBody(body)+", not JSON): this is not Fief", notFief)
		return nil
	}
	if raw.Issuer == "" {
		p.r.add(FindingDiscovery, VerdictFailure, "the answer is JSON but not an OpenID discovery document (no issuer): this is not Fief", notFief)
		return nil
	}
	doc := &discoveryDoc{issuer: raw.Issuer}
	for _, e := range []struct {
		name, raw, want string
		dst             *string
	}{
		{"authorization_endpoint", raw.AuthorizationEndpoint, "/authorize", &doc.authorizePath},
		{"token_endpoint", raw.TokenEndpoint, "/api/token", &doc.tokenPath},
		{"userinfo_endpoint", raw.UserinfoEndpoint, "/api/userinfo", &doc.userinfoPath},
		{"jwks_uri", raw.JWKSURI, "/.well-known/jwks.json", &doc.jwksPath},
	} {
		path, err := endpointPath(e.raw, prefix)
		if err != nil {
			p.r.add(FindingDiscovery, VerdictFailure, fmt.Sprintf("%s: %v", e.name, err), hintTenantPath)
			return nil
		}
		if path != prefix+e.want {
			p.r.add(FindingDiscovery, VerdictFailure,
				fmt.Sprintf("an OpenID provider, but not Fief: its %s is %q, Fief's is %q", e.name, truncate(path, 128), prefix+e.want),
				"this library talks to Fief only: "+notFief)
			return nil
		}
		*e.dst = path
	}
	p.r.add(FindingDiscovery, VerdictOK, "Fief's discovery document, issuer "+doc.issuer, "")
	return doc
}

func orRoot(prefix string) string {
	if prefix == "" {
		return "/"
	}
	return prefix
}

// looksLikePlainHTTPToTLS recognises the answer of a TLS server to a
// plain-http request (Go's and nginx's wording).
func looksLikePlainHTTPToTLS(status int, body []byte) bool {
	if status != http.StatusBadRequest {
		return false
	}
	s := strings.ToLower(string(body))
	return strings.Contains(s, "http request to an https server") || strings.Contains(s, "plain http request was sent to https port")
}

// clock adds the clock finding from Fief's Date header.
func (p *probe) clock(date string, sent, received time.Time) {
	if date == "" {
		p.r.add(FindingClock, VerdictSkipped, "Fief's answer has no Date header", "nothing to do, unless a proxy strips the header")
		return
	}
	fiefTime, err := http.ParseTime(date)
	if err != nil {
		p.r.add(FindingClock, VerdictSkipped, fmt.Sprintf("Fief's Date header %q is not a date", truncate(date, 64)), "nothing to do, unless a proxy rewrites the header")
		return
	}
	local := sent.Add(received.Sub(sent) / 2)
	// The Date header has whole seconds: Fief's time is in [date, date+1s).
	skew := fiefTime.Add(500 * time.Millisecond).Sub(local)
	tolerance := p.c.s.leeway/2 + 500*time.Millisecond + received.Sub(sent)/2
	if skew.Abs() > tolerance {
		dir := "behind"
		if skew < 0 {
			dir = "ahead of"
		}
		p.r.add(FindingClock, VerdictWarning,
			fmt.Sprintf("the local clock says %s, Fief's %s: the local clock is %s %s Fief's, more than half the leeway (%s)",
				local.UTC().Format(time.RFC3339), fiefTime.UTC().Format(time.RFC3339), skew.Abs().Round(time.Second), dir, p.c.s.leeway),
			"synchronise the clocks of this machine and of Fief (NTP); fresh tokens may be refused as not yet valid or expired")
		return
	}
	p.r.add(FindingClock, VerdictOK, fmt.Sprintf("the local clock agrees with Fief's Date header, within half the leeway (%s)", p.c.s.leeway/2), "")
}

// encryptionKey adds the encryption_key finding.
func (p *probe) encryptionKey() {
	if p.c.s.encKey == nil {
		p.r.add(FindingEncryptionKey, VerdictOK, "not set: the client expects plain ID tokens (a client with an encryption key in Fief fails at sign-in with ErrEncryptionMismatch)", "")
		return
	}
	bits := p.c.s.encKey.Key.(*rsa.PrivateKey).N.BitLen()
	p.r.add(FindingEncryptionKey, VerdictOK, fmt.Sprintf("a private RSA key of %d bits: the client expects encrypted ID tokens (a client without an encryption key in Fief fails at sign-in with ErrEncryptionMismatch)", bits), "")
}
