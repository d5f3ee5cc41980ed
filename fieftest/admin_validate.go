package fieftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The admin API answers validation errors as Fief 0.26.3 did, with
// pydantic 1: {"detail":[{"loc":[...],"msg":...,"type":...,"ctx":{...}}]},
// or, at Fief 0.30.0, translated into pydantic 2's (admin_v2.go).

// v1Error is one pydantic-1 error object.
type v1Error struct {
	Loc  []any          `json:"loc"`
	Msg  string         `json:"msg"`
	Type string         `json:"type"`
	Ctx  map[string]any `json:"ctx,omitempty"`

	input    any  // the value in error, when the loc does not find it
	hasInput bool // input is set
}

// writeV1Errors answers 422 with errs, in the shape of the version the
// server answers as.
func writeV1Errors(w http.ResponseWriter, errs []v1Error) {
	if aw, ok := w.(*adminWriter); ok && !aw.legacy {
		writeDetail(w, http.StatusUnprocessableEntity, aw.v2Errors(errs))
		return
	}
	writeDetail(w, http.StatusUnprocessableEntity, errs)
}

// readAdminBody decodes a JSON object body. On a missing, malformed or
// non-object body it answers 422 and returns false.
func readAdminBody(w http.ResponseWriter, r *http.Request) (*fieldReader, bool) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil || len(bytes.TrimSpace(raw)) == 0 {
		writeV1Errors(w, []v1Error{{Loc: []any{"body"}, Msg: "field required", Type: "value_error.missing", hasInput: true}})
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err = dec.Decode(&v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = &json.SyntaxError{Offset: dec.InputOffset()}
		}
	}
	if err != nil {
		pos := int64(len(raw))
		var se *json.SyntaxError
		if e, ok := err.(*json.SyntaxError); ok {
			se = e
			pos = se.Offset
		}
		if pos > 0 && se != nil {
			pos-- // Go points after the offending byte, Python at it
		}
		line := int64(bytes.Count(raw[:pos], []byte("\n")) + 1)
		col := pos - int64(bytes.LastIndexByte(raw[:pos], '\n'))
		writeV1Errors(w, []v1Error{{
			Loc:  []any{"body", pos},
			Msg:  fmt.Sprintf("Expecting value: line %d column %d (char %d)", line, col, pos),
			Type: "value_error.jsondecode",
			Ctx:  map[string]any{"msg": "Expecting value", "doc": string(raw), "pos": pos, "lineno": line, "colno": col},
		}})
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		writeV1Errors(w, []v1Error{{Loc: []any{"body"}, Msg: "value is not a valid dict", Type: "type_error.dict", input: v, hasInput: true}})
		return nil, false
	}
	if aw, ok := w.(*adminWriter); ok {
		aw.body = m
	}
	return &fieldReader{body: m}, true
}

// fieldReader reads the members of a body object as pydantic 1 would,
// collecting errors in the order the fields are read (the model's order).
type fieldReader struct {
	body map[string]any
	errs []v1Error
}

func (f *fieldReader) fail(name string, msg, typ string, ctx map[string]any) {
	f.errs = append(f.errs, v1Error{Loc: []any{"body", name}, Msg: msg, Type: typ, Ctx: ctx})
}

// failed answers 422 with the collected errors, if any.
func (f *fieldReader) failed(w http.ResponseWriter) bool {
	if len(f.errs) == 0 {
		return false
	}
	writeV1Errors(w, f.errs)
	return true
}

// get returns the member name; present is false when it is absent or null
// (null is accepted for an optional field; for a required one it is an
// error, as in pydantic 1).
func (f *fieldReader) get(name string, required bool) (v any, present bool) {
	v, ok := f.body[name]
	switch {
	case !ok && required:
		f.fail(name, "field required", "value_error.missing", nil)
		return nil, false
	case ok && v == nil && required:
		f.fail(name, "none is not an allowed value", "type_error.none.not_allowed", nil)
		return nil, false
	}
	return v, ok && v != nil
}

// has reports whether the member is in the body, even as null.
func (f *fieldReader) has(name string) bool {
	_, ok := f.body[name]
	return ok
}

func coerceStr(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

func coerceBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case json.Number:
		switch x.String() {
		case "0":
			return false, true
		case "1":
			return true, true
		}
	case string:
		switch strings.ToLower(x) {
		case "0", "off", "f", "false", "n", "no":
			return false, true
		case "1", "on", "t", "true", "y", "yes":
			return true, true
		}
	}
	return false, false
}

func (f *fieldReader) integer(name string, required bool) *int64 {
	v, ok := f.get(name, required)
	if !ok {
		return nil
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fl, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || fl != float64(int64(fl)) {
			f.fail(name, "value is not a valid integer", "type_error.integer", nil)
			return nil
		}
		n = int64(fl)
	}
	return &n
}

// canonicalUUID parses a UUID as Python's uuid.UUID does (hyphens and
// braces optional, any case) and formats it in lower case.
func canonicalUUID(s string) (string, bool) {
	h := strings.ToLower(strings.NewReplacer("-", "", "{", "", "}", "", "urn:uuid:", "").Replace(s))
	if len(h) != 32 {
		return "", false
	}
	for _, c := range h {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return "", false
		}
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], true
}

// email reads an email address (pydantic's EmailStr): the domain is
// lower-cased, as email-validator normalises it.
func (f *fieldReader) email(name string, required bool) *string {
	v, ok := f.get(name, required)
	if !ok {
		return nil
	}
	s, ok := v.(string)
	if !ok || !validEmail(s) {
		f.fail(name, "value is not a valid email address", "value_error.email", nil)
		return nil
	}
	local, domain, _ := strings.Cut(s, "@")
	s = local + "@" + strings.ToLower(domain)
	return &s
}

// list reads a JSON array; ok is false if it is absent, null or invalid.
func (f *fieldReader) list(name string, required bool) ([]any, bool) {
	v, ok := f.get(name, required)
	if !ok {
		return nil, false
	}
	l, ok := v.([]any)
	if !ok {
		f.fail(name, "value is not a valid list", "type_error.list", nil)
		return nil, false
	}
	return l, true
}

func (f *fieldReader) itemFail(name string, i int, msg, typ string, ctx map[string]any) {
	f.errs = append(f.errs, v1Error{Loc: []any{"body", name, i}, Msg: msg, Type: typ, Ctx: ctx})
}

// enumMessage is pydantic 1's message and context for an enum value.
func enumMessage(allowed []string) (string, map[string]any) {
	quoted := make([]string, len(allowed))
	vals := make([]any, len(allowed))
	for i, a := range allowed {
		quoted[i] = "'" + a + "'"
		vals[i] = a
	}
	return "value is not a valid enumeration member; permitted: " + strings.Join(quoted, ", "), map[string]any{"enum_values": vals}
}

func (f *fieldReader) object(name string, required bool) (map[string]any, bool) {
	v, ok := f.get(name, required)
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		f.fail(name, "value is not a valid dict", "type_error.dict", nil)
		return nil, false
	}
	return m, true
}

// httpURL reads a URL as pydantic 1's HttpUrl: http or https, with a host.
func (f *fieldReader) httpURL(name string, required bool) *string {
	s := f.str(name, required)
	if s == nil {
		return nil
	}
	u, err := url.Parse(*s)
	switch {
	case err != nil || u.Scheme == "" || !strings.Contains(*s, "://"):
		f.fail(name, "invalid or missing URL scheme", "value_error.url.scheme", nil)
		return nil
	case u.Scheme != "http" && u.Scheme != "https":
		f.fail(name, "URL scheme not permitted", "value_error.url.scheme", map[string]any{"allowed_schemes": []string{"http", "https"}})
		return nil
	case u.Host == "":
		f.fail(name, "URL host invalid", "value_error.url.host", nil)
		return nil
	}
	return s
}

// nullableURL reads an optional member that may be set to null: set is
// true when the member is present (null included), v is nil for null.
func (f *fieldReader) nullableURL(name string) (v *string, set bool) {
	if !f.has(name) {
		return nil, false
	}
	if f.body[name] == nil {
		return nil, true
	}
	return f.httpURL(name, false), true
}

// nullableStr is nullableURL for a plain string.
func (f *fieldReader) nullableStr(name string) (v *string, set bool) {
	if !f.has(name) {
		return nil, false
	}
	return f.str(name, false), true
}

// scalar reads a member with coerce, failing with pydantic's msg and typ.
func scalar[T any](f *fieldReader, name string, required bool, coerce func(any) (T, bool), msg, typ string, ctx map[string]any) *T {
	v, ok := f.get(name, required)
	if !ok {
		return nil
	}
	x, ok := coerce(v)
	if !ok {
		f.fail(name, msg, typ, ctx)
		return nil
	}
	return &x
}

// listOf reads a list member whose items coerce reads; ok is false if it
// is absent, null or has an invalid item.
func listOf[T any](f *fieldReader, name string, required bool, coerce func(any) (T, bool), msg, typ string, ctx map[string]any) (out []T, ok bool) {
	l, ok := f.list(name, required)
	if !ok {
		return nil, false
	}
	out = make([]T, 0, len(l))
	for i, v := range l {
		x, valid := coerce(v)
		if !valid {
			f.itemFail(name, i, msg, typ, ctx)
			ok = false
		}
		out = append(out, x)
	}
	return out, ok
}

func (f *fieldReader) str(name string, required bool) *string {
	return scalar(f, name, required, coerceStr, "str type expected", "type_error.str", nil)
}

func (f *fieldReader) boolean(name string, required bool) *bool {
	return scalar(f, name, required, coerceBool, "value could not be parsed to a boolean", "type_error.bool", nil)
}

// uuid reads a version-4 UUID (pydantic's UUID4), returned in its
// canonical lower-case form.
func (f *fieldReader) uuid(name string, required bool) *string {
	id := scalar(f, name, required, coerceUUID, "value is not a valid uuid", "type_error.uuid", nil)
	if id != nil && !isUUID4(*id) {
		f.errs = append(f.errs, uuid4Error([]any{"body", name}))
		return nil
	}
	return id
}

func (f *fieldReader) enum(name string, required bool, allowed []string) *string {
	msg, ctx := enumMessage(allowed)
	return scalar(f, name, required, coerceEnum(allowed), msg, "type_error.enum", ctx)
}

func (f *fieldReader) strList(name string, required bool) ([]string, bool) {
	return listOf(f, name, required, coerceStr, "str type expected", "type_error.str", nil)
}

func (f *fieldReader) uuidList(name string, required bool) ([]string, bool) {
	ids, ok := listOf(f, name, required, coerceUUID, "value is not a valid uuid", "type_error.uuid", nil)
	for i, id := range ids {
		if id != "" && !isUUID4(id) {
			f.errs = append(f.errs, uuid4Error([]any{"body", name, i}))
			ok = false
		}
	}
	return ids, ok
}

func (f *fieldReader) enumList(name string, required bool, allowed []string) ([]string, bool) {
	msg, ctx := enumMessage(allowed)
	return listOf(f, name, required, coerceEnum(allowed), msg, "type_error.enum", ctx)
}

func coerceUUID(v any) (string, bool) {
	s, _ := v.(string)
	return canonicalUUID(s)
}

func coerceEnum(allowed []string) func(any) (string, bool) {
	return func(v any) (string, bool) {
		s, _ := v.(string)
		return s, slices.Contains(allowed, s)
	}
}
