package fieftest

import (
	"crypto/subtle"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// adminPrefix is where the admin API is mounted, at the root of the
// server whatever the tenant.
const adminPrefix = "/admin/api"

// adminHandler handles an admin API request; ids are the UUIDs of the
// path, in order. It runs after the admin key was checked.
type adminHandler func(s *Server, w http.ResponseWriter, r *http.Request, ids []string)

type adminRoute struct {
	pattern string // relative to adminPrefix; "{name}" stands for a UUID
	method  string
	handle  adminHandler
}

var adminRoutes = []adminRoute{
	{"/users/", "GET", (*Server).adminListUsers},
	{"/users/", "POST", (*Server).adminCreateUser},
	{"/users/{id}", "GET", (*Server).adminGetUser},
	{"/users/{id}", "PATCH", (*Server).adminUpdateUser},
	{"/users/{id}", "DELETE", (*Server).adminDeleteUser},
	{"/users/{id}/access-token", "POST", (*Server).adminUserAccessToken},
	{"/users/{id}/permissions", "GET", (*Server).adminListUserPermissions},
	{"/users/{id}/permissions", "POST", (*Server).adminAddUserPermission},
	{"/users/{id}/permissions/{permission_id}", "DELETE", (*Server).adminRemoveUserPermission},
	{"/users/{id}/roles", "GET", (*Server).adminListUserRoles},
	{"/users/{id}/roles", "POST", (*Server).adminAddUserRole},
	{"/users/{id}/roles/{role_id}", "DELETE", (*Server).adminRemoveUserRole},
	{"/users/{id}/oauth-accounts", "GET", (*Server).adminListUserOAuthAccounts},
	{"/permissions/", "GET", (*Server).adminListPermissions},
	{"/permissions/", "POST", (*Server).adminCreatePermission},
	{"/permissions/{id}", "GET", (*Server).adminGetPermission},
	{"/permissions/{id}", "PATCH", (*Server).adminUpdatePermission},
	{"/permissions/{id}", "DELETE", (*Server).adminDeletePermission},
	{"/roles/", "GET", (*Server).adminListRoles},
	{"/roles/", "POST", (*Server).adminCreateRole},
	{"/roles/{id}", "GET", (*Server).adminGetRole},
	{"/roles/{id}", "PATCH", (*Server).adminUpdateRole},
	{"/roles/{id}", "DELETE", (*Server).adminDeleteRole},
	{"/clients/", "GET", (*Server).adminListClients},
	{"/clients/", "POST", (*Server).adminCreateClient},
	{"/clients/{id}", "GET", (*Server).adminGetClient},
	{"/clients/{id}", "PATCH", (*Server).adminUpdateClient},
	{"/clients/{id}", "DELETE", (*Server).adminDeleteClient},
	{"/clients/{id}/encryption-key", "POST", (*Server).adminClientEncryptionKey},
	{"/tenants/", "GET", (*Server).adminListTenants},
	{"/tenants/", "POST", (*Server).adminCreateTenant},
	{"/tenants/{id}", "GET", (*Server).adminGetTenant},
	{"/tenants/{id}", "PATCH", (*Server).adminUpdateTenant},
	{"/tenants/{id}", "DELETE", (*Server).adminDeleteTenant},
	{"/webhooks/", "GET", (*Server).adminListWebhooks},
	{"/webhooks/", "POST", (*Server).adminCreateWebhook},
	{"/webhooks/{id}", "GET", (*Server).adminGetWebhook},
	{"/webhooks/{id}", "PATCH", (*Server).adminUpdateWebhook},
	{"/webhooks/{id}", "DELETE", (*Server).adminDeleteWebhook},
	{"/webhooks/{id}/secret", "POST", (*Server).adminWebhookSecret},
	{"/webhooks/{id}/logs", "GET", (*Server).adminWebhookLogs},
	{"/email-templates/", "GET", (*Server).adminListEmailTemplates},
	{"/email-templates/{id}", "GET", (*Server).adminGetEmailTemplate},
	{"/email-templates/{id}", "PATCH", (*Server).adminUpdateEmailTemplate},
	{"/oauth-providers/", "GET", (*Server).adminListOAuthProviders},
	{"/oauth-providers/", "POST", (*Server).adminCreateOAuthProvider},
	{"/oauth-providers/{id}", "GET", (*Server).adminGetOAuthProvider},
	{"/oauth-providers/{id}", "PATCH", (*Server).adminUpdateOAuthProvider},
	{"/oauth-providers/{id}", "DELETE", (*Server).adminDeleteOAuthProvider},
	{"/oauth-providers/{id}/access-token/{user_id}", "GET", (*Server).adminOAuthProviderAccessToken},
	{"/user-fields/", "GET", (*Server).adminListUserFields},
	{"/user-fields/", "POST", (*Server).adminCreateUserField},
	{"/user-fields/{id}", "GET", (*Server).adminGetUserField},
	{"/user-fields/{id}", "PATCH", (*Server).adminUpdateUserField},
	{"/user-fields/{id}", "DELETE", (*Server).adminDeleteUserField},
	{mailPath, "GET", (*Server).adminMail},
	{mailPath, "DELETE", (*Server).adminMail},
}

// pathUUID is Starlette's uuid path convertor: lower-case hex only.
var pathUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// matchAdmin matches path against pattern and returns the UUIDs it holds.
func matchAdmin(pattern, path string) ([]string, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	var ids []string
	for i, p := range ps {
		switch {
		case strings.HasPrefix(p, "{") && pathUUID.MatchString(xs[i]):
			ids = append(ids, xs[i])
		case p != xs[i]:
			return nil, false
		}
	}
	return ids, true
}

// uuid4Errors checks that the UUIDs of a path are of version 4, as Fief's
// handlers declare them (pydantic's UUID4), where the route matches any
// UUID.
func uuid4Errors(pattern string, ids []string) []v1Error {
	var errs []v1Error
	names := []string{}
	for _, p := range strings.Split(pattern, "/") {
		if strings.HasPrefix(p, "{") {
			names = append(names, strings.Trim(p, "{}"))
		}
	}
	for i, id := range ids {
		if !isUUID4(id) {
			e := uuid4Error([]any{"path", names[i]})
			e.input, e.hasInput = id, true
			errs = append(errs, e)
		}
	}
	return errs
}

// isUUID4 reports whether a canonical UUID is of version 4.
func isUUID4(id string) bool { return len(id) == 36 && id[14] == '4' }

func uuid4Error(loc []any) v1Error {
	return v1Error{Loc: loc, Msg: "uuid version 4 expected", Type: "value_error.uuid.version", Ctx: map[string]any{"required_version": 4}}
}

// serveAdmin serves the admin API, in Starlette's order: route matching
// (404, or 307 to the path with a trailing slash, or 405), then the admin
// key (401), then the handler. The OpenAPI document, FastAPI's first
// route, needs no key.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	legacy := s.legacyLocked()
	s.mu.Unlock()
	w = &adminWriter{ResponseWriter: w, legacy: legacy, r: r}
	path := strings.TrimPrefix(r.URL.Path, adminPrefix)
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet // Starlette serves HEAD wherever it serves GET
	}
	if path == openAPIPath {
		s.serveOpenAPI(w, r)
		return
	}
	var allowed []string
	for _, rt := range adminRoutes {
		ids, ok := matchAdmin(rt.pattern, path)
		if !ok {
			continue
		}
		if rt.method != method {
			allowed = append(allowed, rt.method)
			continue
		}
		if !s.adminAuthorized(r) {
			writeDetail(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		if errs := uuid4Errors(rt.pattern, ids); len(errs) > 0 {
			writeV1Errors(w, errs)
			return
		}
		rt.handle(s, w, r, ids)
		return
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if other := toggleSlash(path); other != "" && (other == openAPIPath || slices.ContainsFunc(adminRoutes, func(rt adminRoute) bool {
		_, ok := matchAdmin(rt.pattern, other)
		return ok
	})) {
		// Starlette's redirect_slashes: the same path with or without its
		// trailing slash.
		u := *r.URL
		u.Path = adminPrefix + other
		u.Scheme, u.Host = requestScheme(r), requestHost(r)
		w.Header().Set("Location", u.String())
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	writeDetail(w, http.StatusNotFound, "Not Found")
}

// toggleSlash adds a trailing slash to path, or removes it ("" for "/").
func toggleSlash(path string) string {
	if p, ok := strings.CutSuffix(path, "/"); ok {
		return p
	}
	return path + "/"
}

// adminAuthorized checks the Authorization header against the admin key:
// scheme Bearer (any case), compared in constant time.
func (s *Server) adminAuthorized(r *http.Request) bool {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || token == "" {
		return false
	}
	key := s.AdminAPIKey()
	return subtle.ConstantTimeCompare([]byte(token), []byte(key)) == 1
}

// writeNoContent answers 204 with an empty body.
func writeNoContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

// writeNotFound answers 404 {"detail":"Not Found"}.
func writeNotFound(w http.ResponseWriter) {
	writeDetail(w, http.StatusNotFound, "Not Found")
}
