package fieftest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// validationError is one pydantic v2 error object of a 422 answer.
type validationError struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

func write422(w http.ResponseWriter, errs ...validationError) {
	writeDetail(w, http.StatusUnprocessableEntity, errs)
}

// readJSONBody decodes a JSON request body. On an empty or malformed body
// it writes FastAPI's 422 and returns false.
func readJSONBody(w http.ResponseWriter, r *http.Request) (any, bool) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		write422(w, validationError{Type: "json_invalid", Loc: []any{"body", 0}, Msg: "JSON decode error", Input: map[string]any{}, Ctx: map[string]any{"error": err.Error()}})
		return nil, false
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		write422(w, validationError{Type: "missing", Loc: []any{"body"}, Msg: "Field required", Input: nil})
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err = dec.Decode(&v)
	if err == nil && dec.More() {
		err = &json.SyntaxError{Offset: dec.InputOffset()}
	}
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("Extra data") // Python's json message, which Fief's 422 body quotes
		}
	}
	if err != nil {
		off := int64(len(raw))
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		write422(w, validationError{Type: "json_invalid", Loc: []any{"body", off}, Msg: "JSON decode error", Input: map[string]any{}, Ctx: map[string]any{"error": err.Error()}})
		return nil, false
	}
	return v, true
}

// objectBody checks that a decoded body is a JSON object.
func objectBody(w http.ResponseWriter, v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		write422(w, validationError{Type: "model_attributes_type", Loc: []any{"body"}, Msg: "Input should be a valid dictionary or object to extract fields from", Input: v})
	}
	return m, ok
}

// stringField reads a required string member of a body object, writing a
// 422 if it is missing or not a string.
func stringField(w http.ResponseWriter, body map[string]any, name string) (string, bool) {
	v, ok := body[name]
	if !ok {
		write422(w, validationError{Type: "missing", Loc: []any{"body", name}, Msg: "Field required", Input: body})
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		write422(w, validationError{Type: "string_type", Loc: []any{"body", name}, Msg: "Input should be a valid string", Input: v})
		return "", false
	}
	return s, true
}
