package demo

import (
	"fmt"
	"io"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

// APIRoutes are the routes of the API examples (examples/api, and its gin
// twin), each asking more of the token than the one before.
const APIRoutes = "/authenticated /authenticated-scope /authenticated-permissions /authenticated-acr /authenticated-optional"

// PrintAPIInstructions tells how to call an API example listening at
// appURL: with the embedded Fief, a curl command carrying a fresh token of
// the demo user meeting every route's requirements; ends with [Ready].
func PrintAPIInstructions(w io.Writer, env *Env, appURL string) {
	fmt.Fprintf(w, "Listening on %s\n", appURL)
	if env.Server == nil {
		fmt.Fprintf(w, "Fief: %s\nCall it with an access token of a user of this Fief:\n\n", env.Client.BaseURL())
		fmt.Fprintf(w, "  curl -H 'Authorization: Bearer <access token>' %s/authenticated\n\n", appURL)
	} else {
		token := env.Server.MintAccessToken(env.User.ID, fieftest.TokenOptions{
			ClientID:    ClientID,
			Scopes:      []string{"openid", "required_scope"},
			Permissions: []string{Permission},
			ACR:         string(fief.ACRLevel1),
			Lifetime:    time.Hour,
		})
		fmt.Fprintf(w, "Embedded test Fief: %s (set FIEF_BASE_URL to use your own)\n", env.Client.BaseURL())
		fmt.Fprintf(w, "A token of %s, valid for an hour (scopes openid required_scope, ACR 1, permission %s):\n\n", Email, Permission)
		fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' %s/authenticated\n\n", token, appURL)
	}
	fmt.Fprintln(w, "Routes: "+APIRoutes)
	fmt.Fprintln(w, Ready)
}
