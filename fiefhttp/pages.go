package fiefhttp

import (
	"net/http"
	"strings"

	"github.com/fief-dev/fief-go/internal/page"
)

// SignInFailure is the kind of failure a [PageError] reports. Its values
// let an application choose its own words for each case.
type SignInFailure int

// The failures of the web flow that the user sees as a page.
const (
	// SignInExpired: the callback's state is missing, unknown, expired or
	// tampered with: the sign-in link has expired (after
	// WebConfig.FlowMaxAge), was already used, or was opened in another
	// browser than the one that started it. Status 400.
	SignInExpired SignInFailure = iota + 1

	// SignInCancelled: Fief answered "access_denied": the user cancelled
	// the sign-in or refused consent. Status 403.
	SignInCancelled

	// SignInRefused: Fief answered another error code (in
	// [PageError].Code). Status 400.
	SignInRefused

	// SignInIncomplete: the callback has neither a code nor an error.
	// Status 400.
	SignInIncomplete

	// SignInExchangeFailed: Fief refused the code or answered the code
	// exchange with something unusable. Status 502.
	SignInExchangeFailed

	// SignInUnavailable: Fief could not be reached to start the sign-in,
	// or, for a page navigation, to check the session (see
	// [WebFlow.Unavailable]). Status 503.
	SignInUnavailable

	// SignInInternal: the flow could not start for a reason of its own.
	// Status 500.
	SignInInternal

	// SignInMisconfigured: the sign-in cannot complete because of the
	// application's configuration, such as a [fief.ErrEncryptionMismatch].
	// Status 500; the log says what to change.
	SignInMisconfigured

	// SignInForbidden: a signed-in user opened a page whose requirements
	// (a permission, a scope) the session does not meet, and signing in
	// again would not change that. Status 403. Only page navigations get
	// it (see [WebFlow.Forbidden]); other requests get [Forbidden].
	SignInForbidden
)

var failureNames = map[SignInFailure]string{
	SignInExpired:        "expired",
	SignInCancelled:      "cancelled",
	SignInRefused:        "refused",
	SignInIncomplete:     "incomplete",
	SignInExchangeFailed: "exchange failed",
	SignInUnavailable:    "unavailable",
	SignInInternal:       "internal",
	SignInMisconfigured:  "misconfigured",
	SignInForbidden:      "forbidden",
}

// String returns a short name of the failure, such as "expired".
func (f SignInFailure) String() string {
	if s, ok := failureNames[f]; ok {
		return s
	}
	return "unknown"
}

// PageError is what an [ErrorPageFunc] receives: the failure, the status
// to answer, and what the page may show. It never carries the internal
// error, which the [WebFlow] logs.
type PageError struct {
	// Failure is the kind of failure.
	Failure SignInFailure

	// Status is the HTTP status to answer with.
	Status int

	// Code is Fief's error code for [SignInCancelled] and [SignInRefused]
	// ("access_denied", "invalid_scope", ...), at most 64 bytes, empty
	// otherwise. It comes from the URL, where anyone can put anything:
	// escape it, as html/template does.
	Code string

	// RetryPath is a path of this site where the user can start again:
	// WebConfig.DefaultReturnPath.
	RetryPath string
}

// ErrorPageFunc answers a request of the web flow that failed, in place of
// [DefaultErrorPage]; see WebConfig.ErrorPage. It writes the whole
// response, normally with status e.Status. The headers already set on w
// (deleted flow cookie, Cache-Control: no-store) must stay.
type ErrorPageFunc func(w http.ResponseWriter, r *http.Request, e PageError)

// DefaultErrorPage is the page of a failed sign-in when WebConfig.ErrorPage
// is nil: a short HTML page, with the style of fief-go's pages, that says
// what happened in words a user understands and offers a button to start
// again at e.RetryPath. It shows Fief's error code, escaped, and no
// internal detail. An [ErrorPageFunc] may call it for the failures it does
// not handle itself.
func DefaultErrorPage(w http.ResponseWriter, r *http.Request, e PageError) {
	m := page.Message{Frame: page.Frame{Tone: page.Problem}, Code: e.Code}
	startAgain := page.Action{Label: "Start again", Href: orString(e.RetryPath, "/"), ID: "retry"}
	tryAgain := page.Action{Label: "Try again", Href: orString(e.RetryPath, "/"), ID: "retry"}
	switch e.Failure {
	case SignInExpired:
		m.Title = "This sign-in link has expired"
		m.Text = "This sign-in link has expired or was opened in another browser than the one that started it."
		m.Next = "Start again to sign in."
		m.Actions = []page.Action{startAgain}
	case SignInCancelled:
		m.Title = "Sign-in was cancelled"
		m.Text = "The sign-in was cancelled, or access to your account was refused. Nothing was shared with this site."
		m.Next = "You can start again whenever you like."
		m.Actions = []page.Action{startAgain}
	case SignInRefused:
		m.Title = "Sign-in was refused"
		m.Text = "The identity server did not complete the sign-in."
		m.Next = "Start again; if it keeps failing, tell the site's administrator the error code below."
		m.Actions = []page.Action{startAgain}
	case SignInIncomplete:
		m.Title = "Sign-in did not complete"
		m.Text = "The answer of the identity server is incomplete."
		m.Next = "Start again to sign in."
		m.Actions = []page.Action{startAgain}
	case SignInExchangeFailed:
		m.Title = "Sign-in could not be completed"
		m.Text = "The identity server did not answer as expected."
		m.Next = "Try again in a moment."
		m.Actions = []page.Action{tryAgain}
	case SignInUnavailable:
		m.Title = "Sign-in is unavailable"
		m.Text = "The identity server cannot be reached."
		m.Next = "Try again in a moment."
		m.Actions = []page.Action{tryAgain}
	case SignInMisconfigured:
		m.Title = "Sign-in is not working"
		m.Text = "This site cannot complete sign-ins at the moment because of its own settings."
		m.Next = "Tell the site's administrator; trying again will not help until it is fixed."
		m.Actions = []page.Action{tryAgain}
	case SignInForbidden:
		m.Title = "You do not have access to this page"
		m.Text = "You are signed in, but your account does not have the access this page requires."
		m.Next = "Ask the site's administrator for access, or go back."
		m.Actions = []page.Action{{Label: "Go to the home page", Href: orString(e.RetryPath, "/"), ID: "retry"}}
	default:
		m.Title = "Something went wrong"
		m.Text = "The sign-in could not start."
		m.Next = "Try again."
		m.Actions = []page.Action{tryAgain}
	}
	page.WriteMessage(w, e.Status, m)
}

// maxCodeShown bounds the length of Fief's error code handed to the page.
const maxCodeShown = 64

// page answers with the error page of failure; err, if any, is logged,
// never shown.
func (f *WebFlow) page(w http.ResponseWriter, r *http.Request, status int, failure SignInFailure, code string, err error) {
	if err != nil {
		f.logger.WarnContext(r.Context(), "fiefhttp: sign-in failed", "status", status, "error", err)
	}
	if len(code) > maxCodeShown {
		code = strings.ToValidUTF8(code[:maxCodeShown], "")
	}
	f.errorPage(w, r, PageError{Failure: failure, Status: status, Code: code, RetryPath: f.defaultPath})
}
