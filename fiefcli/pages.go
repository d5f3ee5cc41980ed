package fiefcli

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/fief-dev/fief-go"
)

// page is what the browser sees at the end of the sign-in. Every field is
// escaped by html/template: Fief's error texts arrive in the URL, where
// anyone can put anything.
type page struct {
	Title       string
	Message     string
	Code        string
	Description string
	OK          bool
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem;color:{{if .OK}}#146c2e{{else}}#a4161a{{end}}}
code{background:#f2f2f2;padding:.1rem .3rem}
</style></head>
<body><main>
<h1 id="title">{{.Title}}</h1>
<p id="message">{{.Message}}</p>
{{if .Code}}<p>Error: <code id="error">{{.Code}}</code></p>{{end}}
{{if .Description}}<p id="error-description">{{.Description}}</p>{{end}}
</main></body></html>
`))

func renderPage(w http.ResponseWriter, status int, p page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage describes a failed sign-in to the browser. Internal details
// (Fief's answers, file errors) go to the program, not to the page.
func errorPage(err error) page {
	p := page{Title: "Sign-in failed", Message: "The sign-in did not complete. Return to the terminal for details, and try again."}
	var ae *AuthorizationError
	switch {
	case errors.As(err, &ae):
		p.Message = "Fief refused the sign-in."
		p.Code, p.Description = ae.Code, ae.Description
	case errors.Is(err, ErrStateMismatch):
		p.Message = "This page was not opened by the sign-in running in the terminal. Start the sign-in again from the terminal."
	case errors.Is(err, ErrMissingCode):
		p.Message = "Fief sent no authorization code. Try again."
	case errors.Is(err, fief.ErrUnavailable):
		p.Message = "Fief could not be reached to complete the sign-in. Try again later."
	}
	return p
}

func errorStatus(err error) int {
	var (
		ae *AuthorizationError
		re *fief.ResponseError
	)
	switch {
	case errors.As(err, &ae), errors.Is(err, ErrStateMismatch), errors.Is(err, ErrMissingCode):
		return http.StatusBadRequest
	case errors.As(err, &re), errors.Is(err, fief.ErrUnavailable), errors.Is(err, fief.ErrInvalidIDToken):
		return http.StatusBadGateway // Fief refused or failed the code exchange
	}
	return http.StatusInternalServerError
}
