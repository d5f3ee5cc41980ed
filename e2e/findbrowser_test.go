package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// browserEnv names an explicit browser binary, which wins over the search.
const browserEnv = "FIEF_CHROMIUM"

// browserNames are the commands a Chromium or Chrome install puts on PATH
// (Debian, Ubuntu, Fedora, Arch, Google's packages), in the order tried.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// macBrowsers are the usual macOS locations, outside PATH.
var macBrowsers = []string{
	"/Applications/Chromium.app/Contents/MacOS/Chromium",
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
}

// findBrowser returns the browser the tests drive: $FIEF_CHROMIUM if set,
// else the first Chromium or Chrome on PATH, else (on macOS) one in
// /Applications. The error says what to install.
func findBrowser() (string, error) {
	if p := os.Getenv(browserEnv); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("e2e: %s=%s is not an executable browser: %w", browserEnv, p, err)
		}
		return p, nil
	}
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	if runtime.GOOS == "darwin" {
		for _, p := range macBrowsers {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", errors.New("e2e: no Chromium or Chrome found (looked for " + fmt.Sprint(browserNames) +
		" on PATH and, on macOS, in /Applications): install one (Debian/Ubuntu: apt-get install chromium; " +
		"macOS: brew install --cask chromium), or name it with " + browserEnv + "=/path/to/chrome, " +
		"or set FIEF_E2E=off to turn the browser tests off")
}
