package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/internal/browsertest"
)

// mailItem is one email of the mail route, as a non-Go client reads it.
type mailItem struct {
	Type     string `json:"type"`
	To       string `json:"to"`
	UserID   string `json:"user_id"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	Code     string `json:"code"`
	ResetURL string `json:"reset_url"`
}

// readMail lists the emails to address at the mail route, newest first.
func readMail(t *testing.T, base, key, address string) []mailItem {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/admin/api/_fieftest/mail?to="+url.QueryEscape(address), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Count   int        `json:"count"`
		Results []mailItem `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != 200 || list.Count != len(list.Results) {
		t.Fatalf("mail route: %d, %v", resp.StatusCode, err)
	}
	return list.Results
}

// callAPI sends a JSON request with a bearer token and decodes the answer.
func callAPI(t *testing.T, method, u, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

var resetLink = regexp.MustCompile(`href="([^"]*/forgot)"`)

// TestMailFlows runs, against the built command and over plain HTTP, the
// three flows that need an email: a sign-up with email verification, an
// email change through the user API, and a password reset, each reading
// its code or link from the mail route. The emails are also in the log
// and in -mail-dir.
func TestMailFlows(t *testing.T) {
	mailDir := filepath.Join(t.TempDir(), "mail")
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("web-secret"), 0o600)
	const redirectURI = "http://localhost:9999/callback"
	vars, logs, stop := startBinary(t, "-addr", "127.0.0.1:0", "-client-id", "web", "-client-secret-file", secretFile,
		"-redirect-uri", redirectURI, "-mail-dir", mailDir)
	base, key := vars["FIEF_BASE_URL"], vars["FIEF_ADMIN_API_KEY"]
	const email, newEmail, password = "anne@bretagne.duchy", "anne@france.kingdom", "Herm1ne-Tincture!"

	// The mail route is the admin API's: the key is needed.
	if resp, err := http.Get(base + "/admin/api/_fieftest/mail"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("mail route without the key: %v %v", resp.StatusCode, err)
	}

	// Sign up from the authorization's login page, then verify the email
	// with the code of the mail route.
	b := browsertest.New(t)
	b.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), redirectURI) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, page := browsertest.Get(t, b, base+"/authorize?"+url.Values{
		"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {redirectURI}, "scope": {"openid"}, "acr_values": {"1"},
	}.Encode())
	resp, page = browsertest.Get(t, b, base+"/register")
	resp, page = browsertest.Submit(t, b, resp, page, "register", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != 200 || !strings.HasSuffix(resp.Request.URL.Path, "/verify") {
		t.Fatalf("after sign-up: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	mail := readMail(t, base, key, email)
	if len(mail) != 2 || mail[0].Type != "VERIFY_EMAIL" || len(mail[0].Code) != 6 || !strings.Contains(mail[0].Text, mail[0].Code) ||
		mail[1].Type != "WELCOME" || mail[1].Subject != "Welcome to Default" {
		t.Fatalf("mail after sign-up: %+v", mail)
	}
	userID := mail[0].UserID
	resp, _ = browsertest.Submit(t, b, resp, page, "verify", url.Values{"code": {mail[0].Code}})
	loc, err := resp.Location()
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("after verification: %d, %v", resp.StatusCode, err)
	}
	tr, err := http.PostForm(base+"/api/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirectURI},
		"client_id": {"web"}, "client_secret": {"web-secret"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(tr.Body).Decode(&tok)
	tr.Body.Close()
	if c := tokenClaims(t, tok.AccessToken); c.Sub != userID || c.ACR != "1" {
		t.Fatalf("token claims %+v, want the new user's with ACR 1", c)
	}

	// Change the email through the user API, with the code sent to the new
	// address.
	if status, body := callAPI(t, "PATCH", base+"/api/email/change", tok.AccessToken, map[string]string{"email": newEmail}); status != 202 || body["email"] != email {
		t.Fatalf("email change: %d %v", status, body)
	}
	mail = readMail(t, base, key, newEmail)
	if len(mail) != 1 || mail[0].Type != "VERIFY_EMAIL" || mail[0].UserID != userID || mail[0].Code == "" {
		t.Fatalf("mail to the new address: %+v", mail)
	}
	if status, body := callAPI(t, "POST", base+"/api/email/verify", tok.AccessToken, map[string]string{"code": mail[0].Code}); status != 200 || body["email"] != newEmail {
		t.Fatalf("email verify: %d %v", status, body)
	}

	// Reset the password from the login page's link, with the link of the
	// mail route; the answer does not say whether the address exists.
	b2 := browsertest.New(t)
	resp, page = browsertest.Get(t, b2, base+"/login")
	m := resetLink.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no link to /forgot on the login page:\n%s", page)
	}
	forgotResp, forgotPage := browsertest.Get(t, b2, base+m[1])
	_, unknown := browsertest.Submit(t, b2, forgotResp, forgotPage, "forgot", url.Values{"email": {"nobody@bretagne.duchy"}})
	resp, page = browsertest.Submit(t, b2, forgotResp, forgotPage, "forgot", url.Values{"email": {newEmail}})
	if resp.StatusCode != 200 || !strings.Contains(page, "Check your inbox!") || strings.ReplaceAll(unknown, "nobody@bretagne.duchy", newEmail) != page {
		t.Fatalf("forgot answers differ for a known and an unknown address:\n%s\n---\n%s", page, unknown)
	}
	mail = readMail(t, base, key, newEmail)
	if len(mail) != 2 || mail[0].Type != "FORGOT_PASSWORD" || !strings.HasPrefix(mail[0].ResetURL, base+"/reset?token=") ||
		!strings.Contains(mail[0].Text, mail[0].ResetURL) {
		t.Fatalf("mail after /forgot: %+v", mail)
	}
	if len(readMail(t, base, key, "nobody@bretagne.duchy")) != 0 {
		t.Error("an unknown address got an email")
	}
	resp, page = browsertest.Get(t, b2, mail[0].ResetURL)
	nb := browsertest.NoRedirect(b2)
	resp, _ = browsertest.Submit(t, nb, resp, page, "reset", url.Values{"password": {"New-Herm1ne-Tincture!"}, "token": {hiddenToken(t, page)}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || loc != "/" {
		t.Fatalf("after the reset: %d Location %q, want 302 to /", resp.StatusCode, loc)
	}
	resp, page = browsertest.Get(t, b2, mail[0].ResetURL)
	resp, _ = browsertest.Submit(t, b2, resp, page, "reset", url.Values{"password": {"Third-Herm1ne-Tincture!"}, "token": {hiddenToken(t, page)}})
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_token" {
		t.Errorf("a reset link used twice: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}
	for pw, want := range map[string]int{password: 400, "New-Herm1ne-Tincture!": 302} {
		b3 := browsertest.NoRedirect(browsertest.New(t))
		resp, page := browsertest.Get(t, b3, base+"/login")
		if resp, _ = browsertest.LogIn(t, b3, resp, page, newEmail, pw); resp.StatusCode != want {
			t.Errorf("login with %q: %d, want %d", pw, resp.StatusCode, want)
		}
	}

	// Every email is in the log and in -mail-dir.
	all := readMail(t, base, key, "")
	if err := stop(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	log := logs.String()
	for _, m := range all {
		want := m.Code + m.ResetURL
		if m.Type == "WELCOME" {
			want = "subject=\"Welcome to Default\""
		}
		if !strings.Contains(log, "msg=mail type="+m.Type) || !strings.Contains(log, want) {
			t.Errorf("the log lacks the %s email (%q):\n%s", m.Type, want, log)
		}
	}
	files, _ := filepath.Glob(filepath.Join(mailDir, "*.eml"))
	if len(files) != len(all) || len(all) != 4 {
		t.Fatalf("%d files in -mail-dir for %d emails", len(files), len(all))
	}
	var found bool
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "To: <"+newEmail+">") && strings.Contains(string(b), all[0].ResetURL) {
			found = true
		}
	}
	if !found {
		t.Errorf("no file in -mail-dir holds the reset link %s", all[0].ResetURL)
	}
}

var tokenInput = regexp.MustCompile(`name="token" value="([^"]+)"`)

// hiddenToken returns the reset token of the /reset form.
func hiddenToken(t *testing.T, page string) string {
	t.Helper()
	m := tokenInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no token in the reset form:\n%s", page)
	}
	return m[1]
}
