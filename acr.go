package fief

// ACR is an Authentication Context Class Reference level, as Fief puts in the
// acr claim: [ACRLevel0] when the user was signed in through an existing
// session, [ACRLevel1] when they just typed their credentials.
type ACR string

// The ACR levels of Fief, in increasing order.
const (
	ACRLevel0 ACR = "0"
	ACRLevel1 ACR = "1"
)

// Valid reports whether a is a level Fief issues.
func (a ACR) Valid() bool { return a == ACRLevel0 || a == ACRLevel1 }

// AtLeast reports whether a is a valid level at or above min. An invalid
// level is never at least anything.
func (a ACR) AtLeast(min ACR) bool {
	return a.Valid() && min.Valid() && a.rank() >= min.rank()
}

// Compare returns -1, 0 or +1 as a is below, equal to or above b. Invalid
// levels sort below level 0.
func (a ACR) Compare(b ACR) int {
	ra, rb := a.rank(), b.rank()
	switch {
	case ra < rb:
		return -1
	case ra > rb:
		return 1
	}
	return 0
}

func (a ACR) rank() int {
	switch a {
	case ACRLevel0:
		return 0
	case ACRLevel1:
		return 1
	}
	return -1
}
