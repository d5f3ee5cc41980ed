package fiefcli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// browserLaunchWait is how long openSystemBrowser waits for the opener to
// report a failure. Openers return at once when they hand the URL to a
// running browser; some keep running while they start one, which counts as
// success.
const browserLaunchWait = 3 * time.Second

// openSystemBrowser opens url with the system's URL opener. The URL is
// passed as an argument, never through a shell.
func openSystemBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		// Without a display, xdg-open falls back to text browsers, which
		// would fight with this program for the terminal.
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)")
		}
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t := time.NewTimer(browserLaunchWait)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", cmd.Args[0], err)
		}
		return nil
	case <-t.C:
		return nil // still starting the browser; Wait reaps it later
	}
}
