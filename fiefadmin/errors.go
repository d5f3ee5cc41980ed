package fiefadmin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/internal/redact"
)

// Sentinel errors for the status of an error answer, to be tested with
// [errors.Is]. Every error answer is an [*Error] that wraps one of them (or
// [fief.ErrUnavailable] for a 5xx answer).
var (
	// ErrBadRequest: Fief refused the request for a business reason (HTTP
	// 400); the [Error.Code] says which, and the error is also that [Code].
	ErrBadRequest = errors.New("fiefadmin: request refused")
	// ErrUnauthorized: the admin API key is missing or wrong (HTTP 401).
	ErrUnauthorized = errors.New("fiefadmin: admin API key refused")
	// ErrForbidden: the admin API key belongs to another workspace (HTTP
	// 403).
	ErrForbidden = errors.New("fiefadmin: forbidden")
	// ErrNotFound: no such object (HTTP 404), or, when removing a user's
	// permission or role, the user does not hold it directly.
	ErrNotFound = errors.New("fiefadmin: not found")
	// ErrInvalid: Fief's validation refused the request (HTTP 422); the
	// [Error.Fields] say what.
	ErrInvalid = errors.New("fiefadmin: invalid request")
)

// ErrRedirected: the server answered with a redirect (HTTP 3xx), which the
// client does not follow: the request would carry the admin key to
// wherever the redirect points, perhaps over plain http or to another
// host. [Error.Detail] names where it pointed (scheme, host and path);
// give that address as the ServerURL if it is right.
var ErrRedirected = errors.New("fiefadmin: redirect not followed")

// ErrInconsistentList: an iterator stopped because the server's pages
// cannot be those of one list (a page identical to the previous one, a
// count growing as fast as the pages are read) or because it reached
// [Config].MaxListPages. The objects yielded before it are real answers
// of the server, but the list may be incomplete.
var ErrInconsistentList = errors.New("fiefadmin: the pages of the list do not add up")

// ErrNilID: a call was given the nil UUID as an object's id; nothing was
// sent.
var ErrNilID = errors.New("fiefadmin: nil UUID given as an id")

// Code is the business error code of a 400 answer ({"detail": "<CODE>"}).
// A Code is an error, so that errors.Is(err, fiefadmin.CodeUserCreateAlreadyExists)
// tells whether a call failed for that reason.
type Code string

// Error returns "fiefadmin: " and the code.
func (c Code) Error() string { return "fiefadmin: " + string(c) }

// The business error codes of Fief's admin API.
const (
	CodeUserCreateAlreadyExists                  Code = "USER_CREATE_ALREADY_EXISTS"
	CodeUserCreateInvalidPassword                Code = "USER_CREATE_INVALID_PASSWORD" // see Error.Reason
	CodeUserCreateUnknownTenant                  Code = "USER_CREATE_UNKNOWN_TENANT"
	CodeUserUpdateEmailAlreadyExists             Code = "USER_UPDATE_EMAIL_ALREADY_EXISTS"
	CodeUserUpdateInvalidPassword                Code = "USER_UPDATE_INVALID_PASSWORD" // see Error.Reason
	CodeUserCreateAccessTokenUnknownClient       Code = "USER_CREATE_ACCESS_TOKEN_UNKNOWN_CLIENT"
	CodeUserPermissionCreateAlreadyAdded         Code = "USER_PERMISSION_CREATE_ALREADY_ADDED_PERMISSION"
	CodeUserPermissionCreateNotExisting          Code = "USER_PERMISSION_CREATE_NOT_EXISTING_PERMISSION"
	CodeUserRoleCreateAlreadyAdded               Code = "USER_ROLE_CREATE_ALREADY_ADDED_ROLE"
	CodeUserRoleCreateNotExisting                Code = "USER_ROLE_CREATE_NOT_EXISTING_ROLE"
	CodePermissionCreateCodenameAlreadyExists    Code = "PERMISSION_CREATE_CODENAME_ALREADY_EXISTS"
	CodePermissionUpdateCodenameAlreadyExists    Code = "PERMISSION_UPDATE_CODENAME_ALREADY_EXISTS"
	CodeRoleCreateNotExistingPermission          Code = "ROLE_CREATE_NOT_EXISTING_PERMISSION"
	CodeRoleUpdateNotExistingPermission          Code = "ROLE_UPDATE_NOT_EXISTING_PERMISSION"
	CodeTenantCreateNotExistingTheme             Code = "TENANT_CREATE_NOT_EXISTING_THEME"
	CodeTenantCreateNotExistingOAuthProvider     Code = "TENANT_CREATE_NOT_EXISTING_OAUTH_PROVIDER"
	CodeTenantUpdateNotExistingTheme             Code = "TENANT_UPDATE_NOT_EXISTING_THEME"
	CodeTenantUpdateNotExistingOAuthProvider     Code = "TENANT_UPDATE_NOT_EXISTING_OAUTH_PROVIDER"
	CodeClientCreateUnknownTenant                Code = "CLIENT_CREATE_UNKNOWN_TENANT"
	CodeClientHTTPSRequiredOnRedirectURIs        Code = "CLIENT_HTTPS_REQUIRED_ON_REDIRECT_URIS"
	CodeUserFieldSlugAlreadyExists               Code = "USER_FIELD_SLUG_ALREADY_EXISTS"
	CodeEmailTemplateInvalidTemplate             Code = "EMAIL_TEMPLATE_INVALID_TEMPLATE"
	CodeOAuthProviderMissingOpenIDConfigEndpoint Code = "OAUTH_PROVIDER_MISSING_OPENID_CONFIGURATION_ENDPOINT"
	CodeOAuthProviderRefreshTokenNotSupported    Code = "OAUTH_PROVIDER_REFRESH_TOKEN_NOT_SUPPORTED"
	CodeOAuthProviderRefreshTokenError           Code = "OAUTH_PROVIDER_REFRESH_TOKEN_ERROR"
)

// FieldError is one complaint of Fief's request validation (HTTP 422).
type FieldError struct {
	// Location is where the bad value is: "body" or "query" and the field's
	// path, list indexes as decimal strings (["body", "events", "0"]).
	Location []string
	// Message is the validator's message ("field required",
	// "value is not a valid email address").
	Message string
	// Type is the validator's error type: "value_error.missing" with
	// pydantic 1 (Fief up to 0.29), "missing" with pydantic 2 (Fief 0.30
	// and later).
	Type string
}

// String is the location, joined with dots, and the message.
func (f FieldError) String() string {
	return strings.Join(f.Location, ".") + ": " + f.Message
}

// Error is an error answer of the admin API. Use [errors.As] to get it, or
// [errors.Is] with a sentinel ([ErrNotFound], ...) or a [Code]. It is also
// a [*fief.ResponseError] for errors.As, so code written for the fief
// client's errors reads it too.
type Error struct {
	// Op names the call: "users.create", "webhooks.logs", ...
	Op string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the business code of a 400 answer.
	Code Code
	// Detail is the answer's "detail" when it is a string: the code of a
	// 400, "Unauthorized", "Not Found", ...
	Detail string
	// Reason lists what the password policy found wrong, for
	// [CodeUserCreateInvalidPassword] and [CodeUserUpdateInvalidPassword].
	Reason []string
	// Fields are the complaints of a 422 answer.
	Fields []FieldError
	// Body is the start of the raw answer body when it is none of the
	// shapes above (a proxy's HTML page, ...), with the admin key, if it
	// was echoed, replaced by "[redacted]". It is left empty otherwise: a
	// 422 answer of pydantic 2 echoes the request, password included. No
	// fmt verb and no log/slog line of an Error shows it (a proxy's error
	// page may echo the request's headers in another form): read the
	// field itself.
	Body string
}

// Format writes [Error.Error] for every verb (%q quotes it), %#v
// included: the Body stays out of printed errors.
func (e Error) Format(f fmt.State, verb rune) { redact.Format(f, verb, e.Error()) }

// LogValue describes e to log/slog as [Error.Error].
func (e Error) LogValue() slog.Value { return slog.StringValue(e.Error()) }

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fiefadmin: %s: HTTP %d", e.Op, e.StatusCode)
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if len(e.Reason) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(e.Reason, " "))
	}
	for i, f := range e.Fields {
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		b.WriteString(sep + f.String())
	}
	return b.String()
}

// Unwrap returns the sentinel of the status and, for a 400, the [Code].
func (e *Error) Unwrap() []error {
	var errs []error
	switch {
	case e.StatusCode >= 300 && e.StatusCode <= 399:
		errs = append(errs, ErrRedirected)
	case e.StatusCode == 400:
		errs = append(errs, ErrBadRequest)
		if e.Code != "" {
			errs = append(errs, e.Code)
		}
	case e.StatusCode == 401:
		errs = append(errs, ErrUnauthorized)
	case e.StatusCode == 403:
		errs = append(errs, ErrForbidden)
	case e.StatusCode == 404:
		errs = append(errs, ErrNotFound)
	case e.StatusCode == 422:
		errs = append(errs, ErrInvalid)
	case e.StatusCode >= 500:
		errs = append(errs, fief.ErrUnavailable)
	}
	return errs
}

// As makes an Error readable as a [*fief.ResponseError].
func (e *Error) As(target any) bool {
	t, ok := target.(**fief.ResponseError)
	if !ok {
		return false
	}
	*t = &fief.ResponseError{Op: "admin " + e.Op, StatusCode: e.StatusCode, Detail: e.Detail, Reason: e.Reason, Body: e.Body}
	return true
}

// newError reads an error answer, without the key in its Body.
func (c *Client) newError(op string, status int, body []byte) *Error {
	e := newError(op, status, body)
	e.Body = c.s.scrub(e.Body)
	return e
}

// redirected is the error of a redirect answer: where it pointed, without
// the query (where a token may hide).
func redirected(op string, resp *http.Response) *Error {
	e := &Error{Op: op, StatusCode: resp.StatusCode, Detail: "redirect not followed, the admin key is never sent after a redirect"}
	if loc, err := resp.Location(); err == nil {
		shown := (&url.URL{Scheme: loc.Scheme, Host: loc.Host, Path: loc.Path}).String()
		e.Detail = fmt.Sprintf("redirect to %s not followed, the admin key is never sent after a redirect: use that server's URL if it is right", shown)
	}
	return e
}

// newError reads an error answer. The body shapes: {"detail": "<text>"}
// (400/401/403/404, with "reason" for a password policy failure) and
// {"detail": [{"loc": [...], "msg": ..., "type": ...}]} (422, pydantic 1
// and 2 alike; pydantic 2's "input" is not kept: it may hold a password).
func newError(op string, status int, body []byte) *Error {
	e := &Error{Op: op, StatusCode: status}
	var answer struct {
		Detail json.RawMessage `json:"detail"`
		Reason []string        `json:"reason"`
	}
	if json.Unmarshal(body, &answer) != nil || len(answer.Detail) == 0 {
		e.Body = truncate(string(body), 512)
		return e
	}
	e.Reason = answer.Reason
	var detail string
	if json.Unmarshal(answer.Detail, &detail) == nil {
		e.Detail = detail
		if status == 400 {
			e.Code = Code(detail)
		}
		return e
	}
	var fields []struct {
		Loc  []json.RawMessage `json:"loc"`
		Msg  string            `json:"msg"`
		Type string            `json:"type"`
	}
	if json.Unmarshal(answer.Detail, &fields) != nil {
		e.Body = truncate(string(body), 512)
		return e
	}
	for _, f := range fields {
		fe := FieldError{Message: f.Msg, Type: f.Type}
		for _, l := range f.Loc {
			fe.Location = append(fe.Location, locationPart(l))
		}
		e.Fields = append(e.Fields, fe)
	}
	return e
}

func locationPart(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return strconv.FormatInt(i, 10)
		}
		return n.String()
	}
	return string(raw)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
