package fieftest_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/fief-dev/fief-go/internal/logtest"
)

// mailOverHTTP lists the emails to address at the mail route of the admin
// API, newest first, as an application in another language reads them.
func mailOverHTTP(t *testing.T, srv *fieftest.Server, address string) []fieftest.Mail {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+"/admin/api/_fieftest/mail?to="+url.QueryEscape(address), nil)
	req.Header.Set("Authorization", "Bearer "+srv.AdminAPIKey())
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Count   int             `json:"count"`
		Results []fieftest.Mail `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != 200 {
		t.Fatalf("mail route: %d %v", resp.StatusCode, err)
	}
	return list.Results
}

// browser is a client of srv with a cookie jar that stops at redirects.
func browser(t *testing.T, srv *fieftest.Server) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := noRedirect(srv)
	c.Jar = jar
	return c
}

// submitForm gets page u and posts its form to action with fields and its
// CSRF token.
func submitForm(t *testing.T, c *http.Client, u, action string, fields url.Values) *http.Response {
	t.Helper()
	resp := get(t, c, u)
	page := browsertest.Body(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if m := regexp.MustCompile(`name="token" value="([^"]*)"`).FindStringSubmatch(page); m != nil {
		fields.Set("token", m[1])
	}
	fields.Set("csrf_token", browsertest.CSRF(t, page))
	target, _ := resp.Request.URL.Parse(action)
	return postForm(t, c, target.String(), fields)
}

// TestPasswordReset runs the reset flow over HTTP at both Fief versions:
// /forgot sends the link (and user.forgot_password_requested), /reset sets
// the password (and user.password_reset, members as Fief's deliveries),
// then answers 302 to "/" at 0.30.0 and the form again at 0.26.3; the link
// works once; /forgot answers alike for an unknown or inactive address.
func TestPasswordReset(t *testing.T) {
	for _, f := range webhookFormats {
		t.Run(f.version, func(t *testing.T) {
			srv := fieftest.NewUnstartedServer()
			srv.Version = f.version
			srv.Start()
			defer srv.Close()
			recv := newReceiver(t)
			hook, err := srv.AddWebhook(fieftest.WebhookConfig{URL: recv.URL, Events: []string{"user.forgot_password_requested", "user.password_reset"}})
			if err != nil {
				t.Fatal(err)
			}
			u, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: password})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.AddUser(fieftest.UserConfig{Email: "claude@france.kingdom", Password: password, Inactive: true}); err != nil {
				t.Fatal(err)
			}
			b := browser(t, srv)

			var pages []string
			for _, email := range []string{"nobody@bretagne.duchy", "claude@france.kingdom", "Anne@Bretagne.duchy"} {
				resp := submitForm(t, b, srv.URL+"/forgot", "forgot", url.Values{"email": {email}})
				page := browsertest.Body(t, resp)
				if resp.StatusCode != 200 || !strings.Contains(page, "Check your inbox!") {
					t.Fatalf("forgot %s: %d\n%s", email, resp.StatusCode, page)
				}
				if !strings.Contains(page, "<title>Forgot password · "+srv.DefaultTenant().Name()+"</title>") {
					t.Fatalf("forgot page title:\n%s", page)
				}
				pages = append(pages, strings.ReplaceAll(page, email, "EMAIL"))
			}
			if pages[0] != pages[1] || pages[1] != pages[2] {
				t.Fatal("/forgot answers differ with the address")
			}
			if all := mailOverHTTP(t, srv, ""); len(all) != 1 {
				t.Fatalf("%d emails, want only the active user's: %+v", len(all), all)
			}
			mail := mailOverHTTP(t, srv, "anne@bretagne.duchy")
			if len(mail) != 1 || mail[0].Type != fieftest.MailForgotPassword || mail[0].UserID != u.ID ||
				!strings.HasPrefix(mail[0].ResetURL, srv.URL+"/reset?token=") || !strings.Contains(mail[0].Text, mail[0].ResetURL) ||
				mail[0].Subject != "Reset your "+srv.DefaultTenant().Name()+"'s password" {
				t.Fatalf("reset email %+v", mail)
			}
			link := mail[0].ResetURL

			// The new password goes through the policy first.
			resp := submitForm(t, b, link, "reset", url.Values{"password": {"short"}})
			if page := browsertest.Body(t, resp); resp.StatusCode != 400 || !strings.Contains(page, "error-reason") || !u.CheckPassword(password) {
				t.Fatalf("a weak new password: %d\n%s", resp.StatusCode, page)
			}
			resp = submitForm(t, b, link, "reset", url.Values{"password": {"New-Herm1ne-Tincture!"}})
			if f.version == fieftest.FiefVersion026 {
				if resp.StatusCode != 200 {
					t.Fatalf("reset at 0.26.3: %d, want the form again", resp.StatusCode)
				}
			} else if resp.StatusCode != 302 || resp.Header.Get("Location") != "/" {
				t.Fatalf("reset at 0.30.0: %d Location %q, want 302 to /", resp.StatusCode, resp.Header.Get("Location"))
			}
			if !u.CheckPassword("New-Herm1ne-Tincture!") {
				t.Fatal("the password did not change")
			}
			resp = submitForm(t, b, link, "reset", url.Values{"password": {"Third-Herm1ne-Tincture!"}})
			if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_token" || !u.CheckPassword("New-Herm1ne-Tincture!") {
				t.Fatalf("the link used again: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
			}

			wait(t, srv)
			got := recv.deliveries()
			real := realBodies(t, f.recording)
			want := []string{"user.forgot_password_requested", "user.password_reset"}
			if len(got) != len(want) {
				t.Fatalf("%d deliveries, want %v", len(got), want)
			}
			for i, d := range got {
				e, err := fiefwebhook.Decode(d.body)
				if err != nil || string(e.Type) != want[i] {
					t.Fatalf("delivery %d: %v %v, want %s", i, e, err, want[i])
				}
				if err := fiefwebhook.Verify([]string{hook.Secret}, d.header.Get("X-Fief-Webhook-Timestamp"), d.header.Get("X-Fief-Webhook-Signature"), d.body, time.Now(), time.Minute); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(upToFields(jsonKeys(t, d.body)), upToFields(jsonKeys(t, real[want[i]]))) {
					t.Fatalf("%s members\n%v\nFief's\n%v", want[i], jsonKeys(t, d.body), jsonKeys(t, real[want[i]]))
				}
			}
		})
	}
}

// TestPasswordResetRefusals: /reset without a token, with a forged or
// expired one, or after the password changed otherwise, is Fief's fatal
// error page; a reset during an authorization goes back to the login page.
func TestPasswordResetRefusals(t *testing.T) {
	e := newEnv(t)
	b := browser(t, e.srv)
	resp := get(t, b, e.srv.URL+"/reset")
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "missing_token" {
		t.Fatalf("/reset without a token: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}
	forgot := func() string {
		submitForm(t, b, e.srv.URL+"/forgot", "forgot", url.Values{"email": {e.user.Email()}})
		return mailOverHTTP(t, e.srv, e.user.Email())[0].ResetURL
	}
	refused := func(link, why string) {
		t.Helper()
		resp := submitForm(t, b, link, "reset", url.Values{"password": {"New-Herm1ne-Tincture!"}})
		if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_token" || !e.user.CheckPassword(password) {
			t.Fatalf("%s: %d %q", why, resp.StatusCode, resp.Header.Get("X-Fief-Error"))
		}
	}
	refused(e.srv.URL+"/reset?token=forged", "a forged token")
	link := forgot()
	// A token of the same shape signed by another server's tenant.
	other := fieftest.NewServer()
	defer other.Close()
	other.AddUser(fieftest.UserConfig{ID: e.user.ID, Email: e.user.Email(), Password: password})
	submitForm(t, browser(t, other), other.URL+"/forgot", "forgot", url.Values{"email": {e.user.Email()}})
	foreign := other.Mail()[0].ResetURL
	refused(e.srv.URL+"/reset?"+strings.SplitN(foreign, "?", 2)[1], "another tenant's token")

	e.srv.Advance(fieftest.ResetTokenLifetime + time.Second)
	refused(link, "an expired link")
	link = forgot()
	e.user.SetPassword(password) // the same password, a new hash
	refused(link, "a link made before a password change")

	// During an authorization, the reset goes back to the login page.
	authURL := authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI})
	resp = get(t, b, authURL)
	if resp.StatusCode != 302 {
		t.Fatalf("authorize: %d", resp.StatusCode)
	}
	link = forgot()
	resp = submitForm(t, b, link, "reset", url.Values{"password": {"New-Herm1ne-Tincture!"}})
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/login" {
		t.Fatalf("reset during an authorization: %d %q, want 302 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestMailRecorded: Server.Mail lists what the mail route lists (a
// sign-up's verification code, the one EmailVerificationCode returns,
// after its welcome email), the log shows each email, MailDir gets a
// file, a MailDir that cannot be written is a warning, and DELETE empties
// the list.
func TestMailRecorded(t *testing.T) {
	rec, logger := logtest.New()
	srv := fieftest.NewUnstartedServer()
	srv.Logger = logger
	srv.MailDir = t.TempDir()
	srv.Start()
	defer srv.Close()
	b := browser(t, srv)
	resp := submitForm(t, b, srv.URL+"/register", "register", url.Values{"email": {"anne@bretagne.duchy"}, "password": {"Herm1ne-Tincture!"}})
	if resp.StatusCode != 302 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	get(t, b, srv.URL+"/verify-request")
	mail := srv.Mail()
	if !slices.EqualFunc(mail, mailOverHTTP(t, srv, ""), func(a, b fieftest.Mail) bool { return a.ID == b.ID && a.SentAt.Equal(b.SentAt) }) {
		t.Fatal("Server.Mail and the mail route differ")
	}
	if len(mail) != 2 || mail[0].Type != fieftest.MailVerifyEmail || mail[1].Type != fieftest.MailWelcome {
		t.Fatalf("mail %+v", mail)
	}
	if code, _ := srv.EmailVerificationCode(mail[0].UserID); code != mail[0].Code {
		t.Fatalf("EmailVerificationCode %q, the email %q", code, mail[0].Code)
	}
	if !strings.Contains(rec.Text(), "code="+mail[0].Code) {
		t.Errorf("the log lacks the code:\n%s", rec.Text())
	}
	files, _ := filepath.Glob(filepath.Join(srv.MailDir, "*.eml"))
	if len(files) != 2 {
		t.Fatalf("%d files in MailDir", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(string(b), "To: <anne@bretagne.duchy>") {
			t.Errorf("%s: %v, mode %v:\n%s", f, err, fi.Mode(), b)
		}
	}

	os.RemoveAll(srv.MailDir)
	if resp := submitForm(t, b, srv.URL+"/forgot", "forgot", url.Values{"email": {"anne@bretagne.duchy"}}); resp.StatusCode != 200 {
		t.Fatalf("forgot with MailDir gone: %d", resp.StatusCode)
	}
	if !strings.Contains(rec.Text(), "writing an email to MailDir") || srv.Mail()[0].Type != fieftest.MailForgotPassword {
		t.Errorf("a failed write is not a warning:\n%s", rec.Text())
	}

	req, _ := http.NewRequest("DELETE", srv.URL+"/admin/api/_fieftest/mail", nil)
	req.Header.Set("Authorization", "Bearer "+srv.AdminAPIKey())
	if resp, err := srv.Client().Do(req); err != nil || resp.StatusCode != 204 || len(srv.Mail()) != 0 {
		t.Fatalf("DELETE: %v %v, %d left", resp.StatusCode, err, len(srv.Mail()))
	}
}

// TestMailSubjectFollowsTemplate: an email's subject is its template's, as
// changed through the admin API, with its variables replaced.
func TestMailSubjectFollowsTemplate(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	admin := func(method, path, body string) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/admin/api"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.AdminAPIKey())
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := browsertest.Body(t, resp)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return []byte(b)
	}
	var list struct {
		Results []struct{ ID, Type string } `json:"results"`
	}
	json.Unmarshal(admin("GET", "/email-templates/", ""), &list)
	for _, e := range list.Results {
		if e.Type == "WELCOME" {
			admin("PATCH", "/email-templates/"+e.ID, `{"subject": "Bienvenue chez {{tenant.name}}, {{ user.email }}"}`)
		}
	}
	admin("POST", "/users/", `{"email": "anne@bretagne.duchy", "password": "Herm1ne-Tincture!", "email_verified": true, "tenant_id": "`+srv.DefaultTenant().ID()+`"}`)
	if m := mailOverHTTP(t, srv, "anne@bretagne.duchy"); len(m) != 1 || m[0].Subject != "Bienvenue chez Default, anne@bretagne.duchy" {
		t.Fatalf("mail %+v", m)
	}
}

// TestPasswordResetLinkSurvivesARestart: a reset link sent before a
// restart on the saved state still works once after it, as the state
// keeps the signing keys and password hashes the link is checked with.
func TestPasswordResetLinkSurvivesARestart(t *testing.T) {
	e := newEnv(t)
	submitForm(t, browser(t, e.srv), e.srv.URL+"/forgot", "forgot", url.Values{"email": {e.user.Email()}})
	link, err := url.Parse(mailOverHTTP(t, e.srv, e.user.Email())[0].ResetURL)
	if err != nil {
		t.Fatal(err)
	}
	var state strings.Builder
	if err := e.srv.SaveState(&state); err != nil {
		t.Fatal(err)
	}
	e.srv.Close()
	srv := fieftest.NewUnstartedServer()
	if err := srv.LoadState(strings.NewReader(state.String())); err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Close()
	b := browser(t, srv)
	resp := submitForm(t, b, srv.URL+link.RequestURI(), "reset", url.Values{"password": {"New-Herm1ne-Tincture!"}})
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/" {
		t.Fatalf("reset after a restart: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if u, ok := srv.DefaultTenant().User(e.user.ID); !ok || !u.CheckPassword("New-Herm1ne-Tincture!") {
		t.Fatal("the password did not change")
	}
	if resp := submitForm(t, b, srv.URL+link.RequestURI(), "reset", url.Values{"password": {"Third-Herm1ne-Tincture!"}}); resp.Header.Get("X-Fief-Error") != "invalid_token" {
		t.Fatalf("the link used again after a restart: %d", resp.StatusCode)
	}
}
