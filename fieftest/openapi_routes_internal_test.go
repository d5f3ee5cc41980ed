package fieftest

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPIPathsAreTheAdminRoutes: the operations the served document
// lists are exactly those of fieftest's admin router. Each one answers
// 401 without the admin key (so the route and its method exist: a missing
// route answers 404, a missing method 405), and the router serves no
// operation the document lacks, except fieftest's own mail route
// (/_fieftest/mail, an extension that Fief does not have). The document's
// own route is not in it, as in FastAPI.
func TestOpenAPIPathsAreTheAdminRoutes(t *testing.T) {
	exceptions := map[string]string{
		mailPath: "fieftest's mail route, not Fief's",
	}
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, v := range []string{FiefVersion030, FiefVersion026} {
		t.Run(v, func(t *testing.T) {
			srv := NewUnstartedServer()
			srv.Version = v
			srv.Start()
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL + adminPrefix + openAPIPath)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Paths map[string]map[string]json.RawMessage `json:"paths"`
			}
			err = json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("the document does not parse: %v", err)
			}

			documented := 0
			for path, item := range doc.Paths {
				for method := range item {
					if method == "parameters" {
						continue
					}
					documented++
					url := srv.URL + adminPrefix + param.ReplaceAllStringFunc(path, func(string) string { return newUUID() })
					req, err := http.NewRequest(strings.ToUpper(method), url, nil)
					if err != nil {
						t.Fatal(err)
					}
					resp, err := srv.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusUnauthorized {
						t.Errorf("%s %s without the admin key: %d %s, want 401", strings.ToUpper(method), path, resp.StatusCode, body)
					}
				}
			}

			served := 0
			for _, rt := range adminRoutes {
				if _, ok := exceptions[rt.pattern]; ok {
					continue
				}
				served++
				if _, ok := doc.Paths[rt.pattern][strings.ToLower(rt.method)]; !ok {
					t.Errorf("fieftest serves %s %s, which the document does not list", rt.method, rt.pattern)
				}
			}
			if _, ok := doc.Paths[openAPIPath]; ok {
				t.Errorf("the document lists its own route")
			}
			if documented != served || documented != 55 {
				t.Errorf("the document lists %d operations and fieftest serves %d, want 55 each", documented, served)
			}
		})
	}
}
