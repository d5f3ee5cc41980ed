package page

import "net/http"

// Message is a page saying how something went and what to do next.
type Message struct {
	Frame
	// Text says what happened (id "message").
	Text string
	// Code is an error code to show as such (id "error-code"); empty shows
	// none.
	Code string
	// Detail is a secondary, muted line (id "error-description").
	Detail string
	// Next is the next step, in words (id "next").
	Next string
	// Actions are the buttons of the next step; the first is the main one.
	Actions []Action
}

// Action is a button of a [Message]: a link styled as a button.
type Action struct {
	Label string
	Href  string
	// ID is the element's id, for tests and styles; empty means none.
	ID string
}

var messages = Parse(`{{define "message"}}{{template "head" .}}
{{with .Text}}<p id="message">{{.}}</p>
{{end}}{{with .Code}}<p>Error code: <code id="error-code">{{.}}</code></p>
{{end}}{{with .Detail}}<p class="muted" id="error-description">{{.}}</p>
{{end}}{{with .Next}}<p class="next" id="next">{{.}}</p>
{{end}}{{with .Actions}}<div class="actions">
{{range $i, $a := .}}<a class="button{{if $i}} secondary{{end}}" href="{{$a.Href}}"{{with $a.ID}} id="{{.}}"{{end}}>{{$a.Label}}</a>
{{end}}</div>
{{end}}{{template "foot" .}}{{end}}`)

// WriteMessage answers status with the page m.
func WriteMessage(w http.ResponseWriter, status int, m Message) {
	Write(w, status, messages, "message", m)
}
