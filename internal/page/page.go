package page

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
)

// Tone colours a page's heading.
type Tone string

// The tones of a page.
const (
	Neutral Tone = ""
	OK      Tone = "ok"
	Problem Tone = "error"
)

// Frame is what the "head" template of [Parse] reads: the data of a page
// embeds it.
type Frame struct {
	// Title is the heading of the card and the document's title.
	Title string
	// Brand, shown above the card and after the document's title, names
	// who speaks: the application or the tenant. Empty shows none.
	Brand string
	// Tone colours the heading.
	Tone Tone
}

// layout holds the "head" and "foot" templates every page starts and ends
// with. html/template escapes every value in its context.
const layout = `{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>{{.Title}}{{with .Brand}} · {{.}}{{end}}</title>
<style>` + css + `</style>
</head>
<body{{with .Tone}} class="{{.}}"{{end}}>
{{with .Brand}}<header class="brand" id="brand">{{.}}</header>
{{end}}<main>
<h1 id="title">{{.Title}}</h1>
{{end}}
{{define "foot"}}</main>
</body></html>
{{end}}`

// Parse returns a template set holding the "head" and "foot" templates and
// the templates defined by defs, each of which should start with
// {{template "head" .}} and end with {{template "foot" .}}, with data
// embedding a [Frame]. It panics if defs does not parse, like
// [template.Must]: defs is a constant of the program.
func Parse(defs string) *template.Template {
	return template.Must(template.Must(template.New("page").Parse(layout)).Parse(defs))
}

// Write executes the template name of t with data and answers status with
// the page and the headers of fief-go's pages: no caching, no sniffing, no
// referrer, and a Content-Security-Policy that lets nothing but the inline
// style load. A template that fails leaves a plain 500.
func Write(w http.ResponseWriter, status int, t *template.Template, name string, data any) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// img-src data: is for the empty icon, which spares the browser a
	// request for /favicon.ico. form-action stays open: forms post to
	// routes that redirect elsewhere.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'")
	Render(w, status, t, name, data)
}

// Render is [Write] for a server that sets its own headers: it sets only
// Content-Type and Content-Length. A status that is not a valid HTTP
// status, such as the zero value, is answered as 500.
func Render(w http.ResponseWriter, status int, t *template.Template, name string, data any) {
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
