package fiefhttp

import (
	"errors"
	"net/http"
	"strings"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// idTokenOnlyClaims are the claims of an ID token that describe the token,
// not the user; they are left out of the cached user info so that it looks
// like an answer of Fief's userinfo endpoint.
var idTokenOnlyClaims = []string{"iss", "aud", "exp", "iat", "nbf", "auth_time", "acr", "amr", "azp", "nonce", "c_hash", "at_hash", "sid", "jti"}

// Callback completes a sign-in, at WebConfig.CallbackPath. In order:
//   - a state parameter that is missing or matches no valid flow cookie:
//     400 page, and the code is not exchanged;
//   - an error parameter from Fief: 403 page for access_denied, 400 for
//     other codes, showing the code;
//   - a missing code: 400 page;
//   - the code exchange (with the flow's PKCE verifier, the ID token checked
//     against its nonce) failing: 502 page, or 500 for a
//     [fief.ErrEncryptionMismatch] (the application's configuration);
//   - success: the session starts (see [Storage]; a session cookie that is
//     HttpOnly, SameSite=Lax, Path=/, Secure unless
//     WebConfig.InsecureCookies), the ID token's user claims go to the
//     [UserInfoCache], and the browser is redirected (302) to the page it
//     first asked for. A sealed session cookie that would exceed what
//     browsers keep (4 KB) gives a 500 page, a session store that fails a
//     503 page; the error is logged.
//
// The flow cookie is deleted in every case where it opened as a valid flow
// cookie (a cookie that does not is left as it is). Failures are
// logged (never with a token, a code or a cookie value) to WebConfig.Logger,
// which defaults to the client's logger.
func (f *WebFlow) Callback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	state := q.Get("state")
	if !isState(state) {
		f.page(w, r, http.StatusBadRequest, PageExpired, "", nil)
		return
	}
	name := f.flowPrefix + state
	c, err := r.Cookie(name)
	if err != nil {
		f.page(w, r, http.StatusBadRequest, PageExpired, "", nil)
		return
	}
	flow, err := openFlow(f.seal.flow, name, c.Value, f.client.Now())
	if err != nil {
		// Not a flow cookie of this application: left alone, so that a
		// link to the callback cannot delete another cookie.
		f.page(w, r, http.StatusBadRequest, PageExpired, "", err)
		return
	}
	f.deleteCookie(w, name, f.flowCookiePath())
	if code := q.Get("error"); code != "" || q.Has("error") {
		status, failure := http.StatusBadRequest, PageRefused
		if code == "access_denied" {
			status, failure = http.StatusForbidden, PageCancelled
			f.logger.InfoContext(r.Context(), "fiefhttp: sign-in refused by the user (access_denied)")
		} else {
			f.logger.WarnContext(r.Context(), "fiefhttp: Fief answered the sign-in with an error", "error", truncateCode(code))
		}
		f.page(w, r, status, failure, code, nil)
		return
	}
	code := q.Get("code")
	if code == "" {
		f.page(w, r, http.StatusBadRequest, PageIncomplete, "", nil)
		return
	}
	tok, claims, err := f.client.ExchangeCode(r.Context(), fief.ExchangeParams{
		Code:         code,
		RedirectURI:  f.callbackURL(r),
		CodeVerifier: flow.Verifier,
		Nonce:        flow.Nonce,
	})
	if errors.Is(err, fief.ErrEncryptionMismatch) {
		// A configuration error of this application, not a failure of Fief.
		f.page(w, r, http.StatusInternalServerError, PageMisconfigured, "", err)
		return
	}
	if err != nil {
		f.page(w, r, http.StatusBadGateway, PageExchangeFailed, "", err)
		return
	}
	if err := f.startSession(w, r, tok, claims); err != nil {
		if errors.Is(err, errSessionTooLarge) {
			f.page(w, r, http.StatusInternalServerError, PageInternal, "", err)
		} else { // the session store failed
			f.page(w, r, http.StatusServiceUnavailable, PageUnavailable, "", err)
		}
		return
	}
	f.cacheUser(r.Context(), claims)
	ret := flow.Return
	if !isSafeReturnPath(ret) { // checked at Login already; the MAC vouches for it
		ret = f.defaultPath
	}
	http.Redirect(w, r, ret, http.StatusFound)
}

// startSession sets the session cookie of a new sign-in, for the
// configured storage. With [StorageServer], it creates a new record under
// a new ID (and deletes the one the browser had, if any), so that a session
// ID planted before the sign-in is never promoted.
func (f *WebFlow) startSession(w http.ResponseWriter, r *http.Request, tok *fief.TokenResponse, claims fief.UserInfo) error {
	now := f.client.Now()
	if f.storage == StorageAccessToken {
		cookie := &http.Cookie{
			Name:     f.sessionName,
			Value:    tok.AccessToken,
			Path:     "/",
			HttpOnly: true,
			Secure:   f.secure,
			SameSite: http.SameSiteLaxMode,
		}
		if tok.ExpiresIn > 0 {
			cookie.MaxAge = tok.ExpiresIn
			cookie.Expires = now.Add(time.Duration(tok.ExpiresIn) * time.Second)
		}
		http.SetCookie(w, cookie)
		return nil
	}
	rec := &sessionRecord{
		UserID:       claims.ID(),
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		Expires:      now.Add(time.Duration(tok.ExpiresIn) * time.Second).Unix(),
		ACR:          fief.ACRLevel0,
		AuthTime:     now.Unix(),
		Created:      now.Unix(),
		Seen:         now.Unix(),
	}
	if acr, ok := claims["acr"].(string); ok && fief.ACR(acr).Valid() {
		rec.ACR = fief.ACR(acr)
	}
	if at, ok := claims["auth_time"].(float64); ok && at > 0 {
		rec.AuthTime = int64(at)
	}
	if f.storage == StorageSealedCookie {
		return f.setSessionCookie(w, rec, "")
	}
	if c, err := r.Cookie(f.sessionName); err == nil && isSessionID(c.Value) {
		f.deleteRecord(r.Context(), c.Value)
	}
	id := newSessionID()
	if err := f.writeRecord(r.Context(), id, rec, f.store.Create); err != nil {
		return err
	}
	return f.setSessionCookie(w, rec, id)
}

// maxCodeLogged bounds the length of Fief's error code in a log line.
const maxCodeLogged = 64

// truncateCode bounds Fief's error code, which comes from the query, for a
// log line.
func truncateCode(code string) string {
	if len(code) > maxCodeLogged {
		return strings.ToValidUTF8(code[:maxCodeLogged], "")
	}
	return code
}
