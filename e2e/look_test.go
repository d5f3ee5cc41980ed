package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/fief-dev/fief-go/fiefhttp"
)

// screenshotsEnv names a directory where TestPagesLook saves its
// screenshots; unset, it saves them in a new temporary directory, which it
// logs and keeps.
const screenshotsEnv = "FIEF_E2E_SCREENSHOTS"

// TestPagesLook walks through every page the demo shows (home, Fief's login
// form, the protected page, a sign-in error page), in a desktop-sized
// window, and checks that each one shows its key text and controls on
// screen, runs no script, loads nothing, and follows the dark scheme. It
// saves a screenshot of each.
func TestPagesLook(t *testing.T) {
	s := setup(t)
	tab := s.newBrowserContext(t)
	dir := screenshotDir(t)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1000, 760)); err != nil {
		t.Fatalf("sizing the window: %v", err)
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot of %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	resp := navigate(t, tab, s.app.URL+"/")
	requireStatus(t, resp, http.StatusOK)
	requireLook(t, tab, look{title: "Welcome", visible: map[string]string{
		"brand": "Fief web example", "message": "This page is public", "protected": "Go to the protected page",
	}})
	shot("1-home")

	resp = navigate(t, tab, s.app.URL+"/protected")
	s.requireLoginForm(t, tab, resp)
	requireLook(t, tab, look{title: "Sign in", labelled: []string{"email", "password"}, visible: map[string]string{
		"brand": "Fief web example", "submit": "Sign in",
	}})
	shot("2-login")
	light := backgroundColor(t, tab)
	setColorScheme(t, tab, "dark")
	if dark := backgroundColor(t, tab); dark == light {
		t.Errorf("the login page has the same background (%s) in the dark scheme", dark)
	}
	shot("2-login-dark")
	setColorScheme(t, tab, "")

	resp = signIn(t, tab, demoEmail, demoPassword)
	requireProtectedPage(t, tab, resp, s.app.URL+"/protected")
	requireLook(t, tab, look{title: "Protected page", visible: map[string]string{
		"brand": "Fief web example", "message": "Your user email is " + demoEmail, "logout": "Log out",
	}})
	shot("3-protected")

	// A sign-in link opened in another browser: its flow cookie is not here.
	resp = navigate(t, tab, s.app.URL+fiefhttp.DefaultCallbackPath+"?state=c3RhdGUtb2YtYW5vdGhlci1icm93c2Vy&code=x")
	requireStatus(t, resp, http.StatusBadRequest)
	requireLook(t, tab, look{title: "This sign-in link has expired", visible: map[string]string{
		"brand": "Fief web example", "message": "opened in another browser", "retry": "Start again",
	}})
	shot("4-callback-error")
	setColorScheme(t, tab, "dark")
	shot("4-callback-error-dark")
	setColorScheme(t, tab, "")

	// The next step works: "Start again" leads back into the application.
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.ID("retry")))
	if err != nil {
		t.Fatalf("clicking Start again: %v", err)
	}
	if resp.URL != s.app.URL+"/" || resp.Status != http.StatusOK {
		t.Errorf("Start again led to %s (status %d), want the home page", resp.URL, resp.Status)
	}
	t.Logf("screenshots in %s", dir)
}

// screenshotDir returns the directory for the screenshots of t.
func screenshotDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv(screenshotsEnv); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir, err := os.MkdirTemp("", "fief-e2e-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func requireStatus(t *testing.T, resp *network.Response, want int) {
	t.Helper()
	if resp.Status != int64(want) {
		t.Fatalf("%s: status %d, want %d", resp.URL, resp.Status, want)
	}
}

// look is what a page must show.
type look struct {
	title    string            // the text of the h1, which must be visible
	visible  map[string]string // element id → text it must contain, visible
	labelled []string          // ids of fields that must have a visible label
}

// lookScript reports, as JSON, the problems of the page shown against a
// look: elements missing, hidden, outside the window or without their
// text; fields without a visible label; scripts; loaded resources.
const lookScript = `(() => {
  const want = %s;
  const problems = [];
  const shown = el => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
      r.top < innerHeight && r.left < innerWidth &&
      st.visibility === "visible" && st.display !== "none" && Number(st.opacity) > 0.5;
  };
  const h1 = document.querySelector("h1");
  if (!h1 || !shown(h1) || h1.innerText.trim() !== want.title) {
    problems.push("heading " + JSON.stringify(h1 ? h1.innerText : null) + ", want " + JSON.stringify(want.title));
  }
  for (const [id, text] of Object.entries(want.visible || {})) {
    const el = document.getElementById(id);
    if (!el) { problems.push("#" + id + " missing"); continue; }
    if (!shown(el)) problems.push("#" + id + " not visible");
    if (!el.innerText.includes(text)) problems.push("#" + id + " says " + JSON.stringify(el.innerText) + ", want " + JSON.stringify(text));
  }
  for (const id of want.labelled || []) {
    const el = document.getElementById(id);
    if (!el || !shown(el)) { problems.push("field #" + id + " not visible"); continue; }
    if (!el.labels || el.labels.length === 0 || !shown(el.labels[0]) || el.labels[0].innerText.trim() === "") problems.push("field #" + id + " has no visible label");
  }
  if (document.scripts.length > 0) problems.push(document.scripts.length + " script(s)");
  const loaded = performance.getEntriesByType("resource").map(e => e.name);
  if (loaded.length > 0) problems.push("loaded " + loaded.join(", "));
  if (!document.querySelector('meta[name="viewport"]')) problems.push("no viewport meta");
  return problems;
})()`

// requireLook fails t unless the page in the tab shows what l says.
func requireLook(t *testing.T, tab context.Context, l look) {
	t.Helper()
	want, _ := json.Marshal(map[string]any{"title": l.title, "visible": l.visible, "labelled": l.labelled})
	problems, err := chromedp.Run(tab, chromedp.Evaluate[[]string](fmt.Sprintf(lookScript, want)))
	if err != nil {
		t.Fatalf("inspecting the page: %v", err)
	}
	if len(problems) > 0 {
		t.Errorf("page %q: %s; page:\n%s", l.title, strings.Join(problems, "; "), pageText(t, tab))
	}
}

// backgroundColor returns the computed background colour of the page.
func backgroundColor(t *testing.T, tab context.Context) string {
	t.Helper()
	c, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setColorScheme emulates prefers-color-scheme: "dark", "light", or ""
// for the browser's own.
func setColorScheme(t *testing.T, tab context.Context, scheme string) {
	t.Helper()
	var features []*emulation.MediaFeature
	if scheme != "" {
		features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features}); err != nil {
		t.Fatalf("emulating the %q colour scheme: %v", scheme, err)
	}
}
