package fiefhttp

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/fief-dev/fief-go/internal/page"
)

// PageKind is what a [Page] of the web flow tells the user. Its values let
// an application choose its own words for each case.
type PageKind int

// The pages of the web flow: each is a failure the user sees.
const (
	// PageExpired: the callback's state is missing, unknown, expired or
	// tampered with: the sign-in link has expired (after
	// WebConfig.FlowMaxAge), was already used, or was opened in another
	// browser than the one that started it. Status 400.
	PageExpired PageKind = iota + 1

	// PageCancelled: Fief answered "access_denied": the user cancelled
	// the sign-in or refused consent. Status 403.
	PageCancelled

	// PageRefused: Fief answered another error code (in
	// [Page].Code). Status 400.
	PageRefused

	// PageIncomplete: the callback has neither a code nor an error.
	// Status 400.
	PageIncomplete

	// PageExchangeFailed: Fief refused the code or answered the code
	// exchange with something unusable. Status 502.
	PageExchangeFailed

	// PageUnavailable: Fief could not be reached to start the sign-in,
	// or, for a page navigation, to check the session (see
	// [WebFlow.Unavailable]). Status 503.
	PageUnavailable

	// PageInternal: the flow could not start for a reason of its own.
	// Status 500.
	PageInternal

	// PageMisconfigured: the sign-in cannot complete because of the
	// application's configuration, such as a [fief.ErrEncryptionMismatch].
	// Status 500; the log says what to change.
	PageMisconfigured

	// PageForbidden: a signed-in user opened a page whose requirements
	// (a permission, a scope) the session does not meet, and signing in
	// again would not change that. Status 403. Only page navigations get
	// it (see [WebFlow.Forbidden]); other requests get [Forbidden].
	PageForbidden
)

var failureNames = map[PageKind]string{
	PageExpired:        "expired",
	PageCancelled:      "cancelled",
	PageRefused:        "refused",
	PageIncomplete:     "incomplete",
	PageExchangeFailed: "exchange failed",
	PageUnavailable:    "unavailable",
	PageInternal:       "internal",
	PageMisconfigured:  "misconfigured",
	PageForbidden:      "forbidden",
}

// String returns a short name of the failure, such as "expired".
func (f PageKind) String() string {
	if s, ok := failureNames[f]; ok {
		return s
	}
	return "unknown"
}

// Page is what a [PageFunc] receives: the kind of page, the status to
// answer, and what the page may show. It never carries the internal error,
// which the [WebFlow] logs.
type Page struct {
	// Kind is the kind of page.
	Kind PageKind

	// Status is the HTTP status to answer with.
	Status int

	// Code is Fief's error code for [PageCancelled] and [PageRefused]
	// ("access_denied", "invalid_scope", ...), at most 64 bytes, empty
	// otherwise. It comes from the URL, where anyone can put anything:
	// escape it, as html/template does.
	Code string

	// RetryPath is a path of this site where the user can start again:
	// WebConfig.DefaultReturnPath.
	RetryPath string

	// BackPath, for [PageForbidden], is the page of this site the user
	// came from (the path and query of the request's Referer when it is of
	// this site's origin, and not the refused page itself), for a link
	// back; empty when unknown.
	BackPath string

	// AppName is WebConfig.AppName, the application's name, for the
	// page's title and heading; empty when not set.
	AppName string
}

// PageFunc answers a request of the web flow with the page p, in place of
// [DefaultPage]; see WebConfig.Page. It writes the whole response,
// normally with status p.Status. The headers already set on w (deleted
// flow cookie, Cache-Control: no-store) must stay.
type PageFunc func(w http.ResponseWriter, r *http.Request, p Page)

// DefaultPage is the page of the web flow when WebConfig.Page is nil: a
// short HTML page, with the style of fief-go's pages, that says what
// happened in words a user understands and offers a button to start again
// at p.RetryPath. It shows Fief's error code, escaped, and no internal
// detail. It names the application, p.AppName, in its title and heading.
// For [PageForbidden] it offers a way back to p.BackPath, when known, and
// home. A [PageFunc] may call it for the pages it does not handle itself.
func DefaultPage(w http.ResponseWriter, r *http.Request, p Page) {
	m := page.Message{Frame: page.Frame{Tone: page.Problem, Brand: p.AppName}, Code: p.Code}
	site, Site := "this site", "This site"
	if p.AppName != "" {
		site, Site = p.AppName, p.AppName
	}
	startAgain := page.Action{Label: "Start again", Href: orString(p.RetryPath, "/"), ID: "retry"}
	tryAgain := page.Action{Label: "Try again", Href: orString(p.RetryPath, "/"), ID: "retry"}
	switch p.Kind {
	case PageExpired:
		m.Title = "This sign-in link has expired"
		m.Text = "This sign-in link has expired or was opened in another browser than the one that started it."
		m.Next = "Start again to sign in."
		m.Actions = []page.Action{startAgain}
	case PageCancelled:
		m.Title = "Sign-in was cancelled"
		m.Text = "The sign-in was cancelled, or access to your account was refused. Nothing was shared with " + site + "."
		m.Next = "You can start again whenever you like."
		m.Actions = []page.Action{startAgain}
	case PageRefused:
		m.Title = "Sign-in was refused"
		m.Text = "The identity server did not complete the sign-in."
		m.Next = "Start again; if it keeps failing, tell the administrator of " + site + " the error code below."
		m.Actions = []page.Action{startAgain}
	case PageIncomplete:
		m.Title = "Sign-in did not complete"
		m.Text = "The answer of the identity server is incomplete."
		m.Next = "Start again to sign in."
		m.Actions = []page.Action{startAgain}
	case PageExchangeFailed:
		m.Title = "Sign-in could not be completed"
		m.Text = "The identity server did not answer as expected."
		m.Next = "Try again in a moment."
		m.Actions = []page.Action{tryAgain}
	case PageUnavailable:
		m.Title = "Sign-in is unavailable"
		m.Text = "The identity server cannot be reached."
		m.Next = "Try again in a moment."
		m.Actions = []page.Action{tryAgain}
	case PageMisconfigured:
		m.Title = "Sign-in is not working"
		m.Text = Site + " cannot complete sign-ins at the moment because of its own settings."
		m.Next = "Tell the administrator of " + site + "; trying again will not help until it is fixed."
		m.Actions = []page.Action{tryAgain}
	case PageForbidden:
		m.Title = "You do not have access to this page"
		m.Text = "You are signed in, but your account does not have the access this page of " + site + " requires."
		m.Next = "Ask the administrator of " + site + " for access, or go back."
		home := page.Action{Label: "Go to the home page", Href: orString(p.RetryPath, "/"), ID: "retry"}
		m.Actions = []page.Action{home}
		if p.BackPath != "" && isSafeReturnPath(p.BackPath) {
			m.Actions = []page.Action{{Label: "Go back", Href: p.BackPath, ID: "back"}, home}
		}
	default:
		m.Title = "Something went wrong"
		m.Text = "The sign-in could not start."
		m.Next = "Try again."
		m.Actions = []page.Action{tryAgain}
	}
	page.WriteMessage(w, p.Status, m)
}

// maxCodeShown bounds the length of Fief's error code handed to the page.
const maxCodeShown = 64

// page answers with the error page of failure; err, if any, is logged,
// never shown.
func (f *WebFlow) page(w http.ResponseWriter, r *http.Request, status int, failure PageKind, code string, err error) {
	if err != nil {
		f.logger.WarnContext(r.Context(), "fiefhttp: sign-in failed", "status", status, "error", err)
	}
	if len(code) > maxCodeShown {
		code = strings.ToValidUTF8(code[:maxCodeShown], "")
	}
	p := f.newPage(failure, status)
	p.Code = code
	f.pageFunc(w, r, p)
}

// newPage returns the page of kind with the flow's settings.
func (f *WebFlow) newPage(kind PageKind, status int) Page {
	return Page{Kind: kind, Status: status, RetryPath: f.defaultPath, AppName: f.appName}
}

// backPath returns the path and query of r's Referer when it is a page of
// this application (same origin: WebConfig.BaseURL's, or else the
// request's scheme and Host) other than r's own URL, and "" otherwise.
func (f *WebFlow) backPath(r *http.Request) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Scheme == "" || ref.Host == "" || ref.User != nil {
		return ""
	}
	base, err := url.Parse(f.base(r))
	if err != nil || !strings.EqualFold(ref.Scheme, base.Scheme) || !strings.EqualFold(ref.Host, base.Host) {
		return ""
	}
	back := ref.EscapedPath()
	if back == "" {
		back = "/"
	}
	if ref.RawQuery != "" {
		back += "?" + ref.RawQuery
	}
	if back == r.URL.RequestURI() || !isSafeReturnPath(back) {
		return ""
	}
	return back
}
