package fieftest

import (
	"bytes"
	"html/template"
	"net/http"
)

// pages are the HTML pages of the auth app: plain forms, no styling, with
// the field names of Fief's forms and ids a browser test can target.
var pages = template.Must(template.New("pages").Parse(`
{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - Fief</title></head>
<body><main><h1>{{.Title}}</h1>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
{{range .Reasons}}<p class="error-reason">{{.}}</p>{{end}}{{end}}
{{define "foot"}}</main></body></html>
{{end}}

{{define "error"}}{{template "head" .}}<p id="error-code">{{.Code}}</p>{{template "foot" .}}{{end}}

{{define "login"}}{{template "head" .}}
<form method="post" action="{{.Prefix}}/login">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="email">Email address</label>
<input type="email" name="email" id="email" value="{{.Email}}" autocomplete="email" required>
<label for="password">Password</label>
<input type="password" name="password" id="password" autocomplete="current-password" required>
<button type="submit" id="submit">Sign in</button>
</form>
{{if .RegisterAllowed}}<p><a id="register" href="{{.Prefix}}/register">Sign up</a></p>{{end}}
{{template "foot" .}}{{end}}

{{define "register"}}{{template "head" .}}
<form method="post" action="{{.Prefix}}/register">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="email">Email address</label>
<input type="email" name="email" id="email" value="{{.Email}}" autocomplete="email" required>
<label for="password">Password</label>
<input type="password" name="password" id="password" autocomplete="new-password" required>
<button type="submit" id="submit">Sign up</button>
</form>
<p><a id="login" href="{{.Prefix}}/login">Sign in</a></p>
{{template "foot" .}}{{end}}

{{define "verify"}}{{template "head" .}}
<p>We sent a verification code to {{.Email}}.</p>
<form method="post" action="{{.Prefix}}/verify">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="code">Verification code</label>
<input type="text" name="code" id="code" autocomplete="one-time-code" required>
<button type="submit" id="submit">Verify</button>
</form>
{{template "foot" .}}{{end}}

{{define "consent"}}{{template "head" .}}
<p><strong id="client">{{.Client}}</strong> wants to access your account ({{.Email}}) with these scopes:</p>
<ul id="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
<form method="post" action="{{.Prefix}}/consent">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<button type="submit" name="allow" value="allow" id="allow">Allow</button>
<button type="submit" name="deny" value="deny" id="deny">Deny</button>
</form>
{{template "foot" .}}{{end}}

{{define "dashboard"}}{{template "head" .}}
<p id="email">{{.Email}}</p>
{{template "foot" .}}{{end}}
`))

// pageData is the data of every page; each page uses what it needs.
type pageData struct {
	Title           string
	Prefix          string
	Error           string
	Reasons         []string
	Code            string
	CSRF            string
	Email           string
	Client          string
	Scopes          []string
	RegisterAllowed bool
}

// renderPage answers status with the named page.
func renderPage(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, d); err != nil {
		writeInternalError(w)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// htmlError answers Fief's HTML error page: 400 with X-Fief-Error.
func htmlError(w http.ResponseWriter, code, message string) {
	w.Header().Set("X-Fief-Error", code)
	renderPage(w, http.StatusBadRequest, "error", pageData{Title: "Error", Error: message, Code: code})
}
