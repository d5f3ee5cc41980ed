package fief

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// CheckOptions are the inputs of [Client.Check] that the client does not
// know.
type CheckOptions struct {
	// RedirectURI is the redirect URI the application sends to Fief, such
	// as "https://app.example.com/auth-callback". [fiefhttp.WebFlow] and
	// fiefcli.Auth give theirs with their CheckOptions methods. Empty skips
	// the redirect URI check.
	RedirectURI string

	// RedirectURISkipped says why RedirectURI is empty, for the report.
	// Empty means it was not given.
	RedirectURISkipped string
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
			r.add(name, VerdictSkipped, why, "fix the findings above first")
		}
	} else {
		p.signingKeys(ctx, doc)
		knownClient := p.authorize(ctx, doc, opts)
		p.credentials(ctx, doc, opts.RedirectURI, knownClient)
	}
	p.encryptionKey()
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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		p.r.add(FindingReachable, VerdictFailure, err.Error(), "check "+p.baseField())
		return nil
	}
	req.Header.Set("Accept", "application/json")
	sent := p.c.s.clock()
	resp, err := p.c.s.httpClient.Do(req)
	received := p.c.s.clock()
	if err != nil {
		detail, fix := p.explainTransport(err)
		p.r.add(FindingReachable, VerdictFailure, "GET "+target+": "+detail, fix)
		p.r.add(FindingDiscovery, VerdictSkipped, "Fief cannot be reached", "fix the reachable finding first")
		p.r.add(FindingClock, VerdictSkipped, "Fief cannot be reached", "fix the reachable finding first")
		return nil
	}
	defer resp.Body.Close()
	body, err := readCapped(resp.Body)
	if err != nil {
		p.r.add(FindingReachable, VerdictFailure, "GET "+target+": "+err.Error(), "check that "+p.baseField()+" points at Fief")
		return nil
	}
	if looksLikePlainHTTPToTLS(resp.StatusCode, body) {
		p.r.add(FindingReachable, VerdictFailure, "GET "+target+": this address serves https, not plain http",
			"write https:// in "+p.baseField())
		return nil
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
	var raw struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
		UserinfoEndpoint      string `json:"userinfo_endpoint"`
		JWKSURI               string `json:"jwks_uri"`
	}
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
	p.r.add(FindingClock, VerdictOK, fmt.Sprintf("the local clock is within %s of Fief's", tolerance.Round(time.Second)), "")
}

// signingKeys fetches the key set and adds the signing_keys finding.
func (p *probe) signingKeys(ctx context.Context, doc *discoveryDoc) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := p.c.do(ctx, request{op: "jwks", method: http.MethodGet, path: doc.jwksPath}, &raw); err != nil {
		p.r.add(FindingSigningKeys, VerdictFailure, "the key set cannot be read: "+err.Error(), "look at Fief's logs; the key set is at "+doc.jwksPath)
		return
	}
	usable, bits, problems := classifyKeys(raw.Keys)
	switch {
	case usable == 0 && len(problems) == 0:
		p.r.add(FindingSigningKeys, VerdictFailure, "the key set is empty: no token can be verified",
			"give the tenant a signing key in Fief")
	case usable == 0:
		p.r.add(FindingSigningKeys, VerdictFailure, "no usable signing key: "+strings.Join(problems, "; "),
			fmt.Sprintf("Fief signs tokens with the tenant's RSA key (RS256), which must have at least %d bits: give the tenant such a key (Fief's GENERATED_JWK_SIZE setting, 4096 by default)", minRSABits))
	case len(problems) > 0:
		p.r.add(FindingSigningKeys, VerdictOK, fmt.Sprintf("%d usable RS256 key(s) of %d bits or more; ignored: %s", usable, bits, strings.Join(problems, "; ")), "")
	default:
		p.r.add(FindingSigningKeys, VerdictOK, fmt.Sprintf("%d usable RS256 key(s), the smallest of %d bits", usable, bits), "")
	}
}

// classifyKeys counts the usable signing keys of a key set, with the size
// of the smallest, and says why each other key is not usable. It applies
// the rules of keySet.parse.
func classifyKeys(raws []json.RawMessage) (usable, minBits int, problems []string) {
	for i, raw := range raws {
		var k jose.JSONWebKey
		name := fmt.Sprintf("key %d", i+1)
		if err := k.UnmarshalJSON(raw); err != nil {
			problems = append(problems, name+": unreadable ("+err.Error()+")")
			continue
		}
		if k.KeyID != "" {
			name = fmt.Sprintf("key %q", truncate(k.KeyID, 64))
		}
		pub, ok := k.Key.(*rsa.PublicKey)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: %s, not an RSA public key", name, keyKind(k)))
		case k.Use != "" && k.Use != "sig":
			problems = append(problems, fmt.Sprintf("%s: for %q, not signatures", name, truncate(k.Use, 16)))
		case k.Algorithm != "" && k.Algorithm != string(jose.RS256):
			problems = append(problems, fmt.Sprintf("%s: for %s, not RS256", name, truncate(k.Algorithm, 16)))
		case pub.N.BitLen() < minRSABits:
			problems = append(problems, fmt.Sprintf("%s: RSA of %d bits, under %d", name, pub.N.BitLen(), minRSABits))
		default:
			usable++
			if minBits == 0 || pub.N.BitLen() < minBits {
				minBits = pub.N.BitLen()
			}
		}
	}
	return usable, minBits, problems
}

func keyKind(k jose.JSONWebKey) string {
	switch k.Key.(type) {
	case *rsa.PrivateKey:
		return "an RSA private key"
	case []byte:
		return "a symmetric key"
	}
	return fmt.Sprintf("a %T key", k.Key)
}

// authorize sends the authorization probe and adds the client_id and
// redirect_uri findings. It reports whether Fief knows the client ID.
func (p *probe) authorize(ctx context.Context, doc *discoveryDoc, opts CheckOptions) (knownClient bool) {
	q := url.Values{"client_id": {p.c.s.clientID}, "response_type": {checkResponseType}}
	if opts.RedirectURI != "" {
		q.Set("redirect_uri", opts.RedirectURI)
	}
	target := p.c.backURL(doc.authorizePath) + "?" + q.Encode()
	skipRedirect := func(why string) {
		fix := "give the check the application's redirect URI"
		if opts.RedirectURI == "" {
			if opts.RedirectURISkipped != "" {
				why = opts.RedirectURISkipped
			} else {
				why = "no redirect URI given (CheckOptions.RedirectURI)"
			}
			fix = "set the application's external base URL (fiefhttp.WebConfig.BaseURL) so that its redirect URI is known at startup"
		}
		p.r.add(FindingRedirectURI, VerdictSkipped, why, fix)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		p.r.add(FindingClientID, VerdictFailure, err.Error(), "check Config.ClientID and the redirect URI")
		skipRedirect("the authorization probe could not be sent")
		return false
	}
	hc := *p.c.s.httpClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		p.r.add(FindingClientID, VerdictSkipped, "the authorization endpoint cannot be reached: "+err.Error(), "fix the reachable finding")
		skipRedirect("the authorization endpoint cannot be reached")
		return false
	}
	body, _ := readCapped(resp.Body)
	resp.Body.Close()
	fiefError := resp.Header.Get("X-Fief-Error")
	switch {
	case resp.StatusCode == http.StatusBadRequest && fiefError == "invalid_client":
		p.r.add(FindingClientID, VerdictFailure, fmt.Sprintf("Fief has no client %q in this tenant", truncate(p.c.s.clientID, 64)),
			"check FIEF_CLIENT_ID (Config.ClientID): copy the client ID from Fief's admin (Clients), in the tenant of BaseURL")
		skipRedirect("needs a client ID Fief knows")
		return false
	case resp.StatusCode == http.StatusBadRequest && fiefError == "invalid_redirect_uri":
		p.r.add(FindingClientID, VerdictOK, "Fief knows the client", "")
		if opts.RedirectURI == "" {
			skipRedirect("")
			return true
		}
		p.r.add(FindingRedirectURI, VerdictFailure, fmt.Sprintf("%q is not a redirect URI of the client", opts.RedirectURI),
			fmt.Sprintf("add %q to the client's redirect URIs in Fief (they are compared byte for byte), or change the application's base URL or callback path to one of them", opts.RedirectURI))
		return true
	case resp.StatusCode == http.StatusFound && redirectsWithError(resp.Header.Get("Location"), opts.RedirectURI):
		p.r.add(FindingClientID, VerdictOK, "Fief knows the client", "")
		if opts.RedirectURI == "" { // cannot happen with Fief: it needs one
			skipRedirect("")
		} else {
			p.r.add(FindingRedirectURI, VerdictOK, fmt.Sprintf("%q is a redirect URI of the client", opts.RedirectURI), "")
		}
		return true
	}
	detail := fmt.Sprintf("unexpected answer of the authorization endpoint: HTTP %d", resp.StatusCode)
	if fiefError != "" {
		detail += ", X-Fief-Error " + truncate(fiefError, 64)
	} else {
		detail += " (" + describeBody(body) + ")"
	}
	p.r.add(FindingClientID, VerdictWarning, detail+": cannot tell whether Fief knows the client", "check that "+p.baseField()+" points at Fief")
	skipRedirect("the authorization endpoint answered unexpectedly")
	return false
}

// redirectsWithError reports whether location is redirectURI carrying
// error=invalid_request, Fief's answer to the probe's response_type.
func redirectsWithError(location, redirectURI string) bool {
	if redirectURI == "" || !strings.HasPrefix(location, redirectURI) {
		return false
	}
	u, err := url.Parse(location)
	return err == nil && u.Query().Get("error") == "invalid_request"
}

// credentialOutcome is how the token endpoint took a probe.
type credentialOutcome int

const (
	credAccepted credentialOutcome = iota // invalid_grant: client authenticated, code refused
	credRefused                           // invalid_client
	credUnclear                           // anything else
)

// tokenProbe posts a random code to the token endpoint, with or without
// the secret and the PKCE verifier.
func (p *probe) tokenProbe(ctx context.Context, doc *discoveryDoc, redirectURI string, secret, verifier bool) (credentialOutcome, error) {
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {randomString(32)},
		"redirect_uri": {redirectURI},
		"client_id":    {p.c.s.clientID},
	}
	if verifier {
		form.Set("code_verifier", randomString(32))
	}
	if secret {
		form.Set("client_secret", p.c.s.clientSecret)
	}
	var ignored json.RawMessage
	err := p.c.do(ctx, request{op: "token check", method: http.MethodPost, path: doc.tokenPath, form: form}, &ignored)
	var re *ResponseError
	switch {
	case errors.As(err, &re) && re.Code == "invalid_grant":
		return credAccepted, nil
	case errors.As(err, &re) && re.Code == "invalid_client":
		return credRefused, nil
	case err == nil:
		return credUnclear, errors.New("the token endpoint accepted a random code")
	}
	return credUnclear, err
}

// credentials adds the client_credentials finding.
func (p *probe) credentials(ctx context.Context, doc *discoveryDoc, redirectURI string, knownClient bool) {
	if redirectURI == "" {
		redirectURI = checkRedirectURI
	}
	hasSecret := p.c.s.clientSecret != ""
	unclear := func(err error) {
		p.r.add(FindingCredentials, VerdictWarning, "cannot tell whether Fief accepts the client: "+err.Error(), "check that "+p.baseField()+" points at Fief")
	}
	// As a sign-in does: the secret when configured, and a PKCE verifier.
	first, err := p.tokenProbe(ctx, doc, redirectURI, hasSecret, true)
	if first == credUnclear {
		unclear(err)
		return
	}
	unknownID := "the client ID is unknown (see client_id): check FIEF_CLIENT_ID (Config.ClientID)"
	switch {
	case first == credAccepted && !hasSecret:
		p.r.add(FindingCredentials, VerdictOK, "Fief accepts the client without a secret: a public client, using PKCE", "")
	case first == credAccepted:
		// A public client passes with any secret when a verifier is sent:
		// without the verifier, only the right secret passes.
		again, err := p.tokenProbe(ctx, doc, redirectURI, true, false)
		switch again {
		case credAccepted:
			p.r.add(FindingCredentials, VerdictOK, "Fief accepts the client ID and secret", "")
		case credRefused:
			p.r.add(FindingCredentials, VerdictWarning,
				"the client is public and the configured secret is not its secret: Fief lets it through only because a public client using PKCE needs no secret",
				"remove FIEF_CLIENT_SECRET (Config.ClientSecret): a public client needs none; or set it to the client's secret")
		default:
			unclear(err)
		}
	case !hasSecret:
		fix := "the client is confidential: set FIEF_CLIENT_SECRET (Config.ClientSecret) to its secret, or make the client public in Fief (sign-ins then rely on PKCE)"
		if !knownClient {
			fix = unknownID
		}
		p.r.add(FindingCredentials, VerdictFailure, "Fief refused the client without a secret (invalid_client)", fix)
	default:
		// Refused with the secret: a public client passes without it.
		again, err := p.tokenProbe(ctx, doc, redirectURI, false, true)
		switch {
		case again == credAccepted:
			p.r.add(FindingCredentials, VerdictFailure, "Fief refused the secret but accepts the client without one (invalid_client, then invalid_grant)",
				"this client is public: remove FIEF_CLIENT_SECRET (Config.ClientSecret)")
		case again == credUnclear:
			unclear(err)
		case !knownClient:
			p.r.add(FindingCredentials, VerdictFailure, "Fief refused the client ID and secret (invalid_client)", unknownID)
		default:
			p.r.add(FindingCredentials, VerdictFailure, "Fief refused the client ID and secret (invalid_client)",
				"the secret is wrong: copy the client's secret from Fief's admin (Clients) into FIEF_CLIENT_SECRET (Config.ClientSecret)")
		}
	}
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
