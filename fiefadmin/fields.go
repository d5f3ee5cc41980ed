package fiefadmin

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Fields holds a user's custom fields (the user fields of the workspace) as
// Fief sent them: a JSON object, kept as is so that no value loses its type.
// Read them into the application's own struct with [FieldsOf] or
// [Fields.Decode], or into a map with [Fields.Map].
type Fields []byte

// FieldsOf decodes the custom fields of u into a T, typically the
// application's struct with json tags named after the fields' slugs.
func FieldsOf[T any](u *User) (T, error) {
	var v T
	err := u.Fields.Decode(&v)
	return v, err
}

// Decode decodes the fields into v, as [json.Unmarshal] does. No fields
// leave v untouched.
func (f Fields) Decode(v any) error {
	if len(f) == 0 {
		return nil
	}
	if err := json.Unmarshal(f, v); err != nil {
		return fmt.Errorf("fiefadmin: decoding user fields: %w", err)
	}
	return nil
}

// Map returns the fields as a map; numbers are [json.Number].
func (f Fields) Map() (map[string]any, error) {
	m := map[string]any{}
	if len(f) == 0 {
		return m, nil
	}
	d := json.NewDecoder(bytes.NewReader(f))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("fiefadmin: decoding user fields: %w", err)
	}
	return m, nil
}

// String returns the fields as JSON.
func (f Fields) String() string {
	if len(f) == 0 {
		return "{}"
	}
	return string(f)
}

// MarshalJSON writes the fields as they came ({} when none).
func (f Fields) MarshalJSON() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalJSON keeps a copy of a JSON object (null gives no fields).
func (f *Fields) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = nil
	case len(b) > 0 && b[0] == '{':
		*f = append(Fields(nil), b...)
	default:
		return fmt.Errorf("fiefadmin: user fields are not a JSON object")
	}
	return nil
}
