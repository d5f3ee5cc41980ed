package fieftest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
	"github.com/fief-dev/fief-go/internal/logtest"
)

// receiver records the deliveries it gets and answers with the statuses
// queued in answers (200 once they run out).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []received
	answers []int
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	r := &receiver{answers: answers}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), b})
		status := http.StatusOK
		if len(r.answers) > 0 {
			status, r.answers = r.answers[0], r.answers[1:]
		}
		r.mu.Unlock()
		if status == http.StatusFound {
			http.Redirect(w, req, "/elsewhere", status)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func wait(t *testing.T, srv *fieftest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
}

var userEvents = []string{"user.created", "user.updated", "user.deleted", "user.password_reset", "user_permission.created", "user_permission.deleted", "user_role.created", "user_role.deleted"}

// webhookFormats is what a delivery looks like at each Fief version: the
// start of its body, the body of a user-field value "Anne de Bretagne ✓",
// its User-Agent and the real deliveries of that version.
var webhookFormats = []struct {
	version, start, nonASCII, userAgent, recording string
}{
	{fieftest.FiefVersion030, `{"type":"%s","data":{"created_at":"`, `"Anne de Bretagne ✓"`, "fief-server-webhooks/0.30.0", "testdata/deliveries-v0.30.0.json"},
	{fieftest.FiefVersion026, `{"type": "%s", "data": {"created_at": "`, `"Anne de Bretagne \u2713"`, "fief-server-webhooks/0.26.3", "testdata/deliveries-v0.26.3.json"},
}

func TestWebhooksDeliverUserChanges(t *testing.T) {
	for _, f := range webhookFormats {
		t.Run(f.version, func(t *testing.T) {
			srv := fieftest.NewUnstartedServer()
			srv.Version = f.version
			srv.Start()
			defer srv.Close()
			testWebhooksDeliverUserChanges(t, srv, f.start, f.nonASCII, f.userAgent, f.recording)
		})
	}
}

func testWebhooksDeliverUserChanges(t *testing.T, srv *fieftest.Server, start, nonASCII, userAgent, recording string) {
	recv := newReceiver(t)
	hook, err := srv.AddWebhook(fieftest.WebhookConfig{URL: recv.URL, Events: userEvents})
	if err != nil {
		t.Fatal(err)
	}
	onlyDeleted := newReceiver(t)
	if _, err := srv.AddWebhook(fieftest.WebhookConfig{URL: onlyDeleted.URL, Events: []string{"user.deleted"}, Secret: "chosen"}); err != nil {
		t.Fatal(err)
	}

	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture", Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	u.SetPermissions([]string{"castles:read", "castles:create"})
	u.SetPermissions([]string{"castles:create"})
	if _, err := srv.AddRole(fieftest.RoleConfig{Name: "Castle manager", Permissions: []string{"castles:delete"}}); err != nil {
		t.Fatal(err)
	}
	if err := u.GrantRole("Castle manager"); err != nil {
		t.Fatal(err)
	}
	if got := u.Permissions(); !slices.Equal(got, []string{"castles:create", "castles:delete"}) {
		t.Fatalf("permissions with the role: %v", got)
	}
	if !u.RemoveRole("Castle manager") {
		t.Fatal("RemoveRole: the user did not hold the role")
	}
	u.SetFields(map[string]any{"name": "Anne de Bretagne ✓"})
	u.ResetPassword("a new password")
	u.SetActive(false)
	srv.DefaultTenant().RemoveUser(u.ID)
	wait(t, srv)

	want := []string{"user.created", "user_permission.created", "user_permission.created", "user_permission.deleted", "user_role.created", "user_role.deleted", "user.updated", "user.password_reset", "user.updated", "user.deleted"}
	got := recv.deliveries()
	if len(got) != len(want) {
		var types []string
		for _, d := range got {
			e, _ := fiefwebhook.Decode(d.body)
			types = append(types, string(e.Type))
		}
		t.Fatalf("deliveries %v, want %v", types, want)
	}
	real := realBodies(t, recording)
	for i, d := range got {
		ts := d.header.Get("X-Fief-Webhook-Timestamp")
		if err := fiefwebhook.Verify([]string{hook.Secret}, ts, d.header.Get("X-Fief-Webhook-Signature"), d.body, time.Now(), time.Minute); err != nil {
			t.Fatalf("delivery %d does not verify: %v", i, err)
		}
		if d.header.Get("Content-Type") != "application/json" || d.header.Get("User-Agent") != userAgent {
			t.Fatalf("delivery %d headers %v", i, d.header)
		}
		e, err := fiefwebhook.Decode(d.body)
		if err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		if string(e.Type) != want[i] {
			t.Fatalf("delivery %d is %s, want %s", i, e.Type, want[i])
		}
		if f := fiefwebhook.EffectOf(e); f.UserID != u.ID {
			t.Fatalf("%s concerns user %q, want %q", e.Type, f.UserID, u.ID)
		}
		// Fief's body format: separators, times, members in Fief's order.
		if !bytes.HasPrefix(d.body, fmt.Appendf(nil, start, e.Type)) {
			t.Fatalf("%s: body does not start as Fief's: %.80s", e.Type, d.body)
		}
		if r, ok := real[string(e.Type)]; ok && !slices.Equal(upToFields(jsonKeys(t, d.body)), upToFields(jsonKeys(t, r))) {
			t.Fatalf("%s: members\n%v\nFief's\n%v", e.Type, jsonKeys(t, d.body), jsonKeys(t, r))
		}
	}
	if !bytes.Contains(got[6].body, []byte(nonASCII)) {
		t.Fatalf("non-ASCII not written as Fief does (%s): %s", nonASCII, got[6].body)
	}
	if tenantName(t, got[0].body) != tenantName(t, real["user.created"]) {
		t.Fatalf("the default tenant is %q, in the recording %q", tenantName(t, got[0].body), tenantName(t, real["user.created"]))
	}
	if e, _ := fiefwebhook.Decode(got[8].body); len(fiefwebhook.EffectOf(e).Revocations) == 0 {
		t.Fatal("deactivation is not a revocation")
	}
	if d := onlyDeleted.deliveries(); len(d) != 1 || !bytes.Contains(d[0].body, []byte(`"user.deleted"`)) {
		t.Fatalf("a webhook for user.deleted only got %d deliveries", len(d))
	} else if err := fiefwebhook.Verify([]string{"chosen"}, d[0].header.Get("X-Fief-Webhook-Timestamp"), d[0].header.Get("X-Fief-Webhook-Signature"), d[0].body, time.Now(), time.Minute); err != nil {
		t.Fatalf("chosen secret: %v", err)
	}
}

// tenantName is the name of the tenant of a user event.
func tenantName(t *testing.T, body []byte) string {
	t.Helper()
	e, err := fiefwebhook.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	u, ok := e.User()
	if !ok {
		t.Fatalf("%s carries no user", e.Type)
	}
	return u.Tenant.Name
}

// upToFields cuts the names of the custom user fields off a key list.
func upToFields(keys []string) []string {
	if i := slices.Index(keys, "fields"); i >= 0 {
		return keys[:i+1]
	}
	return keys
}

// jsonKeys lists the member names of b in order, depth first.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	var walk func(dec *json.Decoder)
	walk = func(dec *json.Decoder) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, _ := dec.Token()
				out = append(out, k.(string))
				walk(dec)
			}
			dec.Token()
		case json.Delim('['):
			for dec.More() {
				walk(dec)
			}
			dec.Token()
		}
	}
	walk(json.NewDecoder(bytes.NewReader(b)))
	return out
}

// realBodies returns a body of each type delivered by a real Fief server.
func realBodies(t *testing.T, recording string) map[string][]byte {
	b, err := os.ReadFile(recording)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Deliveries []struct{ Body string } `json:"deliveries"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, d := range f.Deliveries {
		e, err := fiefwebhook.Decode([]byte(d.Body))
		if err != nil {
			t.Fatal(err)
		}
		out[string(e.Type)] = []byte(d.Body)
	}
	return out
}

func TestWebhooksUserAPIPasswordChange(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	recv := newReceiver(t)
	if _, err := srv.AddWebhook(fieftest.WebhookConfig{URL: recv.URL, Events: userEvents}); err != nil {
		t.Fatal(err)
	}
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"})
	if err != nil {
		t.Fatal(err)
	}
	tok := srv.MintAccessToken(u.ID, fieftest.TokenOptions{ACR: "1"})
	req, _ := http.NewRequest(http.MethodPatch, srv.URL+"/api/password", bytes.NewReader([]byte(`{"password":"an even longer one"}`)))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH /api/password: %d", resp.StatusCode)
	}
	wait(t, srv)
	got := recv.deliveries()
	if len(got) != 2 || !bytes.Contains(got[1].body, []byte(`{"type":"user.updated"`)) {
		t.Fatalf("a password change through the user API delivered %d events, want user.created then user.updated", len(got))
	}
}

func TestWebhooksRetryOnTheServersClock(t *testing.T) {
	logs := logtest.UseAsDefault(t) // a nil Server.Logger warns to slog.Default
	srv := fieftest.NewServer()
	defer srv.Close()
	recv := newReceiver(t, 500, http.StatusFound, 503, 500, 500, 500, 500)
	if _, err := srv.AddWebhook(fieftest.WebhookConfig{URL: recv.URL, Events: []string{"user.deleted"}}); err != nil {
		t.Fatal(err)
	}
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	srv.DefaultTenant().RemoveUser(u.ID)
	wait(t, srv)

	// Fief's back-off: 7.5–15 s, then 15–30, 30–60, 60–120, 120–240.
	for i, upper := range []time.Duration{15, 30, 60, 120, 240} {
		upper *= time.Second
		if n := len(recv.deliveries()); n != i+1 {
			t.Fatalf("before retry %d: %d attempts, want %d", i+1, n, i+1)
		}
		srv.Advance(upper/2 - time.Second)
		wait(t, srv)
		if n := len(recv.deliveries()); n != i+1 {
			t.Fatalf("retry %d sent before its earliest time", i+1)
		}
		srv.Advance(upper/2 + time.Second)
		wait(t, srv)
	}
	got := recv.deliveries()
	if len(got) != 6 {
		t.Fatalf("%d attempts, want 6", len(got))
	}
	srv.Advance(time.Hour)
	wait(t, srv)
	if n := len(recv.deliveries()); n != 6 {
		t.Fatalf("%d attempts after the sixth failed, want none more", n)
	}
	var stamps []string
	for _, d := range got {
		if !bytes.Equal(d.body, got[0].body) {
			t.Fatal("a retry's body differs from the first attempt's")
		}
		stamps = append(stamps, d.header.Get("X-Fief-Webhook-Timestamp"))
	}
	if stamps[0] == stamps[1] {
		t.Fatal("a retry was not signed anew")
	}
	first, _ := strconv.ParseInt(stamps[0], 10, 64)
	last, _ := strconv.ParseInt(stamps[5], 10, 64)
	if d := time.Duration(last-first) * time.Second; d < 225*time.Second || d > 470*time.Second {
		t.Fatalf("attempts spread over %v, want Fief's 3.75 to 7.75 minutes", d)
	}
	attempts := srv.WebhookAttempts()
	if len(attempts) != 6 || attempts[1].StatusCode != http.StatusFound || attempts[1].OK() || attempts[5].Attempt != 6 {
		t.Fatalf("attempts %+v", attempts)
	}
	text := logs.Text()
	if strings.Count(text, "will retry") != 5 || strings.Count(text, "dropped after the last attempt") != 1 || !strings.Contains(text, "HTTP 302") || !strings.Contains(text, recv.URL) {
		t.Errorf("warnings logged:\n%s", text)
	}
}

func TestWebhooksStopAtSuccess(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	recv := newReceiver(t, 500)
	if _, err := srv.AddWebhook(fieftest.WebhookConfig{URL: recv.URL, Events: []string{"user.created"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"}); err != nil {
		t.Fatal(err)
	}
	wait(t, srv)
	srv.Advance(15 * time.Second)
	wait(t, srv)
	srv.Advance(time.Hour)
	wait(t, srv)
	if n := len(recv.deliveries()); n != 2 {
		t.Fatalf("%d attempts, want 2 (a failure, then a success)", n)
	}
}

func TestWebhooksRegisteredThroughTheAdminAPI(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	recv := newReceiver(t, 500)
	code, v := admin(t, srv, "POST", "/webhooks/", map[string]any{"url": recv.URL, "events": []string{"user.deleted", "user_permission.deleted"}})
	if code != http.StatusCreated {
		t.Fatalf("POST /webhooks/: %d %v", code, v)
	}
	created := v.(map[string]any)
	secret, id := created["secret"].(string), created["id"].(string)
	u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	code, _ = admin(t, srv, "DELETE", "/users/"+u.ID+"/permissions/"+permissionID(t, srv, "castles:read"), nil)
	if code != http.StatusNoContent {
		t.Fatalf("removing the permission through the admin API: %d", code)
	}
	wait(t, srv)
	srv.Advance(15 * time.Second)
	wait(t, srv)
	got := recv.deliveries()
	if len(got) != 2 {
		t.Fatalf("%d attempts, want 2 (a 500, then the retry)", len(got))
	}
	for _, d := range got {
		if err := fiefwebhook.Verify([]string{secret}, d.header.Get("X-Fief-Webhook-Timestamp"), d.header.Get("X-Fief-Webhook-Signature"), d.body, srv.Now(), time.Minute); err != nil {
			t.Fatalf("delivery does not verify with the secret the admin API gave: %v", err)
		}
		if e, err := fiefwebhook.Decode(d.body); err != nil || e.Type != "user_permission.deleted" || len(fiefwebhook.EffectOf(e).Revocations) == 0 {
			t.Fatalf("delivery %s, %v", d.body, err)
		}
	}
	code, v = admin(t, srv, "GET", "/webhooks/"+id+"/logs", nil)
	if code != http.StatusOK {
		t.Fatalf("logs: %d", code)
	}
	logs := v.(map[string]any)["results"].([]any)
	if len(logs) != 2 {
		t.Fatalf("%d logs, want 2", len(logs))
	}
	last := logs[0].(map[string]any) // newest first
	if last["success"] != true || last["attempt"] != 2.0 || last["event"] != "user_permission.deleted" {
		t.Fatalf("newest log %v", last)
	}
}

// permissionID returns the ID of the permission with this codename.
func permissionID(t *testing.T, srv *fieftest.Server, codename string) string {
	t.Helper()
	_, v := admin(t, srv, "GET", "/permissions/?codename="+codename, nil)
	for _, p := range v.(map[string]any)["results"].([]any) {
		if p.(map[string]any)["codename"] == codename {
			return p.(map[string]any)["id"].(string)
		}
	}
	t.Fatalf("no permission %q", codename)
	return ""
}

// TestWebhooksOfUsersChangedThroughTheAdminAPI: a user created, updated
// and deleted through the admin API is delivered to a webhook registered
// through the admin API, signed with the secret its creation answered, one
// delivery per change and in order, each carrying the user as the change
// left it (as it was, for the deletion).
func TestWebhooksOfUsersChangedThroughTheAdminAPI(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	recv := newReceiver(t)
	created := mustAdmin(t, srv, http.StatusCreated, "POST", "/webhooks/", map[string]any{
		"url": recv.URL, "events": []string{"user.created", "user.updated", "user.deleted"},
	})
	secret, _ := obj(t, created, "secret").(string)
	if secret == "" {
		t.Fatalf("webhook created without a secret: %v", created)
	}
	tenant := obj(t, mustAdmin(t, srv, http.StatusOK, "GET", "/tenants/", nil), "results").([]any)[0]
	user := mustAdmin(t, srv, http.StatusCreated, "POST", "/users/", map[string]any{
		"email": "anne@bretagne.duchy", "password": "Herm1ne-Tincture-Duchy!", "email_verified": false,
		"tenant_id": obj(t, tenant, "id"),
	})
	id := obj(t, user, "id").(string)
	mustAdmin(t, srv, http.StatusOK, "PATCH", "/users/"+id, map[string]any{"email": "anne.de.bretagne@bretagne.duchy", "email_verified": true})
	mustAdmin(t, srv, http.StatusNoContent, "DELETE", "/users/"+id, nil)
	wait(t, srv)

	got := recv.deliveries()
	want := []struct {
		typ, email string
		verified   bool
	}{
		{"user.created", "anne@bretagne.duchy", false},
		{"user.updated", "anne.de.bretagne@bretagne.duchy", true},
		{"user.deleted", "anne.de.bretagne@bretagne.duchy", true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d deliveries, want %d (user.created, user.updated, user.deleted)", len(got), len(want))
	}
	for i, d := range got {
		if err := fiefwebhook.Verify([]string{secret}, d.header.Get("X-Fief-Webhook-Timestamp"), d.header.Get("X-Fief-Webhook-Signature"), d.body, srv.Now(), time.Minute); err != nil {
			t.Fatalf("delivery %d does not verify with the secret the admin API gave: %v", i, err)
		}
		if err := fiefwebhook.Verify([]string{secret + "x"}, d.header.Get("X-Fief-Webhook-Timestamp"), d.header.Get("X-Fief-Webhook-Signature"), d.body, srv.Now(), time.Minute); err == nil {
			t.Fatalf("delivery %d verifies with another secret", i)
		}
		e, err := fiefwebhook.Decode(d.body)
		if err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		var data struct {
			ID            string `json:"id"`
			Email         string `json:"email"`
			EmailVerified bool   `json:"email_verified"`
		}
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatalf("delivery %d data: %v", i, err)
		}
		if string(e.Type) != want[i].typ || data.ID != id || data.Email != want[i].email || data.EmailVerified != want[i].verified {
			t.Errorf("delivery %d: %s %+v, want %s of %s (%s, verified %v)", i, e.Type, data, want[i].typ, id, want[i].email, want[i].verified)
		}
	}
	if len(fiefwebhook.EffectOf(mustDecode(t, got[2].body)).Revocations) == 0 {
		t.Error("the deletion through the admin API is not a revocation")
	}
}

func mustDecode(t *testing.T, body []byte) *fiefwebhook.Event {
	t.Helper()
	e, err := fiefwebhook.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
