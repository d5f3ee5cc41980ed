package page_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/fief-dev/fief-go/internal/page"
)

func TestWriteMessage(t *testing.T) {
	rec := httptest.NewRecorder()
	page.WriteMessage(rec, http.StatusForbidden, page.Message{
		Frame:  page.Frame{Title: "Sign-in was <cancelled>", Brand: "Castles & co", Tone: page.Problem},
		Text:   `It said "<script>alert(1)</script>"`,
		Code:   "access_denied<b>",
		Detail: "Details <i>here</i>",
		Next:   "Start again.",
		Actions: []page.Action{
			{Label: "Start again", Href: "/start?a=1&b=2", ID: "retry"},
			{Label: "Home", Href: "javascript:alert(1)"},
		},
	})
	body := rec.Body.String()
	if rec.Code != http.StatusForbidden {
		t.Errorf("status %d", rec.Code)
	}
	for h, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'",
	} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	for _, want := range []string{
		`<html lang="en">`,
		`<meta name="viewport"`,
		`<title>Sign-in was &lt;cancelled&gt; · Castles &amp; co</title>`,
		`<body class="error">`,
		`<header class="brand" id="brand">Castles &amp; co</header>`,
		`<h1 id="title">Sign-in was &lt;cancelled&gt;</h1>`,
		`<p id="message">It said &#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;</p>`,
		`<code id="error-code">access_denied&lt;b&gt;</code>`,
		`<p class="muted" id="error-description">Details &lt;i&gt;here&lt;/i&gt;</p>`,
		`<p class="next" id="next">Start again.</p>`,
		`<a class="button" href="/start?a=1&amp;b=2" id="retry">Start again</a>`,
		`<a class="button secondary" href="#ZgotmplZ">Home</a>`,
		"@media (prefers-color-scheme:dark)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "<b>") {
		t.Errorf("markup from the data reached the page:\n%s", body)
	}
	if refs := browsertest.ExternalRefs(body); len(refs) > 0 {
		t.Errorf("page refers to other origins: %q", refs)
	}
}

func TestWriteMessageLeavesOutEmptyParts(t *testing.T) {
	rec := httptest.NewRecorder()
	page.WriteMessage(rec, http.StatusOK, page.Message{Frame: page.Frame{Title: "Done", Tone: page.OK}, Text: "All good."})
	body := rec.Body.String()
	for _, absent := range []string{`id="brand"`, `id="error-code"`, `id="error-description"`, `id="next"`, `class="actions"`} {
		if strings.Contains(body, absent) {
			t.Errorf("page has %s though its data is empty:\n%s", absent, body)
		}
	}
	if !strings.Contains(body, `<body class="ok">`) || !strings.Contains(body, "<title>Done</title>") {
		t.Errorf("page:\n%s", body)
	}
}

func TestRenderSetsNoOtherHeader(t *testing.T) {
	tmpl := page.Parse(`{{define "p"}}{{template "head" .}}<p>{{.Extra}}</p>{{template "foot" .}}{{end}}`)
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Security-Policy", "frame-ancestors 'self'")
	page.Render(rec, http.StatusOK, tmpl, "p", struct {
		page.Frame
		Extra string
	}{page.Frame{Title: "T"}, "x<y"})
	if got := rec.Header().Get("Content-Security-Policy"); got != "frame-ancestors 'self'" {
		t.Errorf("Render changed the CSP to %q", got)
	}
	if rec.Header().Get("Cache-Control") != "" || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("headers %v", rec.Header())
	}
	if !strings.Contains(rec.Body.String(), "<p>x&lt;y</p>") {
		t.Errorf("body:\n%s", rec.Body.String())
	}

	// Data without the fields of a Frame fails the template: a plain 500.
	rec = httptest.NewRecorder()
	page.Render(rec, http.StatusOK, tmpl, "p", struct{ Extra string }{"x"})
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "<html") {
		t.Errorf("template failure: %d %q, want a plain 500", rec.Code, rec.Body.String())
	}
}

func TestExternalRefsFindsWhatLoads(t *testing.T) {
	for _, tt := range []struct {
		html string
		want int
	}{
		{`<a href="/local">x</a><link rel="icon" href="data:,">`, 0},
		{`<img src="https://cdn.example/x.png">`, 1},
		{`<script src=//cdn.example/x.js></script>`, 1},
		{`<style>@import "x.css"; body{background:url(x.png)}</style>`, 2},
		{`<form action="http://app.test/logout">`, 0}, // allowed below
	} {
		if got := browsertest.ExternalRefs(tt.html, "http://app.test/"); len(got) != tt.want {
			t.Errorf("ExternalRefs(%q) = %q, want %d", tt.html, got, tt.want)
		}
	}
}

func TestWriteWithoutStatus(t *testing.T) {
	rec := httptest.NewRecorder()
	page.WriteMessage(rec, 0, page.Message{Frame: page.Frame{Title: "Oops"}})
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Oops") {
		t.Errorf("status 0: %d %q, want the page with 500", rec.Code, rec.Body.String())
	}
}
