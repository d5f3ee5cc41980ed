package authcases_test

import (
	"testing"

	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/authcases"
)

// TestReference checks the table against fiefhttp's middleware, the
// reference the adapters are compared with: the expected status, challenge
// and body of each case.
func TestReference(t *testing.T) {
	e := authcases.New(t)
	for _, c := range e.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			w := authcases.Reference(t, e.AuthOf(t, c), c)
			if w.Code != c.Status() {
				t.Fatalf("status %d, want %d (%s)", w.Code, c.Status(), w.Body)
			}
			if c.Want == fiefhttp.OutcomeAllowed {
				if w.Body.String() != e.WantBody(c) {
					t.Errorf("body %q, want %q", w.Body, e.WantBody(c))
				}
				return
			}
			wantChallenge := map[fiefhttp.Outcome]string{
				fiefhttp.OutcomeUnauthorized: `Bearer error="invalid_token"`,
				fiefhttp.OutcomeForbidden:    `Bearer error="insufficient_scope"`,
			}[c.Want]
			if c.AuthorizationHeader() == "" {
				wantChallenge = "Bearer"
			}
			if c.Scope != "" {
				wantChallenge += `, scope="` + c.Scope + `"`
			}
			if got := w.Header().Get("WWW-Authenticate"); got != wantChallenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, wantChallenge)
			}
		})
	}
}
