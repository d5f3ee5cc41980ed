package fieftest_test

import (
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// TestAdminValidation: the 422 answers of the admin API, in pydantic 1's
// shape, as Fief 0.26 gives them.
func TestAdminValidation(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		name, method, path, body, want string
	}{
		{"no body", "POST", "/permissions/", "",
			`{"detail":[{"loc":["body"],"msg":"field required","type":"value_error.missing"}]}`},
		{"body not an object", "POST", "/permissions/", `["x"]`,
			`{"detail":[{"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"}]}`},
		{"malformed JSON", "POST", "/permissions/", `{"name": }`,
			`{"detail":[{"loc":["body",9],"msg":"Expecting value: line 1 column 10 (char 9)","type":"value_error.jsondecode","ctx":{"msg":"Expecting value","doc":"{\"name\": }","pos":9,"lineno":1,"colno":10}}]}`},
		{"null for a required member", "POST", "/permissions/", `{"name":null,"codename":"c"}`,
			`{"detail":[{"loc":["body","name"],"msg":"none is not an allowed value","type":"type_error.none.not_allowed"}]}`},
		{"wrong types", "POST", "/roles/", `{"name":{},"granted_by_default":"maybe","permissions":["not-a-uuid"]}`,
			`{"detail":[{"loc":["body","name"],"msg":"str type expected","type":"type_error.str"},{"loc":["body","granted_by_default"],"msg":"value could not be parsed to a boolean","type":"type_error.bool"},{"loc":["body","permissions",0],"msg":"value is not a valid uuid","type":"type_error.uuid"}]}`},
		{"unknown client type", "POST", "/clients/", `{"name":"a","first_party":true,"client_type":"secret","redirect_uris":["http://localhost/cb"],"tenant_id":"` + srv.DefaultTenant().ID() + `"}`,
			`{"detail":[{"loc":["body","client_type"],"msg":"value is not a valid enumeration member; permitted: 'public', 'confidential'","type":"type_error.enum","ctx":{"enum_values":["public","confidential"]}}]}`},
		{"webhook URL without scheme", "POST", "/webhooks/", `{"url":"example.com/hook","events":[]}`,
			`{"detail":[{"loc":["body","url"],"msg":"invalid or missing URL scheme","type":"value_error.url.scheme"}]}`},
		{"negative limit and skip", "GET", "/roles/?limit=-1&skip=-2", "",
			`{"detail":[{"loc":["query","limit"],"msg":"ensure this value is greater than or equal to 0","type":"value_error.number.not_ge","ctx":{"limit_value":0}},{"loc":["query","skip"],"msg":"ensure this value is greater than or equal to 0","type":"value_error.number.not_ge","ctx":{"limit_value":0}}]}`},
		{"tenant filter not a UUID", "GET", "/users/?tenant=x", "",
			`{"detail":[{"loc":["query","tenant"],"msg":"value is not a valid uuid","type":"type_error.uuid"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := bearer(t, srv.Client(), tc.method, srv.URL+"/admin/api"+tc.path, srv.AdminAPIKey(), tc.body)
			if code != 422 || !jsonEq(t, body, tc.want) {
				t.Errorf("%d %s\nwant 422 %s", code, body, tc.want)
			}
		})
	}
	// Business checks come after validation: a weak password with an
	// unknown tenant is reported as the unknown tenant, as Fief resolves
	// the tenant first.
	code, body := bearer(t, srv.Client(), "POST", srv.URL+"/admin/api/users/", srv.AdminAPIKey(),
		`{"email":"a@example.com","password":"abc","email_verified":true,"tenant_id":"c477bab5-f40e-4918-9ad2-fcd3ad1fefb7"}`)
	if code != 400 || !strings.Contains(body, "USER_CREATE_UNKNOWN_TENANT") {
		t.Errorf("weak password, unknown tenant: %d %s", code, body)
	}
}
