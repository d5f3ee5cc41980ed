package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
)

// The demo user of examples/web's embedded Fief.
const (
	demoEmail    = "anne@bretagne.duchy"
	demoPassword = "herminetincture"
)

// suite is what TestMain starts once for all the tests: the web example and
// a browser. Each test opens its own browser context (a separate cookie
// jar), so the tests do not see each other's sessions.
type suite struct {
	app     *app
	browser context.Context // a chromedp context whose browser runs
	// skip is non-empty when the tests are turned off (FIEF_E2E=off).
	skip string
	// err is why the suite could not start; every test fails with it.
	err error
}

// env is set by TestMain before any test runs, and only read after.
var env suite

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv("FIEF_E2E") == "off" {
		env.skip = "FIEF_E2E=off: browser tests not run"
		return m.Run()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	closeAll, err := startSuite(ctx, &env)
	env.err = err
	code := m.Run()
	if err := closeAll(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: teardown:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// startSuite checks for Chromium, builds and starts examples/web, and
// starts the browser, filling s. The returned func stops what was started,
// also when err is not nil.
func startSuite(ctx context.Context, s *suite) (closeAll func() error, err error) {
	var closers []func() error
	closeAll = func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		return errors.Join(errs...)
	}
	if _, err := findBrowser(); err != nil {
		return closeAll, err
	}
	dir, err := os.MkdirTemp("", "fief-e2e-")
	if err != nil {
		return closeAll, err
	}
	closers = append(closers, func() error { return os.RemoveAll(dir) })

	bin, err := buildExample(ctx, dir)
	if err != nil {
		return closeAll, err
	}
	a, err := startApp(ctx, bin)
	if err != nil {
		return closeAll, err
	}
	closers = append(closers, a.stop)
	s.app = a

	browser, stopBrowser, err := startBrowser(ctx, dir)
	if err != nil {
		return closeAll, err
	}
	closers = append(closers, stopBrowser)
	s.browser = browser
	return closeAll, nil
}

// setup returns the suite for t, failing t if the suite could not start and
// skipping it if the tests are turned off. On failure, t's log gets the
// output of examples/web.
func setup(t *testing.T) *suite {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
	if env.err != nil {
		t.Fatal(env.err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output of examples/web so far:\n%s", env.app.output())
		}
	})
	return &env
}
