// Package sentinel makes sentinel errors that belong to a broader one, for
// the packages of this module: errors.Is(fief.ErrTokenExpired,
// fief.ErrInvalidToken) holds, and so does errors.Is(
// fiefhttp.ErrMalformedToken, fief.ErrInvalidToken).
package sentinel

// In returns a new sentinel error with message msg that is also parent:
// errors.Is(err, parent) holds, and errors.Is(err, err) too.
func In(parent error, msg string) error { return &child{msg, parent} }

type child struct {
	msg    string
	parent error
}

func (e *child) Error() string { return e.msg }
func (e *child) Unwrap() error { return e.parent }
