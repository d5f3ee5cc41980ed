package fief

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Verdict is the outcome of one [Finding] of a [Report].
type Verdict int

// The verdicts, from best to worst.
const (
	// VerdictOK: the setting works.
	VerdictOK Verdict = iota
	// VerdictSkipped: the check could not run; the finding says why.
	VerdictSkipped
	// VerdictWarning: the setting works, but something is likely to go
	// wrong or is not what was meant.
	VerdictWarning
	// VerdictFailure: the setting does not work; sign-ins or token checks
	// fail until it is fixed.
	VerdictFailure
)

var verdictNames = [...]string{"ok", "skipped", "warning", "failure"}

// String returns "ok", "skipped", "warning" or "failure".
func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return fmt.Sprintf("Verdict(%d)", int(v))
	}
	return verdictNames[v]
}

// MarshalText encodes the verdict as its String.
func (v Verdict) MarshalText() ([]byte, error) {
	if v < 0 || int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("fief: invalid verdict %d", int(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText decodes a verdict from its String.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if string(b) == n {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("fief: unknown verdict %q", truncate(string(b), 32))
}

// Names of the findings of [Client.Check] and [CheckConfig].
const (
	FindingBaseURL         = "base_url"           // BaseURL is a valid URL
	FindingInternalBaseURL = "internal_base_url"  // InternalBaseURL is a valid URL
	FindingReachable       = "reachable"          // Fief answers at the base URL, over the right scheme
	FindingDiscovery       = "discovery"          // the tenant exists and its discovery document is Fief's
	FindingClock           = "clock"              // the local clock agrees with Fief's
	FindingSigningKeys     = "signing_keys"       // the key set holds an RS256 key of at least 2048 bits
	FindingClientID        = "client_id"          // Fief knows the client ID in this tenant
	FindingRedirectURI     = "redirect_uri"       // the redirect URI is registered on the client
	FindingCredentials     = "client_credentials" // the token endpoint accepts the client as configured
	FindingEncryptionKey   = "encryption_key"     // the encryption key, when set, is a private RSA key
	FindingKeySetAge       = "key_set_age"        // the client's own key set is not past its maximum staleness
)

// Finding is one check of a [Report].
type Finding struct {
	// Name says what was checked; one of the Finding... constants.
	Name string `json:"name"`
	// Verdict is the outcome.
	Verdict Verdict `json:"verdict"`
	// Detail says what was found. It never holds a secret or a token.
	Detail string `json:"detail"`
	// Fix says what to change, for a warning or a failure, and for a check
	// skipped for want of a setting. It is empty for a check skipped
	// because an earlier one failed.
	Fix string `json:"fix,omitempty"`
}

// Report is the outcome of [Client.Check] or [CheckConfig]: one [Finding]
// per check, in the order they ran. Its String is a table for a terminal
// or a log; as an [http.Handler] it answers its JSON form, for a health
// endpoint.
type Report struct {
	// BaseURL is the tenant base URL checked.
	BaseURL string `json:"base_url"`
	// ClientID is the client ID checked.
	ClientID string `json:"client_id"`
	// Findings are the checks, in the order they ran.
	Findings []Finding `json:"findings"`
}

// Verdict returns the worst verdict of the findings (VerdictOK for none).
func (r *Report) Verdict() Verdict {
	worst := VerdictOK
	for _, f := range r.Findings {
		worst = max(worst, f.Verdict)
	}
	return worst
}

// OK reports whether no check gave a warning or a failure: nothing needs
// attention. Skipped checks do not count (an API has no redirect URI to
// check, for instance).
func (r *Report) OK() bool { return r.Verdict() <= VerdictSkipped }

// Failed reports whether a check failed: the configuration does not work.
func (r *Report) Failed() bool { return r.Verdict() == VerdictFailure }

// Finding returns the finding named name.
func (r *Report) Finding(name string) (Finding, bool) {
	for _, f := range r.Findings {
		if f.Name == name {
			return f, true
		}
	}
	return Finding{}, false
}

func (r *Report) add(name string, v Verdict, detail, fix string) {
	r.Findings = append(r.Findings, Finding{Name: name, Verdict: v, Detail: detail, Fix: fix})
}

// String returns the report as a text table, one finding per line with its
// fix on the next line:
//
//	Fief check of http://localhost:8000 (client ID "demo"): failure
//	  ok       reachable           Fief answered GET http://localhost:8000/.well-known/openid-configuration
//	  FAILURE  client_credentials  Fief refused the client ID and secret (invalid_client)
//	                               fix: the secret is wrong: ...
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fief check of %s (client ID %q): %s\n", r.BaseURL, r.ClientID, r.Verdict())
	width := 0
	for _, f := range r.Findings {
		width = max(width, len(f.Name))
	}
	indent := strings.Repeat(" ", 2+9+width+2)
	for _, f := range r.Findings {
		v := f.Verdict.String()
		if f.Verdict >= VerdictWarning {
			v = strings.ToUpper(v)
		}
		fmt.Fprintf(&b, "  %-8s %-*s  %s\n", v, width, f.Name, f.Detail)
		if f.Fix != "" && f.Verdict != VerdictOK {
			fmt.Fprintf(&b, "%sfix: %s\n", indent, f.Fix)
		}
	}
	return b.String()
}

// MarshalJSON encodes the report with its overall verdict:
// {"verdict": "...", "base_url": "...", "client_id": "...", "findings": [...]}.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		Verdict Verdict `json:"verdict"`
		*plain
	}{r.Verdict(), (*plain)(r)})
}

// ServeHTTP answers the report as JSON, with status 503 when a check
// failed and 200 otherwise, for a health or readiness endpoint. The report
// holds no secret, but it does describe the setup: serve it where only
// operators can reach it.
func (r *Report) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, err := json.Marshal(r)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	status := http.StatusOK
	if r.Failed() {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
