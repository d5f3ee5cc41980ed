package fieftest

import (
	"net/http"
	"strings"
)

// Fief 0.30.0 runs pydantic 2: its admin API answers validation errors as
// {"detail":[{"type","loc","msg","input"[,"ctx"][,"url"]}]}. The readers of
// admin_validate.go collect pydantic 1's errors (Fief 0.26.3's); v2Errors
// translates them, taking each input from the request.

// pydanticURLVersion is the version segment of the "url" member: the
// pydantic that Fief 0.30.0 pins (2.9.2).
const pydanticURLVersion = "2.9"

// adminWriter is the ResponseWriter of an admin API request: it knows the
// version to answer as, and the request and body the errors refer to.
type adminWriter struct {
	http.ResponseWriter
	legacy bool
	r      *http.Request
	body   map[string]any // the decoded body, once read
}

// v2Error is one pydantic-2 error object, members in pydantic's order.
type v2Error struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
	URL   string         `json:"url,omitempty"`
}

// withURL reports whether the request's 422s carry "url": Fief validates
// the bodies of POST /users/ and PATCH /users/{id} itself and re-raises
// pydantic's own errors; FastAPI's 422s have none.
func (aw *adminWriter) withURL() bool {
	path := strings.TrimPrefix(aw.r.URL.Path, adminPrefix)
	switch aw.r.Method {
	case http.MethodPost:
		return path == "/users/"
	case http.MethodPatch:
		rest, ok := strings.CutPrefix(path, "/users/")
		return ok && rest != "" && !strings.Contains(rest, "/")
	}
	return false
}

// input finds the value an error's loc points at: for a missing member,
// the object it is missing from, as pydantic 2 reports it.
func (aw *adminWriter) input(e v1Error) any {
	if e.hasInput {
		return e.input
	}
	if len(e.Loc) < 2 {
		return nil
	}
	name, _ := e.Loc[1].(string)
	switch e.Loc[0] {
	case "query":
		if vs := aw.r.URL.Query()[name]; len(vs) > 0 {
			return vs[len(vs)-1]
		}
		return nil
	case "body":
		v, ok := aw.body[name]
		if !ok {
			return aw.body
		}
		if len(e.Loc) == 3 {
			if l, isList := v.([]any); isList {
				if i, isInt := e.Loc[2].(int); isInt && i < len(l) {
					return l[i]
				}
			}
		}
		return v
	}
	return nil
}

// v2Errors translates pydantic 1's errors into pydantic 2's.
func (aw *adminWriter) v2Errors(errs []v1Error) []v2Error {
	out := make([]v2Error, 0, len(errs))
	for _, e := range errs {
		v := v2Error{Loc: e.Loc, Input: aw.input(e)}
		switch e.Type {
		case "value_error.missing":
			v.Type, v.Msg = "missing", "Field required"
		case "type_error.none.not_allowed", "type_error.str":
			v.Type, v.Msg = "string_type", "Input should be a valid string"
		case "type_error.bool":
			v.Type, v.Msg = "bool_parsing", "Input should be a valid boolean, unable to interpret input"
		case "type_error.integer":
			v.Type, v.Msg = "int_parsing", "Input should be a valid integer, unable to parse string as an integer"
		case "value_error.number.not_ge":
			v.Type, v.Msg, v.Ctx = "greater_than_equal", "Input should be greater than or equal to 0", map[string]any{"ge": 0}
		case "type_error.uuid":
			v.Type, v.Msg = "uuid_parsing", "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-]"
		case "value_error.uuid.version":
			v.Type, v.Msg, v.Ctx = "uuid_version", "UUID version 4 expected", map[string]any{"expected_version": 4}
		case "type_error.enum":
			expected := enumExpected(e.Ctx)
			v.Type, v.Msg, v.Ctx = "enum", "Input should be "+expected, map[string]any{"expected": expected}
		case "value_error.email":
			s, _ := v.Input.(string)
			reason := emailReason(s)
			v.Type, v.Msg, v.Ctx = "value_error", "value is not a valid email address: "+reason, map[string]any{"reason": reason}
		case "type_error.list":
			v.Type, v.Msg = "list_type", "Input should be a valid list"
		case "type_error.dict":
			v.Type, v.Msg = "dict_type", "Input should be a valid dictionary"
			if len(e.Loc) == 1 {
				v.Type, v.Msg = "model_attributes_type", "Input should be a valid dictionary or object to extract fields from"
			}
		case "value_error.jsondecode":
			v.Type, v.Msg, v.Input, v.Ctx = "json_invalid", "JSON decode error", map[string]any{}, map[string]any{"error": "Expecting value"}
		case "value_error.url.scheme":
			v.Type, v.Msg, v.Ctx = "url_scheme", "URL scheme should be 'http' or 'https'", map[string]any{"expected_schemes": "'http' or 'https'"}
			if e.Msg == "invalid or missing URL scheme" {
				v.Type, v.Msg, v.Ctx = "url_parsing", "Input should be a valid URL, relative URL without a base", map[string]any{"error": "relative URL without a base"}
			}
		case "value_error.url.host":
			v.Type, v.Msg, v.Ctx = "url_parsing", "Input should be a valid URL, empty host", map[string]any{"error": "empty host"}
		default:
			v.Type, v.Msg, v.Ctx = e.Type, e.Msg, e.Ctx
		}
		if aw.withURL() && v.Type != "value_error" { // a custom error has no documentation page
			v.URL = "https://errors.pydantic.dev/" + pydanticURLVersion + "/v/" + v.Type
		}
		out = append(out, v)
	}
	return out
}

// enumExpected is pydantic 2's list of an enum's values: "'a', 'b' or 'c'".
func enumExpected(ctx map[string]any) string {
	var quoted []string
	vals, _ := ctx["enum_values"].([]any)
	for _, v := range vals {
		s, _ := v.(string)
		quoted = append(quoted, "'"+s+"'")
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// emailReason is email-validator 2's explanation of an invalid address,
// for the cases a client is likely to send.
func emailReason(s string) string {
	local, domain, found := strings.Cut(s, "@")
	switch {
	case !found:
		return "An email address must have an @-sign."
	case local == "":
		return "There must be something before the @-sign."
	case domain == "":
		return "There must be something after the @-sign."
	case strings.Contains(domain, "@"):
		return "The part after the @-sign contains invalid characters: '@'."
	case !strings.Contains(domain, "."):
		return "The part after the @-sign is not valid. It should have a period."
	}
	return "The email address is not valid."
}
