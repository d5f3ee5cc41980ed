package fieftest

import (
	"net/http"

	"github.com/fief-dev/fief-go/internal/page"
)

// pages are the HTML pages of the auth app, in the look of an identity
// provider: a centred card under the tenant's name. They keep the field
// names of Fief's forms, and ids a browser test can target.
var pages = page.Parse(`
{{define "alerts"}}{{if .Error}}<p class="alert" id="error" role="alert">{{.Error}}</p>
{{end}}{{range .Reasons}}<p class="alert error-reason" role="alert">{{.}}</p>
{{end}}{{end}}

{{define "error"}}{{template "head" .}}{{template "alerts" .}}
<p class="muted">Error code: <code id="error-code">{{.Code}}</code></p>
<p>Go back to the application and start again.</p>
{{template "foot" .}}{{end}}

{{define "login"}}{{template "head" .}}{{template "alerts" .}}
<form method="post" action="{{.Prefix}}/login">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="email">Email address</label>
<input type="email" name="email" id="email" value="{{.Email}}" autocomplete="email" required>
<label for="password">Password</label>
<input type="password" name="password" id="password" autocomplete="current-password" required>
<button type="submit" id="submit">Sign in</button>
</form>
<p class="muted"><a id="forgot" href="{{.Prefix}}/forgot">I forgot my password</a></p>
{{if .RegisterAllowed}}<footer class="muted">No account yet? <a id="register" href="{{.Prefix}}/register">Sign up</a></footer>{{end}}
{{template "foot" .}}{{end}}

{{define "register"}}{{template "head" .}}{{template "alerts" .}}
<form method="post" action="{{.Prefix}}/register">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="email">Email address</label>
<input type="email" name="email" id="email" value="{{.Email}}" autocomplete="email" required>
<label for="password">Password</label>
<input type="password" name="password" id="password" autocomplete="new-password" required>
<button type="submit" id="submit">Sign up</button>
</form>
<footer class="muted">Already have an account? <a id="login" href="{{.Prefix}}/login">Sign in</a></footer>
{{template "foot" .}}{{end}}

{{define "verify"}}{{template "head" .}}{{template "alerts" .}}
<p>We sent a verification code to <strong>{{.Email}}</strong>.</p>
<form method="post" action="{{.Prefix}}/verify">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="code">Verification code</label>
<input type="text" name="code" id="code" autocomplete="one-time-code" required>
<button type="submit" id="submit">Verify</button>
</form>
{{template "foot" .}}{{end}}

{{define "forgot"}}{{template "head" .}}{{template "alerts" .}}
{{if .Success}}<p id="success" role="status">{{.Success}}</p>
{{end}}<form method="post" action="{{.Prefix}}/forgot">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="email">Email address</label>
<input type="email" name="email" id="email" value="{{.Email}}" autocomplete="email" required>
<button type="submit" id="submit">Send me a reset link</button>
</form>
<footer class="muted"><a id="login" href="{{.Prefix}}/login">I remember my password</a></footer>
{{template "foot" .}}{{end}}

{{define "reset"}}{{template "head" .}}{{template "alerts" .}}
{{if .Success}}<p id="success" role="status">{{.Success}}</p>
{{end}}<form method="post" action="{{.Prefix}}/reset">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<input type="hidden" name="token" value="{{.Token}}">
<label for="password">New password</label>
<input type="password" name="password" id="password" autocomplete="new-password" required>
<button type="submit" id="submit">Reset my password</button>
</form>
{{template "foot" .}}{{end}}

{{define "consent"}}{{template "head" .}}{{template "alerts" .}}
<p><strong id="client">{{.Client}}</strong> wants to access your account ({{.Email}}) with these scopes:</p>
<ul id="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
<form method="post" action="{{.Prefix}}/consent">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<div class="actions">
<button type="submit" name="allow" value="allow" id="allow">Allow</button>
<button type="submit" name="deny" value="deny" id="deny" class="secondary">Deny</button>
</div>
</form>
{{template "foot" .}}{{end}}

{{define "dashboard"}}{{template "head" .}}
<p>You are signed in as</p>
<p id="email"><strong>{{.Email}}</strong></p>
{{template "foot" .}}{{end}}
`)

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
	Success         string // a confirmation (forgot, reset)
	Token           string // the reset token (reset)

	// Read by the layout, set by renderPage.
	Brand string
	Tone  page.Tone
}

// renderPage answers status with the named page, under the tenant's name.
// The caller must not hold s.mu.
func (t *Tenant) renderPage(w http.ResponseWriter, status int, name string, d pageData) {
	d.Brand = t.Name()
	if name == "error" {
		d.Tone = page.Problem
	}
	page.Render(w, status, pages, name, d) // the headers are Fief's, set by the router
}

// htmlError answers Fief's HTML error page: 400 with X-Fief-Error.
func (t *Tenant) htmlError(w http.ResponseWriter, code, message string) {
	w.Header().Set("X-Fief-Error", code)
	t.renderPage(w, http.StatusBadRequest, "error", pageData{Title: "Error", Error: message, Code: code})
}
