// Package e2e holds the browser tests of fief-go: they build the web
// example (examples/web), run it with its embedded fieftest server, and
// drive it with a real headless Chromium through the Chrome DevTools
// Protocol (github.com/chromedp/chromedp), as a user would: open
// /protected, sign in on Fief's login form, read the page, sign out.
//
// It is a separate module so that chromedp stays out of the dependency list
// of github.com/fief-dev/fief-go; go.mod replaces that module by the
// checkout around it. Run the tests from this directory:
//
//	go test -count=1 ./...
//
// -count=1 matters: the tests build examples/web with "go build", a change
// that Go's test cache does not see, so a cached "ok" may be stale.
//
// TestPagesLook also checks that each page the demo shows (home, Fief's
// login form, the protected page, a sign-in error page) has its key text
// and controls on screen, in the light and the dark scheme, and saves a
// screenshot of each: in the directory named by FIEF_E2E_SCREENSHOTS, or
// else in a new temporary directory, which the test logs (run with -v to
// see it) and leaves for you to look at.
//
// The tests need Chromium or Chrome: the one named by FIEF_CHROMIUM, else the
// first of chromium, chromium-browser, google-chrome, google-chrome-stable
// and chrome on PATH, else (macOS) the usual place in /Applications. Without
// one they fail, saying what to install: a missing
// browser must not pass unnoticed. To run the rest of a test suite on a
// machine without a browser, set FIEF_E2E=off explicitly; the tests then
// report themselves as skipped.
package e2e
