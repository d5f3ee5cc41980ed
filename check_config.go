package fief

import (
	"context"
	"errors"
	"strings"
)

// CheckConfig checks cfg and, when [New] accepts it, what Fief says of it
// with [Client.Check]. It returns the report and the client, nil when the
// configuration is invalid. Unlike New, which stops at the first invalid
// field, the report names every one (base_url, internal_base_url,
// client_id, encryption_key), with what to write instead.
func CheckConfig(ctx context.Context, cfg Config, opts CheckOptions) (*Client, *Report) {
	r := &Report{BaseURL: cfg.BaseURL, ClientID: cfg.ClientID}
	urlFix := "set BaseURL (FIEF_BASE_URL) to the tenant's base URL, such as https://fief.example.com or https://fief.example.com/<tenant-slug>"
	pub, err := parseBaseURL("BaseURL", cfg.BaseURL)
	if err != nil {
		r.add(FindingBaseURL, VerdictFailure, reason(err), urlFix)
	}
	if cfg.InternalBaseURL != "" {
		internal, err := parseBaseURL("InternalBaseURL", cfg.InternalBaseURL)
		switch {
		case err != nil:
			r.add(FindingInternalBaseURL, VerdictFailure, reason(err), "set InternalBaseURL to the URL of Fief inside your network, with the tenant path of BaseURL, or leave it empty")
		case pub != nil && internal.Path != pub.Path:
			r.add(FindingInternalBaseURL, VerdictFailure, "its tenant path \""+internal.Path+"\" differs from BaseURL's \""+pub.Path+"\"", "give InternalBaseURL the tenant path of BaseURL")
		}
	}
	if strings.TrimSpace(cfg.ClientID) == "" {
		r.add(FindingClientID, VerdictFailure, "empty", "set FIEF_CLIENT_ID (Config.ClientID) to the client ID shown in Fief's admin (Clients)")
	}
	if cfg.EncryptionKey != "" {
		if _, err := parseEncryptionKey(cfg.EncryptionKey); err != nil {
			r.add(FindingEncryptionKey, VerdictFailure, "not a private RSA key: "+reason(err),
				"set FIEF_ENCRYPTION_KEY (Config.EncryptionKey) to the private JWK Fief showed when the client's encryption key was made (a JSON object with \"kty\":\"RSA\" and \"d\"), or leave it empty")
		}
	}
	if len(r.Findings) > 0 {
		return nil, r
	}
	c, err := New(cfg)
	if err != nil { // every field was checked above; kept for safety
		r.add(FindingBaseURL, VerdictFailure, err.Error(), "fix the configuration")
		return nil, r
	}
	cr := c.Check(ctx, opts)
	return c, cr
}

// reason returns the reason of a *ConfigError, or the error's text.
func reason(err error) string {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return err.Error()
}
