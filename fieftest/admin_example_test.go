package fieftest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/fief-dev/fief-go/fieftest"
)

// The admin API: grant a permission to a user, then find it in the next
// token the server mints for the user.
func ExampleServer_AdminAPIKey() {
	srv := fieftest.NewServer()
	defer srv.Close()
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		log.Fatal(err)
	}

	call := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, srv.URL+"/admin/api"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.AdminAPIKey())
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	status, perm := call("POST", "/permissions/", `{"name": "Castles read", "codename": "castles:read"}`)
	fmt.Println("create permission:", status)
	status, _ = call("POST", "/users/"+user.ID+"/permissions", `{"id": "`+perm["id"].(string)+`"}`)
	fmt.Println("grant:", status)
	status, again := call("POST", "/users/"+user.ID+"/permissions", `{"id": "`+perm["id"].(string)+`"}`)
	fmt.Println("grant again:", status, again["detail"])
	fmt.Println("permissions:", user.Permissions())
	// Output:
	// create permission: 201
	// grant: 201
	// grant again: 400 USER_PERMISSION_CREATE_ALREADY_ADDED_PERMISSION
	// permissions: [castles:read]
}
