package fiefhttp_test

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/fief-dev/fief-go/fiefhttp"
)

// The application's own page for a sign-in link that expired, in its words
// and style; the other failures keep the default page.
var expiredPage = template.Must(template.New("expired").Parse(
	`<p>This link is too old. <a href="{{.RetryPath}}">Sign in again</a></p>`))

func ExampleWebConfig_page() {
	srv, _, _, client := exampleFief()
	defer srv.Close()

	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{
		Page: func(w http.ResponseWriter, r *http.Request, p fiefhttp.Page) {
			if p.Kind != fiefhttp.PageExpired {
				fiefhttp.DefaultPage(w, r, p)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(p.Status)
			expiredPage.Execute(w, p)
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth-callback", flow.Callback)
	app := httptest.NewServer(mux)
	defer app.Close()

	// A callback whose flow this browser never started.
	resp, err := http.Get(app.URL + "/auth-callback?state=bm90LWEtZmxvdw&code=x")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 400 <p>This link is too old. <a href="/">Sign in again</a></p>
}
