package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// UsageError is a mistake on the command line: [Main] prints it as it is
// and exits with status 2.
type UsageError string

// Error returns the message.
func (e UsageError) Error() string { return string(e) }

// Main is the main function of an example program: it runs run with a
// context cancelled by Ctrl-C or SIGTERM, and exits as [Exit] says.
func Main(run func(ctx context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Exit(run(ctx), os.Stderr)
	stop()
	os.Exit(code)
}

// Exit returns the exit status of a program whose run returned err, after
// writing err to stderr: 0 for nil, 2 for a [UsageError] (written as it
// is), 1 for any other error (written after "error: ").
func Exit(err error, stderr io.Writer) int {
	var ue UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, err)
		return 2
	default:
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
}

// System is what a command program takes from the outside world, so that
// its tests can give it another environment, other outputs and a browser.
type System struct {
	Getenv func(string) string
	Stdout io.Writer
	// Stderr receives the sign-in progress (and, for some, the usage).
	Stderr io.Writer
	// OpenBrowser opens a URL; nil means the system browser.
	OpenBrowser func(url string) error
}

// OS is the process's own [System]: its environment, standard outputs and
// the system browser.
func OS() System { return System{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr} }
