package fiefcli

import (
	"errors"
	"net/http"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/internal/page"
)

// PageKind is what a page of the callback server tells the browser. Its
// values let a program choose its own words for each case.
type PageKind int

// The pages of the callback server.
const (
	// PageSignedIn: the sign-in succeeded. Status 200.
	PageSignedIn PageKind = iota + 1

	// PageCancelled: Fief answered "access_denied": the user cancelled the
	// sign-in or refused consent. Status 400.
	PageCancelled

	// PageRefused: Fief answered another error code. Status 400.
	PageRefused

	// PageExpired: the callback's state is not this sign-in's: an old link,
	// or one of another sign-in. Status 400.
	PageExpired

	// PageIncomplete: the callback has neither a code nor an error
	// ([ErrMissingCode]). Status 400.
	PageIncomplete

	// PageUnavailable: Fief could not be reached to complete the sign-in.
	// Status 502.
	PageUnavailable

	// PageFailed: the code exchange or the saving of the credentials
	// failed. Status 502 when Fief refused the exchange, 500 otherwise.
	PageFailed

	// PageOver: the sign-in was already decided by an earlier request.
	// Status 409.
	PageOver

	// PageBadRequest: the request is not one the sign-in expects. Status
	// 400.
	PageBadRequest
)

// Page is what a [PageFunc] receives: the kind of page, the status to
// answer, and Fief's error when it sent one. It never carries internal
// errors, which [Auth.Authorize] returns to the program.
type Page struct {
	// Kind is the kind of page.
	Kind PageKind

	// Status is the HTTP status to answer with.
	Status int

	// Code and Description are Fief's error ("access_denied", ...) and its
	// human-readable text, for PageCancelled and PageRefused. They come
	// from the URL, where anyone can put anything: escape them, as
	// html/template does.
	Code, Description string

	// AppName is Config.AppName, the program's name, for the page's title
	// and heading; empty when not set.
	AppName string
}

// PageFunc answers a request to the callback server with the page p, in
// place of [DefaultPage]; see Config.Page. It writes the whole response,
// normally with status p.Status.
type PageFunc func(w http.ResponseWriter, r *http.Request, p Page)

// DefaultPage is the page of the callback server when Config.Page is nil:
// a short HTML page, with the style of fief-go's pages, saying how the
// sign-in went and what to do next. It shows Fief's error code and
// description, escaped, and no internal detail. It names the program,
// p.AppName, in its title and heading. A [PageFunc] may call it for the
// pages it does not handle itself.
func DefaultPage(w http.ResponseWriter, r *http.Request, p Page) {
	m := page.Message{Frame: page.Frame{Tone: page.Problem, Brand: p.AppName}, Next: "Start the sign-in again from the terminal."}
	program := "the program"
	if p.AppName != "" {
		program = p.AppName
	}
	switch p.Kind {
	case PageSignedIn:
		m.Title, m.Tone = "You are signed in", page.OK
		m.Text = "You are signed in to " + program + ". You can close this window and return to the terminal."
		m.Next = ""
	case PageCancelled:
		m.Title = "Sign-in was cancelled"
		m.Text = "The sign-in was cancelled, or access to your account was refused. Nothing was shared with " + program + "."
		m.Code, m.Detail = p.Code, p.Description
		m.Next = "To sign in, start again from the terminal."
	case PageRefused:
		m.Title = "Sign-in was refused"
		m.Text = "Fief refused the sign-in."
		m.Code, m.Detail = p.Code, p.Description
	case PageExpired:
		m.Title = "This sign-in link has expired"
		m.Text = "This sign-in link has expired, or belongs to another sign-in than the one running in the terminal."
	case PageIncomplete:
		m.Title = "Sign-in did not complete"
		m.Text = "Fief sent no authorization code."
	case PageUnavailable:
		m.Title = "Sign-in could not be completed"
		m.Text = "Fief could not be reached to complete the sign-in."
		m.Next = "Return to the terminal, and try again in a moment."
	case PageOver:
		m.Title, m.Tone = "Sign-in already handled", page.Neutral
		m.Text = "This sign-in is over."
		m.Next = "Return to the terminal."
	case PageBadRequest:
		m.Title = "Not a sign-in request"
		m.Text = "This address only answers the sign-in running in the terminal."
	default:
		m.Title = "Sign-in failed"
		m.Text = "The sign-in did not complete."
		m.Next = "Return to the terminal for details, and try again."
	}
	page.WriteMessage(w, p.Status, m)
}

// page answers the browser with p, through Config.Page if set.
func (a *Auth) page(w http.ResponseWriter, r *http.Request, p Page) {
	p.AppName = a.appName
	a.pageFunc(w, r, p)
}

// failurePage describes a failed sign-in to the browser. Internal details
// (Fief's answers, file errors) go to the program, not to the page.
func failurePage(err error) Page {
	var (
		ae *AuthorizationError
		re *fief.ResponseError
	)
	switch {
	case errors.As(err, &ae):
		kind := PageRefused
		if ae.Code == "access_denied" {
			kind = PageCancelled
		}
		return Page{Kind: kind, Status: http.StatusBadRequest, Code: ae.Code, Description: ae.Description}
	case errors.Is(err, errStateMismatch):
		return Page{Kind: PageExpired, Status: http.StatusBadRequest}
	case errors.Is(err, ErrMissingCode):
		return Page{Kind: PageIncomplete, Status: http.StatusBadRequest}
	case errors.Is(err, fief.ErrUnavailable):
		return Page{Kind: PageUnavailable, Status: http.StatusBadGateway}
	case errors.As(err, &re), errors.Is(err, fief.ErrInvalidIDToken):
		return Page{Kind: PageFailed, Status: http.StatusBadGateway} // Fief refused or failed the code exchange
	}
	return Page{Kind: PageFailed, Status: http.StatusInternalServerError}
}
