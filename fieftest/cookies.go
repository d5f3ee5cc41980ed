package fieftest

import (
	"crypto/subtle"
	"net/http"
	"time"
)

// Cookie names, Fief's defaults.
const (
	cookieSession      = "fief_session"
	cookieLoginSession = "fief_login_session"
	cookieRegSession   = "fief_registration_session"
	cookieLoginHint    = "fief_login_hint"
	cookieLocale       = "fief_locale"
	cookieCSRF         = "fief_csrftoken"
)

const (
	sessionLifetime      = 30 * 24 * time.Hour
	loginSessionLifetime = time.Hour
	hintCookieMaxAge     = 30 * 24 * 3600
)

func (s *Server) secure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.secureCookies
}

// setCookie sets a Path=/, SameSite=Lax cookie; maxAge 0 means a session
// cookie.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int, httpOnly bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: httpOnly,
		Secure:   s.secure(),
		SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie sends name="" with Max-Age=0, as Starlette's delete_cookie.
func (s *Server) clearCookie(w http.ResponseWriter, name string, httpOnly bool) {
	v := name + `=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=lax`
	if httpOnly {
		v += "; HttpOnly"
	}
	if s.secure() {
		v += "; Secure"
	}
	w.Header().Add("Set-Cookie", v)
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// csrfToken returns the request's CSRF token, setting the fief_csrftoken
// cookie (HttpOnly, no Path, no SameSite) if it has none.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if v := cookieValue(r, cookieCSRF); v != "" {
		return v
	}
	v := randomToken()
	http.SetCookie(w, &http.Cookie{Name: cookieCSRF, Value: v, HttpOnly: true, Secure: s.secure()})
	return v
}

// csrfRefused answers a POST whose csrf_token field does not match the
// cookie with page again, status 400 and Fief's error message, and reports
// whether it did.
func (t *Tenant) csrfRefused(w http.ResponseWriter, r *http.Request, page string, d pageData) bool {
	c := cookieValue(r, cookieCSRF)
	f := r.PostForm.Get("csrf_token")
	if c != "" && subtle.ConstantTimeCompare([]byte(c), []byte(f)) == 1 {
		return false
	}
	d.Error = "The CSRF token is missing or invalid."
	t.renderPage(w, http.StatusBadRequest, page, d)
	return true
}
