package admincalls

import (
	"reflect"
	"strings"
	"testing"
)

func TestLoadVersion030(t *testing.T) {
	calls, err := LoadVersion(V030)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 87 || calls[86].Title != "webhook logs of the closed-port webhook (connection refused)" {
		t.Fatalf("got %d calls, the last %v", len(calls), calls[len(calls)-1])
	}
	if _, err := LoadVersion("0.1.0"); err == nil {
		t.Error("LoadVersion of an unrecorded version: no error")
	}
}

func TestLoad(t *testing.T) {
	calls, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 61 {
		t.Fatalf("got %d calls, want 61", len(calls))
	}
	for i, c := range calls {
		if c.Number != i+1 {
			t.Errorf("call %d numbered %d", i+1, c.Number)
		}
	}

	create := calls[11]
	if create.Title != "create user" || create.Method != "POST" || create.Path != "/admin/api/users/" ||
		create.Authorization != "Bearer "+AdminKey || create.Status != 201 || create.ContentType != "application/json" {
		t.Errorf("call 12 = %+v", create)
	}
	if !strings.HasPrefix(string(create.RequestBody), `{"email":"anne@bretagne.duchy","password":`) {
		t.Errorf("call 12 request body = %s", create.RequestBody)
	}
	if !strings.HasPrefix(string(create.ResponseBody), `{"created_at":"2026-11-30T11:54:57.016463+00:00",`) {
		t.Errorf("call 12 answer body = %s", create.ResponseBody)
	}

	if c := calls[1]; c.Authorization != "" || c.Status != 401 || string(c.ResponseBody) != `{"detail":"Unauthorized"}` {
		t.Errorf("call 2 (no header) = %+v", c)
	}
	if c := calls[20]; c.Path != "/admin/api/users/" || c.RawQuery != "limit=2&skip=0&ordering=created_at" || c.Query().Get("ordering") != "created_at" {
		t.Errorf("call 21 (query) = %+v", c)
	}
	if c := calls[24]; c.Query().Get("email") != "ANNE@bretagne.duchy" {
		t.Errorf("call 25 email query = %q", c.Query().Get("email"))
	}
	if c := calls[34]; c.Status != 201 || string(c.ResponseBody) != "null" {
		t.Errorf("call 35 (add permission) = %+v", c)
	}
	if c := calls[38]; c.Method != "DELETE" || c.Status != 204 || c.ContentType != "" || c.ResponseBody != nil || c.RequestBody != nil {
		t.Errorf("call 39 (delete) = %+v", c)
	}
	if c := calls[14]; c.Status != 500 || c.ContentType != "text/plain" || string(c.ResponseBody) != "Internal Server Error" || c.Replayable() {
		t.Errorf("call 15 (500) = %+v", c)
	}
	if c := calls[59]; c.AdminAPI() || c.Replayable() || c.Path != "/api/password" {
		t.Errorf("call 60 (user API) = %+v", c)
	}
}

func TestReplayable(t *testing.T) {
	calls, err := Replayable()
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 58 {
		t.Fatalf("got %d replayable calls, want 58 (61 minus the 500 and the two user API calls)", len(calls))
	}
	for _, c := range calls {
		if !c.AdminAPI() || c.Status >= 500 {
			t.Errorf("%s is not replayable", c)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, md := range map[string]string{
		"empty":            "# nothing\n",
		"no request":       "## 1. a\n",
		"unterminated":     "## 1. a\n\n```\nGET /x\n",
		"no status":        "## 1. a\n\n```\nGET /x\n```\n\nsomething\n",
		"bad request body": "## 1. a\n\n```\nPOST /x\nAuthorization: Bearer k\n\n{nope\n```\n\n→ **200** (application/json, 2 bytes)\n\n```json\n{}\n```\n",
		"bad answer body":  "## 1. a\n\n```\nGET /x\n```\n\n→ **200** (application/json, 2 bytes)\n\n```json\n{\n```\n",
		"missing body":     "## 1. a\n\n```\nGET /x\n```\n\n→ **200** (application/json, 2 bytes)\n",
		"odd header":       "## 1. a\n\n```\nGET /x\nX-Thing\n```\n\n→ **204** (None, 0 bytes)\n",
	} {
		if _, err := Parse([]byte(md)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestNormalizer(t *testing.T) {
	var a, b Normalizer
	x, err := a.JSON([]byte(`{"id":"C7F7D598-0ffe-487b-88b8-7a6e4d95c9f0","t":"2026-11-30T11:54:57.016463+00:00","l":["10712f3c-376e-4f60-8535-171ccb525252","c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0"],"p":"{\"id\": \"10712f3c-376e-4f60-8535-171ccb525252\"}"}`))
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.JSON([]byte(`{"id":"00000000-0000-4000-8000-000000000001","t":"2030-01-01T00:00:00Z","l":["00000000-0000-4000-8000-000000000002","00000000-0000-4000-8000-000000000001"],"p":"{\"id\": \"00000000-0000-4000-8000-000000000002\"}"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x, y) {
		t.Errorf("normalized documents differ:\n%v\n%v", x, y)
	}
	want := map[string]any{"id": "<id-1>", "t": "<time>", "l": []any{"<id-2>", "<id-1>"}, "p": `{"id": "<id-2>"}`}
	if !reflect.DeepEqual(x, want) {
		t.Errorf("normalized = %v, want %v", x, want)
	}
	if a.ID("10712f3c-376e-4f60-8535-171ccb525252") != "<id-2>" || a.ID("nope") != "" {
		t.Error("ID does not reuse the numbering")
	}
	var c Normalizer
	z, _ := c.JSON([]byte(`{"id":"00000000-0000-4000-8000-000000000002","t":"2030-01-01T00:00:00Z","l":["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"],"p":"x"}`))
	if reflect.DeepEqual(x, z) {
		t.Error("documents with different id structure compare equal")
	}
	if v, err := c.JSON(nil); v != nil || err != nil {
		t.Errorf("JSON(nil) = %v, %v", v, err)
	}
	if _, err := c.JSON([]byte("{")); err == nil {
		t.Error("JSON of malformed input: no error")
	}
}
