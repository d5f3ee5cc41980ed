package fieftest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// resetTokenAudience is the aud claim of Fief's password-reset tokens.
const resetTokenAudience = "fief:reset"

// ResetTokenLifetime is how long the link of a password-reset email stays
// valid. Fief 0.30's reset token carries no expiry; fieftest's expires,
// so that a test can check that an old link is refused (move the clock
// with [Server.Advance]).
const ResetTokenLifetime = time.Hour

// forgotSuccess is Fief's answer to every valid /forgot form, whether a
// user has this address or not.
const forgotSuccess = "Check your inbox! If an account associated with this email address exists in our system, you'll receive a link to reset your password."

// resetClaims are the claims of a password-reset token: Fief's sub,
// password_fgpt and aud, and an expiry.
type resetClaims struct {
	Sub         string `json:"sub"`
	Fingerprint string `json:"password_fgpt"`
	Aud         string `json:"aud"`
	Exp         int64  `json:"exp"`
}

// passwordFingerprintLocked identifies the user's current password hash
// without revealing it. A reset changes it (a new salt each time, even for
// the same password), so that a reset token works only once, as Fief's.
func (u *User) passwordFingerprintLocked() string {
	h := sha256.New()
	h.Write([]byte("fieftest password fingerprint\x00"))
	h.Write(u.salt)
	h.Write(u.pwHash)
	return hex.EncodeToString(h.Sum(nil))
}

// handleForgot serves GET and POST /forgot: the form asking for an email
// address, then the same answer whether a user has it or not. An active
// user with this address gets the email of a reset link, and the
// user.forgot_password_requested webhook fires.
func (s *Server) handleForgot(t *Tenant, w http.ResponseWriter, r *http.Request) {
	parsePostForm(w, r)
	d := pageData{Title: "Forgot password", Prefix: t.prefix(), CSRF: s.csrfToken(w, r)}
	if r.Method != http.MethodPost {
		t.renderPage(w, http.StatusOK, "forgot", d)
		return
	}
	if t.csrfRefused(w, r, "forgot", d) {
		return
	}
	email := r.PostForm.Get("email")
	d.Email = email
	if !validEmail(email) {
		d.Error = "Invalid email address."
		t.renderPage(w, http.StatusBadRequest, "forgot", d)
		return
	}
	key := t.currentKey()
	s.mu.Lock()
	if u, ok := t.byEmail[strings.ToLower(email)]; ok && u.active {
		tok := signJWS(key, mustJSON(resetClaims{
			Sub:         u.ID,
			Fingerprint: u.passwordFingerprintLocked(),
			Aud:         resetTokenAudience,
			Exp:         s.nowLocked().Add(ResetTokenLifetime).Unix(),
		}))
		s.emitLocked(eventUserForgotPasswordRequested, u.readLocked())
		s.sendMailLocked(t, Mail{
			Type:     MailForgotPassword,
			UserID:   u.ID,
			To:       u.email,
			ResetURL: absoluteURL(r, t.prefix()+"/reset?token="+url.QueryEscape(tok)),
		})
	}
	s.mu.Unlock()
	d.Success = forgotSuccess
	t.renderPage(w, http.StatusOK, "forgot", d)
}

// handleReset serves GET and POST /reset: the form of a new password,
// reached by the link of the reset email. A reset sends
// user.password_reset and redirects (302) to the login page when an
// authorization is in progress, else, as Fief 0.30.0 does, to the
// tenant's profile page "/" (Fief 0.26.3 answered the form again, 200).
func (s *Server) handleReset(t *Tenant, w http.ResponseWriter, r *http.Request) {
	parsePostForm(w, r)
	d := pageData{Title: "Reset password", Prefix: t.prefix(), CSRF: s.csrfToken(w, r)}
	if r.Method != http.MethodPost {
		if !r.URL.Query().Has("token") {
			t.htmlError(w, "missing_token", "The reset password token is missing.")
			return
		}
		d.Token = r.URL.Query().Get("token")
		t.renderPage(w, http.StatusOK, "reset", d)
		return
	}
	d.Token = r.PostForm.Get("token")
	if t.csrfRefused(w, r, "reset", d) {
		return
	}
	password := r.PostForm.Get("password")
	if password == "" || d.Token == "" {
		d.Error = "This field is required."
		t.renderPage(w, http.StatusBadRequest, "reset", d)
		return
	}
	if reasons := passwordProblems(password); len(reasons) > 0 {
		d.Reasons = reasons
		t.renderPage(w, http.StatusBadRequest, "reset", d)
		return
	}
	if r.Header.Get("HX-Trigger") != "" {
		// Fief's pages check the form as the user types (htmx): no reset.
		t.renderPage(w, http.StatusOK, "reset", d)
		return
	}
	if !s.resetPassword(t, d.Token, password) {
		t.htmlError(w, "invalid_token", "The reset password token is invalid or expired.")
		return
	}
	s.mu.Lock()
	_, st := s.loginSessionLocked(r, t)
	legacy := s.legacyLocked()
	s.mu.Unlock()
	switch {
	case st == lsValid:
		redirect(w, t.prefix()+"/login")
	case legacy:
		d.Success = "Your password has been changed."
		t.renderPage(w, http.StatusOK, "reset", d)
	default:
		redirect(w, t.prefix()+"/")
	}
}

// resetPassword checks a reset token as Fief does (RS256 with the
// tenant's signing key, aud, a user of the tenant whose password is still
// the one the token was made for, active) and the expiry fieftest adds,
// then sets the password and sends user.password_reset. It reports whether
// the token was good.
func (s *Server) resetPassword(t *Tenant, token, password string) bool {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return false
	}
	payload, err := jws.Verify(&t.currentKey().priv.PublicKey)
	if err != nil {
		return false
	}
	var c resetClaims
	if json.Unmarshal(payload, &c) != nil || c.Aud != resetTokenAudience {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.nowLocked().Before(time.Unix(c.Exp, 0)) {
		return false
	}
	u, ok := t.users[c.Sub]
	if !ok || !u.active || subtle.ConstantTimeCompare([]byte(c.Fingerprint), []byte(u.passwordFingerprintLocked())) != 1 {
		return false
	}
	u.resetPasswordLocked(password)
	return true
}
