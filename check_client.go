package fief

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// authorize sends the authorization probe and adds the client_id and
// redirect_uri findings. It reports whether Fief knows the client ID.
func (p *probe) authorize(ctx context.Context, doc *discoveryDoc, opts CheckOptions) (knownClient bool) {
	q := url.Values{"client_id": {p.c.s.clientID}, "response_type": {checkResponseType}}
	if opts.RedirectURI != "" {
		q.Set("redirect_uri", opts.RedirectURI)
	}
	target := p.c.backURL(doc.authorizePath) + "?" + q.Encode()
	skipRedirect := func(why string) {
		fix := ""
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
		p.r.add(FindingClientID, VerdictWarning, "the authorization endpoint cannot be reached: "+err.Error(), "check that "+p.baseField()+" points at Fief")
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
