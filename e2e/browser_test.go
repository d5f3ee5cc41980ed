package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// browserStartTimeout bounds the browser's start; testTimeout bounds each
// test's browsing.
const (
	browserStartTimeout = 60 * time.Second
	testTimeout         = 2 * time.Minute
)

// startBrowser starts headless Chromium with a fresh profile in dir and
// returns a chromedp context of its first tab, and a func that closes it.
func startBrowser(ctx context.Context, dir string) (context.Context, func() error, error) {
	chromiumPath, err := findBrowser()
	if err != nil {
		return nil, nil, err
	}
	out := new(syncBuffer)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // the tests may run as root, in a container
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Containers often have a small /dev/shm, which crashes Chromium.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(dir, "chromium-profile")),
		chromedp.CombinedOutput(out),
	)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	stop := func() error {
		cancelBrowser()
		cancelAlloc()
		return nil
	}
	// The first Do starts the browser and ties it to browser's life: it
	// cannot take a deadline of its own, so the wait is bounded here.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browser) }()
	select {
	case err := <-started:
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("e2e: starting %s: %w\nbrowser output:\n%s", chromiumPath, err, tail(out.String(), 4000))
		}
	case <-time.After(browserStartTimeout):
		stop()
		return nil, nil, fmt.Errorf("e2e: %s did not start within %v\nbrowser output:\n%s", chromiumPath, browserStartTimeout, tail(out.String(), 4000))
	}
	return browser, stop, nil
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
