package fieftest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// TestAdminValidation: the 422 answers of the admin API, in pydantic 1's
// shape, as Fief 0.26.3 gives them.
func TestAdminValidation(t *testing.T) {
	srv := fieftest.NewUnstartedServer()
	srv.Version = fieftest.FiefVersion026
	srv.Start()
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
		{"UUID of version 1 in the path", "GET", "/users/5779545c-079b-1e18-a9dd-3ae8a9271b9c/roles", "",
			`{"detail":[{"loc":["path","id"],"msg":"uuid version 4 expected","type":"value_error.uuid.version","ctx":{"required_version":4}}]}`},
		{"UUID of version 7 in a body", "POST", "/roles/", `{"name":"r","granted_by_default":false,"permissions":["019abcde-0000-7000-8000-000000000000"]}`,
			`{"detail":[{"loc":["body","permissions",0],"msg":"uuid version 4 expected","type":"value_error.uuid.version","ctx":{"required_version":4}}]}`},
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

// TestAdminValidationV030: the same 422 answers at Fief 0.30.0, in pydantic
// 2's shape: type, loc, msg, input[, ctx], and a "url" only where Fief
// validates the body itself (POST /users/, PATCH /users/{id}).
func TestAdminValidationV030(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "Herm1ne-Tincture!"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path, body, want string
	}{
		{"no body", "POST", "/permissions/", "",
			`{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`},
		{"null for a required member", "POST", "/permissions/", `{"name":null,"codename":"c"}`,
			`{"detail":[{"type":"string_type","loc":["body","name"],"msg":"Input should be a valid string","input":null}]}`},
		{"missing member", "POST", "/permissions/", `{"codename":"c"}`,
			`{"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":{"codename":"c"}}]}`},
		{"unknown client type", "POST", "/clients/", `{"name":"a","first_party":true,"client_type":"secret","redirect_uris":["http://localhost/cb"],"tenant_id":"` + srv.DefaultTenant().ID() + `"}`,
			`{"detail":[{"type":"enum","loc":["body","client_type"],"msg":"Input should be 'public' or 'confidential'","input":"secret","ctx":{"expected":"'public' or 'confidential'"}}]}`},
		{"negative limit", "GET", "/roles/?limit=-1", "",
			`{"detail":[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 0","input":"-1","ctx":{"ge":0}}]}`},
		{"UUID of version 1 in the path", "GET", "/users/5779545c-079b-1e18-a9dd-3ae8a9271b9c/roles", "",
			`{"detail":[{"type":"uuid_version","loc":["path","id"],"msg":"UUID version 4 expected","input":"5779545c-079b-1e18-a9dd-3ae8a9271b9c","ctx":{"expected_version":4}}]}`},
		{"create user: missing password, bad email", "POST", "/users/", `{"email":"not-an-email"}`,
			`{"detail":[{"type":"value_error","loc":["body","email"],"msg":"value is not a valid email address: An email address must have an @-sign.","input":"not-an-email","ctx":{"reason":"An email address must have an @-sign."}},` +
				`{"type":"missing","loc":["body","password"],"msg":"Field required","input":{"email":"not-an-email"},"url":"https://errors.pydantic.dev/2.9/v/missing"},` +
				`{"type":"missing","loc":["body","email_verified"],"msg":"Field required","input":{"email":"not-an-email"},"url":"https://errors.pydantic.dev/2.9/v/missing"},` +
				`{"type":"missing","loc":["body","tenant_id"],"msg":"Field required","input":{"email":"not-an-email"},"url":"https://errors.pydantic.dev/2.9/v/missing"}]}`},
		{"update user: bad email", "PATCH", "/users/" + u.ID, `{"email":"anne@"}`,
			`{"detail":[{"type":"value_error","loc":["body","email"],"msg":"value is not a valid email address: There must be something after the @-sign.","input":"anne@","ctx":{"reason":"There must be something after the @-sign."}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := bearer(t, srv.Client(), tc.method, srv.URL+"/admin/api"+tc.path, srv.AdminAPIKey(), tc.body)
			if code != 422 || !jsonEq(t, body, tc.want) {
				t.Errorf("%d %s\nwant 422 %s", code, body, tc.want)
			}
			if w, h := keyOrder([]byte(tc.want)), keyOrder([]byte(body)); !slices.Equal(w, h) {
				t.Errorf("members in the order %v, want %v", h, w)
			}
		})
	}
}
