package fieftest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// recordedOpenAPI returns, compacted as Fief serves it, the document a
// real server of version v published, without the artifact of the 0.30.0
// recording (pydantic 2.11's "additionalProperties" on UserRead.fields,
// which Fief's pinned pydantic does not write), and the host it named.
func recordedOpenAPI(t *testing.T, v string) (doc []byte, host string) {
	t.Helper()
	b, err := os.ReadFile("testdata/openapi-v" + v + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if v == fieftest.FiefVersion030 {
		artifact := []byte("\"fields\": {\n                        \"additionalProperties\": true,\n")
		if n := bytes.Count(b, artifact); n != 1 {
			t.Fatalf("the 0.30.0 recording has the artifact %d times, want once", n)
		}
		b = bytes.Replace(b, artifact, []byte("\"fields\": {\n"), 1)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), openAPIServer(t, out.Bytes()).host
}

type serverDefaults struct{ url, scheme, host string }

// openAPIServer reads the servers of a document: the first one's URL and
// the defaults of the second one's variables.
func openAPIServer(t *testing.T, doc []byte) serverDefaults {
	t.Helper()
	var d struct {
		Servers []struct {
			URL       string `json:"url"`
			Variables map[string]struct {
				Default string `json:"default"`
			} `json:"variables"`
		} `json:"servers"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("the document does not parse: %v", err)
	}
	if len(d.Servers) != 2 {
		t.Fatalf("servers = %+v, want 2", d.Servers)
	}
	return serverDefaults{url: d.Servers[0].URL, scheme: d.Servers[1].Variables["scheme"].Default, host: d.Servers[1].Variables["host"].Default}
}

func getOpenAPI(t *testing.T, srv *fieftest.Server, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+"/admin/api/openapi.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestOpenAPIDocumentIsFiefs: GET /admin/api/openapi.json answers, without
// the admin key as Fief does, the document a real Fief of the server's
// version published, byte for byte, with the server's own domain in place
// of the recorded one.
func TestOpenAPIDocumentIsFiefs(t *testing.T) {
	for _, v := range []string{fieftest.FiefVersion030, fieftest.FiefVersion026} {
		t.Run(v, func(t *testing.T) {
			srv := fieftest.NewUnstartedServer()
			srv.Version = v
			srv.Start()
			defer srv.Close()
			want, recordedHost := recordedOpenAPI(t, v)
			domain := strings.TrimPrefix(srv.Issuer(), "https://")
			want = replaceOnce(t, want, `"host":{"default":"`+recordedHost+`"`, `"host":{"default":"`+domain+`"`)

			resp, got := getOpenAPI(t, srv, http.Header{})
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, Content-Type %q, want 200 application/json", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the document differs from the recording (%d bytes, want %d)", len(got), len(want))
			}
			var doc struct {
				Info struct {
					Version string `json:"version"`
				} `json:"info"`
				Components struct {
					Schemas map[string]struct {
						Properties map[string]map[string]any `json:"properties"`
					} `json:"schemas"`
				} `json:"components"`
			}
			if err := json.Unmarshal(got, &doc); err != nil {
				t.Fatalf("the document does not parse: %v", err)
			}
			if doc.Info.Version != v {
				t.Errorf("info.version = %q, want %q", doc.Info.Version, v)
			}
			fields, ok := doc.Components.Schemas["UserRead"].Properties["fields"]
			if _, artifact := fields["additionalProperties"]; !ok || artifact {
				t.Errorf("UserRead.fields = %v, want it without additionalProperties", fields)
			}
			if sv := openAPIServer(t, got); sv != (serverDefaults{"/admin/api", "https", domain}) {
				t.Errorf("servers = %+v, want /admin/api and https://%s", sv, domain)
			}

			// The admin key is not needed, and a wrong one is not refused.
			resp, again := getOpenAPI(t, srv, http.Header{"Authorization": {"Bearer not-the-key"}})
			if resp.StatusCode != http.StatusOK || !bytes.Equal(again, got) {
				t.Errorf("with a wrong admin key: status %d, same document %v; want 200, the same", resp.StatusCode, bytes.Equal(again, got))
			}
		})
	}
}

func replaceOnce(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	if n := bytes.Count(b, []byte(old)); n != 1 {
		t.Fatalf("%s appears %d times, want once", old, n)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// TestOpenAPIServerDefaults: the document's server names the server's
// domain, with the scheme Fief chooses for it: http for a name starting
// with "localhost" or a private IPv4 address without a port, https
// otherwise (the recordings' 127.0.0.1:PORT included).
func TestOpenAPIServerDefaults(t *testing.T) {
	for domain, scheme := range map[string]string{
		"localhost:8000":      "http",
		"LOCALHOST":           "http",
		"auth.localhost:3000": "http",
		"192.168.1.10":        "http",
		"127.0.0.1":           "http",
		"127.0.0.1:8000":      "https",
		"auth.example.com":    "https",
		"notlocalhost:8000":   "https",
		"203.0.113.7":         "https",
	} {
		srv := fieftest.NewUnstartedServer()
		srv.Domain = domain
		srv.Start()
		_, doc := getOpenAPI(t, srv, http.Header{})
		srv.Close()
		if got := openAPIServer(t, doc); got.scheme != scheme || got.host != domain {
			t.Errorf("Domain %q: server %s://%s, want %s://%s", domain, got.scheme, got.host, scheme, domain)
		}
	}
}

// TestOpenAPIRouting: the document's route answers GET only (405 with
// its Allow header otherwise) and redirects its path with a trailing
// slash, as Starlette does.
func TestOpenAPIRouting(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	resp, err := c.Post(srv.URL+"/admin/api/openapi.json", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" || string(body) != `{"detail":"Method Not Allowed"}` {
		t.Errorf("POST: %d Allow %q %s, want 405 Allow \"GET, HEAD\" Method Not Allowed", resp.StatusCode, resp.Header.Get("Allow"), body)
	}

	resp, err = c.Get(srv.URL + "/admin/api/openapi.json/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := srv.URL + "/admin/api/openapi.json"; resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != want {
		t.Errorf("trailing slash: %d Location %q, want 307 %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}

	resp, err = c.Head(srv.URL + "/admin/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD: %d, want 200", resp.StatusCode)
	}
}

// TestOpenAPIMountedWithoutDomain: a server mounted in another one
// without Start nor Domain names the host the request reached.
func TestOpenAPIMountedWithoutDomain(t *testing.T) {
	outer := httptest.NewServer(fieftest.NewUnstartedServer())
	defer outer.Close()
	resp, err := outer.Client().Get(outer.URL + "/admin/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if host := strings.TrimPrefix(outer.URL, "http://"); openAPIServer(t, doc).host != host {
		t.Errorf("server host = %q, want %q", openAPIServer(t, doc).host, host)
	}
}
