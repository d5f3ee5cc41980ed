package fieftest_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/fief-dev/fief-go/fieftest"
)

// The server sends no email: it records them. An application in any
// language reads them at GET /admin/api/_fieftest/mail with the admin key;
// a Go test can call Server.Mail.
func ExampleServer_Mail() {
	srv := fieftest.NewServer()
	defer srv.Close()

	// A user created through the admin API gets Fief's welcome email.
	req, _ := http.NewRequest("POST", srv.URL+"/admin/api/users/",
		strings.NewReader(`{"email": "anne@bretagne.duchy", "password": "Herm1ne-Tincture!", "email_verified": true, "tenant_id": "`+srv.DefaultTenant().ID()+`"}`))
	req.Header.Set("Authorization", "Bearer "+srv.AdminAPIKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()

	for _, m := range srv.Mail() {
		fmt.Println(m.Type, m.To, m.Subject)
	}
	// Output:
	// WELCOME anne@bretagne.duchy Welcome to Default
}
