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
//   - success: the session cookie is set to the access token (HttpOnly,
//     SameSite=Lax, Path=/, Max-Age the token's lifetime, Secure unless
//     WebConfig.InsecureCookies), the ID token's user claims go to the
//     [UserInfoCache], and the browser is redirected (302) to the page it
//     first asked for.
//
// The flow cookie is deleted in every case where it was found. Failures are
// logged (never with a token, a code or a cookie value) to WebConfig.Logger,
// which defaults to the client's logger.
func (f *WebFlow) Callback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	state := q.Get("state")
	if !isState(state) {
		f.page(w, r, http.StatusBadRequest, SignInExpired, "", nil)
		return
	}
	name := f.flowPrefix + state
	c, err := r.Cookie(name)
	if err != nil {
		f.page(w, r, http.StatusBadRequest, SignInExpired, "", nil)
		return
	}
	f.deleteCookie(w, name, f.callbackCookiePath())
	flow, err := openFlow(f.key, name, c.Value, f.client.Now())
	if err != nil {
		f.page(w, r, http.StatusBadRequest, SignInExpired, "", err)
		return
	}
	if code := q.Get("error"); code != "" || q.Has("error") {
		status, failure := http.StatusBadRequest, SignInRefused
		if code == "access_denied" {
			status, failure = http.StatusForbidden, SignInCancelled
			f.logger.InfoContext(r.Context(), "fiefhttp: sign-in refused by the user (access_denied)")
		} else {
			f.logger.WarnContext(r.Context(), "fiefhttp: Fief answered the sign-in with an error", "error", truncateCode(code))
		}
		f.page(w, r, status, failure, code, nil)
		return
	}
	code := q.Get("code")
	if code == "" {
		f.page(w, r, http.StatusBadRequest, SignInIncomplete, "", nil)
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
		f.page(w, r, http.StatusInternalServerError, SignInMisconfigured, "", err)
		return
	}
	if err != nil {
		f.page(w, r, http.StatusBadGateway, SignInExchangeFailed, "", err)
		return
	}
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
		cookie.Expires = f.client.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	http.SetCookie(w, cookie)
	if id := claims.ID(); id != "" {
		user := make(fief.UserInfo, len(claims))
		for k, v := range claims {
			user[k] = v
		}
		for _, k := range idTokenOnlyClaims {
			delete(user, k)
		}
		if err := f.cache.Set(r.Context(), id, user); err != nil {
			f.logger.WarnContext(r.Context(), "fiefhttp: user-info cache write failed", "user", id, "error", err)
		}
	}
	ret := flow.Return
	if !isSafeReturnPath(ret) { // checked at Login already; the MAC vouches for it
		ret = f.defaultPath
	}
	http.Redirect(w, r, ret, http.StatusFound)
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
