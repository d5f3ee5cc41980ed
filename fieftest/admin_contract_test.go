package fieftest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/admincalls"
)

// recordedServer starts a fieftest server in the state the recording
// Fief server of that version was in before the first call: the default
// tenant, its client and the administrator created at first start, the
// same admin key.
func recordedServer(t *testing.T, version string) *fieftest.Server {
	t.Helper()
	srv := fieftest.NewUnstartedServer()
	srv.Version = version
	srv.Logger = slog.New(slog.DiscardHandler) // the recording's webhooks point at closed ports
	srv.Start()
	t.Cleanup(srv.Close)
	if err := srv.SetAdminAPIKey(admincalls.AdminKey); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "admin@example.com", Password: "Adm1n-Herm1ne-Tincture!"}); err != nil {
		t.Fatal(err)
	}
	redirectURIs := []string{
		"http://127.0.0.1:9000/admin/auth/callback",
		"https://127.0.0.1:9000/admin/auth/callback",
		"http://localhost:8000/docs/oauth2-redirect",
		"https://127.0.0.1:9000/admin/auth/callback",
	}
	if version == fieftest.FiefVersion030 {
		redirectURIs = []string{
			"http://127.0.0.1:9030/admin/auth/callback",
			"https://127.0.0.1:9030/admin/auth/callback",
			"http://127.0.0.1:9030/docs/oauth2-redirect",
			"https://127.0.0.1:9030/docs/oauth2-redirect",
		}
	}
	if _, err := srv.AddClient(fieftest.ClientConfig{
		ClientID:     "fief-admin-client-id-xyz",
		ClientSecret: "fief-admin-client-secret-xyz",
		RedirectURIs: redirectURIs,
	}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// idMap translates the ids of the recording into the ids fieftest chose,
// learnt by walking each recorded answer alongside the live one.
type idMap map[string]string

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func (m idMap) learn(recorded, live any) {
	switch r := recorded.(type) {
	case string:
		if l, ok := live.(string); ok && len(r) == 36 && uuidRE.MatchString(r) && uuidRE.MatchString(l) {
			m[r] = l
		}
	case []any:
		if l, ok := live.([]any); ok && len(l) == len(r) {
			for i := range r {
				m.learn(r[i], l[i])
			}
		}
	case map[string]any:
		if l, ok := live.(map[string]any); ok {
			for k, v := range r {
				m.learn(v, l[k])
			}
		}
	}
}

func (m idMap) translate(s string) string {
	return uuidRE.ReplaceAllStringFunc(s, func(id string) string {
		if l, ok := m[id]; ok {
			return l
		}
		return id
	})
}

// randomMembers are the members whose values are random on each server:
// they are compared as "a non-empty string" only.
var randomMembers = map[string]bool{"secret": true, "access_token": true}

func maskRandom(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = maskRandom(x[i])
		}
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && randomMembers[k] && s != "" {
				x[k] = "<random>"
			} else {
				x[k] = maskRandom(e)
			}
		}
	}
	return v
}

// TestAdminContract replays every recorded admin API call of a real Fief
// server of each version, in order, against fieftest at that version, and
// checks the status, the content type and the body, modulo ids, timestamps
// and random secrets.
func TestAdminContract(t *testing.T) {
	for _, v := range []string{fieftest.FiefVersion026, fieftest.FiefVersion030} {
		t.Run(v, func(t *testing.T) { testAdminContract(t, v) })
	}
}

func testAdminContract(t *testing.T, version string) {
	calls, err := admincalls.ReplayableVersion(version)
	if err != nil {
		t.Fatal(err)
	}
	srv := recordedServer(t, version)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ids := idMap{}
	var recN, liveN admincalls.Normalizer
	for _, c := range calls {
		var body io.Reader
		if c.RequestBody != nil {
			body = strings.NewReader(ids.translate(string(c.RequestBody)))
		}
		req, err := http.NewRequest(c.Method, srv.URL+ids.translate(c.Target()), body)
		if err != nil {
			t.Fatal(err)
		}
		if c.Authorization != "" {
			req.Header.Set("Authorization", c.Authorization)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()

		if resp.StatusCode != c.Status {
			t.Errorf("%v: status %d, recorded %d; body %s", c, resp.StatusCode, c.Status, got)
			continue
		}
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct != c.ContentType {
			t.Errorf("%v: content type %q, recorded %q", c, ct, c.ContentType)
		}
		if c.ContentType != "application/json" {
			if !bytes.Equal(got, c.ResponseBody) {
				t.Errorf("%v: body %q, recorded %q", c, got, c.ResponseBody)
			}
			continue
		}
		var recorded, live any
		if err := json.Unmarshal(c.ResponseBody, &recorded); err != nil {
			t.Fatalf("%v: recorded body: %v", c, err)
		}
		if err := json.Unmarshal(got, &live); err != nil {
			t.Errorf("%v: body is not JSON: %v: %s", c, err, got)
			continue
		}
		ids.learn(recorded, live)
		if w, h := keyOrder(c.ResponseBody), keyOrder(got); !reflect.DeepEqual(w, h) && !logsOfRetries(c) {
			t.Errorf("%v: members in the order %v, recorded %v", c, h, w)
		}
		if logsOfRetries(c) {
			// The delivery log of a webhook: the recording server had
			// delivered (and retried, over minutes) events to a listener
			// on a fixed port. Replayed here: the envelope and the 200.
			checkLogEnvelope(t, c, live)
			continue
		}
		// The "url" of a 422 names the installed pydantic: the recording
		// server ran 2.13, the release pins 2.9, as fieftest answers.
		recordedBody := bytes.ReplaceAll(c.ResponseBody, []byte("errors.pydantic.dev/2.13/"), []byte("errors.pydantic.dev/2.9/"))
		want, _ := recN.JSON(recordedBody)
		have, _ := liveN.JSON(got)
		want, have = maskRandom(want), maskRandom(have)
		if !reflect.DeepEqual(want, have) {
			w, _ := json.Marshal(want)
			h, _ := json.Marshal(have)
			t.Errorf("%v:\n got %s\nwant %s", c, h, w)
		}
	}
}

// logsOfRetries reports whether c lists the delivery logs of a webhook
// that the recording server retried over minutes.
func logsOfRetries(c admincalls.Call) bool {
	return c.Method == "GET" && strings.HasSuffix(c.Path, "/logs")
}

func checkLogEnvelope(t *testing.T, c admincalls.Call, live any) {
	t.Helper()
	m, ok := live.(map[string]any)
	if !ok {
		t.Errorf("%v: answer %v is not an object", c, live)
		return
	}
	if _, ok := m["count"].(float64); !ok {
		t.Errorf("%v: no count in %v", c, live)
	}
	if _, ok := m["results"].([]any); !ok {
		t.Errorf("%v: no results list in %v", c, live)
	}
}

// keyOrder lists the object members of a JSON document in the order they
// appear: Fief writes them in its models' order.
func keyOrder(b []byte) []string {
	type frame struct{ obj, expectKey bool }
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	var stack []frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].expectKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
			if k, ok := tok.(string); ok {
				keys = append(keys, k)
				stack[n-1].expectKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{obj: true, expectKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}
