package fiefcli

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/fief-dev/fief-go"
)

// callback is the handler of the loopback server of one sign-in. Only a
// request to the redirect URI's host, port and path, carrying this sign-in's
// state, decides the outcome; any other gets a 400 page and leaves the
// sign-in waiting, so that a web page or a local program sending a blind
// request cannot end it. Requests after the deciding one are told the
// sign-in is over.
type callback struct {
	auth     *Auth
	host     string // host:port of the redirect URI, as browsers send it in Host
	path     string
	state    string
	verifier string
	taken    atomic.Bool
	done     chan result // buffered, receives one result
}

type result struct {
	user fief.UserInfo
	err  error
}

func (cb *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Host, cb.host) {
		cb.auth.logger.WarnContext(r.Context(), "fiefcli: a request to the sign-in callback server for another host; ignored")
		cb.auth.page(w, r, Page{Kind: PageBadRequest, Status: http.StatusBadRequest})
		return
	}
	if r.URL.Path != cb.path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("state")), []byte(cb.state)) != 1 {
		cb.auth.logger.WarnContext(r.Context(), "fiefcli: a request to the sign-in callback without this sign-in's state; ignored")
		cb.auth.page(w, r, failurePage(errStateMismatch))
		return
	}
	if !cb.taken.CompareAndSwap(false, true) {
		cb.auth.logger.WarnContext(r.Context(), "fiefcli: a request to the sign-in callback after the sign-in was handled; ignored")
		cb.auth.page(w, r, Page{Kind: PageOver, Status: http.StatusConflict})
		return
	}
	user, err := cb.handle(r.Context(), r)
	if err != nil {
		cb.auth.logger.DebugContext(r.Context(), "fiefcli: sign-in failed", "error", err)
		cb.auth.page(w, r, failurePage(err))
	} else {
		cb.auth.page(w, r, Page{Kind: PageSignedIn, Status: http.StatusOK})
	}
	cb.done <- result{user: user, err: err}
}

// handle checks the parameters of the callback carrying the state, exchanges the code and stores
// the credentials.
func (cb *callback) handle(ctx context.Context, r *http.Request) (fief.UserInfo, error) {
	q := r.URL.Query() // the state was checked by ServeHTTP
	if code := q.Get("error"); code != "" {
		return nil, &AuthorizationError{Code: code, Description: q.Get("error_description")}
	}
	code := q.Get("code")
	if code == "" {
		return nil, ErrMissingCode
	}
	tok, user, err := cb.auth.client.ExchangeCode(ctx, fief.ExchangeParams{
		Code:         code,
		RedirectURI:  cb.auth.redirectURI,
		CodeVerifier: cb.verifier,
	})
	if err != nil {
		return nil, err
	}
	if err := cb.auth.lock(ctx); err != nil {
		return nil, err
	}
	defer cb.auth.unlock()
	if err := cb.auth.save(tok, user); err != nil {
		return nil, err
	}
	return user, nil
}
