package fieftest

import (
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

const maxBodyBytes = 1 << 20

// readForm reads a form-encoded or multipart body; any other body reads as
// an empty form, as in FastAPI.
func readForm(w http.ResponseWriter, r *http.Request) url.Values {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if r.ParseForm() == nil {
			return r.PostForm
		}
	case "multipart/form-data":
		if r.ParseMultipartForm(maxBodyBytes) == nil {
			return r.MultipartForm.Value
		}
	}
	return url.Values{}
}

// formValue returns a form field; an empty value counts as absent, as in
// FastAPI's Form(None).
func formValue(f url.Values, k string) (string, bool) {
	v := f.Get(k)
	return v, v != ""
}

// parseBasic reads client_secret_basic credentials. ok is false without a
// Basic header; malformed is true for a Basic header FastAPI rejects.
func parseBasic(r *http.Request) (id, secret string, ok, malformed bool) {
	h := r.Header.Get("Authorization")
	scheme, param, _ := strings.Cut(h, " ")
	if h == "" || !strings.EqualFold(scheme, "basic") {
		return "", "", false, false
	}
	// Python's b64decode drops characters outside the alphabet.
	clean := strings.Map(func(c rune) rune {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
			return c
		}
		return -1
	}, param)
	raw, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return "", "", false, true
	}
	for _, b := range raw {
		if b > 127 {
			return "", "", false, true
		}
	}
	id, secret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false, true
	}
	return id, secret, true, false
}

// authenticateClientLocked applies client_secret_basic, client_secret_post and
// none, in this order, each on its own: a method that fails lets the next
// one try. Callers hold s.mu.
func (t *Tenant) authenticateClientLocked(form url.Values, basicID, basicSecret string, basic bool) *Client {
	grantType := form.Get("grant_type")
	if basic {
		if c, ok := t.clients[basicID]; ok && c.ClientSecret == basicSecret {
			return c
		}
	}
	id, hasID := formValue(form, "client_id")
	secret, hasSecret := formValue(form, "client_secret")
	if hasID && hasSecret {
		if c, ok := t.clients[id]; ok && c.ClientSecret == secret {
			return c
		}
	}
	// Method "none" looks at client_id alone: a public client passes with
	// a wrong client_secret too, as in Fief.
	if hasID {
		if c, ok := t.clients[id]; ok && c.public {
			if _, hasVerifier := formValue(form, "code_verifier"); grantType != "authorization_code" || hasVerifier {
				return c
			}
		}
	}
	return nil
}
