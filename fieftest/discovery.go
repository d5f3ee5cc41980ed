package fieftest

import (
	"net/http"
)

// discoveryDocument is the exact key set of Fief's discovery document.
type discoveryDocument struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	RegistrationEndpoint              string   `json:"registration_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ServiceDocumentation              string   `json:"service_documentation"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	ACRValuesSupported                []string `json:"acr_values_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValues           []string `json:"id_token_signing_alg_values_supported"`
	IDTokenEncryptionAlgValues        []string `json:"id_token_encryption_alg_values_supported"`
	IDTokenEncryptionEncValues        []string `json:"id_token_encryption_enc_values_supported"`
	UserinfoSigningAlgValues          []string `json:"userinfo_signing_alg_values_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
}

// handleDiscovery serves /.well-known/openid-configuration: endpoints on
// the request's scheme and host (X-Forwarded-Host first), issuer fixed.
func (s *Server) handleDiscovery(t *Tenant, w http.ResponseWriter, r *http.Request) {
	base := absoluteURL(r, t.prefix())
	writeJSON(w, http.StatusOK, discoveryDocument{
		Issuer:                            t.Issuer(),
		AuthorizationEndpoint:             base + "/authorize",
		TokenEndpoint:                     base + "/api/token",
		JWKSURI:                           base + "/.well-known/jwks.json",
		RegistrationEndpoint:              base + "/register",
		ScopesSupported:                   []string{"openid", "offline_access"},
		ResponseTypesSupported:            responseTypes,
		ResponseModesSupported:            []string{"query", "fragment"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		ServiceDocumentation:              "https://docs.fief.dev",
		CodeChallengeMethodsSupported:     []string{"plain", "S256"},
		UserinfoEndpoint:                  base + "/api/userinfo",
		ACRValuesSupported:                []string{"0", "1"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValues:           []string{"RS256"},
		IDTokenEncryptionAlgValues:        []string{"RSA-OAEP-256"},
		IDTokenEncryptionEncValues:        []string{"A256CBC-HS512"},
		UserinfoSigningAlgValues:          []string{"none"},
		ClaimsSupported:                   []string{"email", "email_verified", "is_active", "tenant_id", "fields"},
		RequestParameterSupported:         false,
	})
}

// handleJWKS serves /.well-known/jwks.json.
func (s *Server) handleJWKS(t *Tenant, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(t.PublicJWKS())
}

var responseTypes = []string{"code", "code id_token", "code token", "code id_token token"}
