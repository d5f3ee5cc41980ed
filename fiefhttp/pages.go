package fiefhttp

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
)

// pageKind selects the message of an error page of the web flow. The pages
// never show internal error text; the only value from outside they show is
// Fief's error code, HTML-escaped and truncated.
type pageKind int

const (
	pageBadState pageKind = iota
	pageFiefError
	pageNoCode
	pageExchange
	pageUnavailable
	pageInternal
)

var pageMessages = map[pageKind]string{
	pageBadState:    "This sign-in link is invalid or has expired. Please sign in again.",
	pageFiefError:   "The sign-in was not completed.",
	pageNoCode:      "The sign-in answer is incomplete. Please sign in again.",
	pageExchange:    "The sign-in could not be completed: the identity server did not answer as expected. Please try again later.",
	pageUnavailable: "The identity server cannot be reached. Please try again later.",
	pageInternal:    "Something went wrong. Please try again.",
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head>
<body><main><h1>Sign-in error</h1>
<p id="message">{{.Message}}</p>
{{if .Code}}<p>Error code: <code id="error-code">{{.Code}}</code></p>{{end}}
<p><a id="retry" href="{{.Home}}">Continue</a></p>
</main></body></html>
`))

// maxCodeShown bounds the length of Fief's error code echoed on a page.
const maxCodeShown = 64

// page answers status with an error page; err, if any, is logged, never
// shown.
func (f *WebFlow) page(w http.ResponseWriter, r *http.Request, status int, kind pageKind, code string, err error) {
	if err != nil {
		f.logger.WarnContext(r.Context(), "fiefhttp: sign-in failed", "status", status, "error", err)
	}
	if len(code) > maxCodeShown {
		code = strings.ToValidUTF8(code[:maxCodeShown], "")
	}
	var buf bytes.Buffer
	data := struct{ Message, Code, Home string }{pageMessages[kind], code, f.defaultPath}
	if pageTemplate.Execute(&buf, data) != nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
