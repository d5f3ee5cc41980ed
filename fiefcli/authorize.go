package fiefcli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/fief-dev/fief-go"
)

// shutdownTimeout bounds the wait for the callback server's last answer.
const shutdownTimeout = 5 * time.Second

// Authorize signs the user in through the browser and stores the
// credentials, replacing any stored ones. It returns the claims of the
// user's ID token.
//
// It listens on the loopback address of [Config.RedirectHost] (127.0.0.1 by
// default; both 127.0.0.1 and [::1] for "localhost") at [Config.Port],
// opens the browser on Fief's authorization page (PKCE S256, a random state;
// scopes "openid", "offline_access" and [Config.Scopes]), prints the URL in
// case the browser does not open, and waits for Fief to redirect the browser to
// [Auth.RedirectURI]. There it checks the Host header and the state: a
// request to another host or port, or without this sign-in's state, gets a
// 400 page and the sign-in keeps waiting. The request carrying the state
// decides: its code is exchanged, the tokens saved, and the browser shown a
// short page saying how it went.
//
// Errors: a listening error (the port is taken, for instance) before
// anything else happens; [ErrTimeout] after [Config.Timeout];
// [*AuthorizationError] when Fief sent an error (the user
// refused consent, ...); [ErrMissingCode]; Fief's errors from the code
// exchange ([*fief.ResponseError], [fief.ErrInvalidIDToken],
// [fief.ErrUnavailable]); and the cause of ctx when it ends first.
func (a *Auth) Authorize(ctx context.Context) (fief.UserInfo, error) {
	if ctx.Err() != nil {
		return nil, fmt.Errorf("fiefcli: sign-in interrupted: %w", context.Cause(ctx))
	}
	lns, err := a.listenLoopback(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { // closed by the server's Shutdown already, unless Serve failed first
		for _, ln := range lns {
			ln.Close()
		}
	}()

	verifier := fief.GenerateCodeVerifier()
	challenge := fief.CodeChallenge(verifier)
	cb := &callback{
		auth:     a,
		host:     a.redirectHost,
		path:     a.redirectPath,
		state:    fief.GenerateState(),
		verifier: verifier,
		done:     make(chan result, 1),
	}
	authURL, err := a.client.AuthURL(ctx, fief.AuthURLParams{
		RedirectURI:   a.redirectURI,
		State:         cb.state,
		Scopes:        a.scopes,
		CodeChallenge: challenge,
		Lang:          a.lang,
		Extra:         a.extra,
	})
	if err != nil {
		return nil, fmt.Errorf("fiefcli: building the authorization URL: %w", err)
	}

	fctx, cancel := context.WithTimeoutCause(ctx, a.timeout, ErrTimeout)
	defer cancel()
	srv := &http.Server{
		Handler:           cb,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return fctx },
	}
	served := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { served <- srv.Serve(ln) }()
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer scancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()

	if err := a.openBrowser(authURL); err != nil {
		fmt.Fprintf(a.out, "Could not open a browser (%v).\nOpen this URL in a browser on this computer to sign in:\n\n    %s\n\n", err, authURL)
	} else {
		fmt.Fprintf(a.out, "Opened a browser to sign in. If it did not appear, open this URL in a browser on this computer:\n\n    %s\n\n", authURL)
	}
	select {
	case res := <-cb.done: // done already, no need to say we wait
		return res.user, res.err
	default:
	}
	p := startProgress(a.out, a.timeout, isTerminal(a.out))
	defer p.stop()

	select {
	case res := <-cb.done:
		p.stop()
		return res.user, res.err
	case err := <-served:
		return nil, fmt.Errorf("fiefcli: the callback server stopped: %w", err)
	case <-fctx.Done():
		p.stop()
		select {
		case res := <-cb.done: // completed just in time
			return res.user, res.err
		default:
		}
		if cause := context.Cause(fctx); errors.Is(cause, ErrTimeout) && ctx.Err() == nil {
			return nil, fmt.Errorf("%w (%s)", ErrTimeout, a.timeout)
		}
		return nil, fmt.Errorf("fiefcli: sign-in interrupted: %w", context.Cause(ctx))
	}
}
