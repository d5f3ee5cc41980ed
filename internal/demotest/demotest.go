// Package demotest helps test the example programs: it runs their run
// function on a free port and re-runs the test binary as the program to
// check exit codes. Pages are driven with internal/browsertest.
package demotest

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Ready is the last line the example servers print before serving.
const Ready = "Press Ctrl-C to stop."

// RunFunc is the signature of the examples' run functions.
type RunFunc func(ctx context.Context, args []string, stdout io.Writer) error

// Start calls run in a goroutine with "-addr localhost:0" and args, waits
// for its "Listening on URL" line and then its [Ready] line, and
// returns the URL and a function
// returning the output so far. At the end of the test, run's context is
// canceled and run must return nil.
func Start(t *testing.T, run RunFunc, args ...string) (appURL string, output func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var (
		mu  sync.Mutex
		out strings.Builder
	)
	urls := make(chan string, 1)
	var appURLSeen string
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			out.WriteString(line + "\n")
			mu.Unlock()
			if u, ok := strings.CutPrefix(line, "Listening on "); ok {
				appURLSeen = u
			}
			if line == Ready {
				urls <- appURLSeen
			}
		}
		io.Copy(io.Discard, pr)
	}()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-addr", "localhost:0"}, args...), pw)
		pw.Close()
		done <- err
	}()
	output = func() string {
		mu.Lock()
		defer mu.Unlock()
		return out.String()
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run returned %v after cancel", err)
		}
	})
	select {
	case appURL = <-urls:
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("run returned %v before listening; output:\n%s", err, output())
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not print its URL; output:\n%s", output())
	}
	return appURL, output
}

// MainEnv is the variable that makes the test binary run main instead of the
// tests; see [MaybeRunMain].
const MainEnv = "DEMOTEST_RUN_MAIN"

// MaybeRunMain runs main and exits if the process was started by
// [RunMain]. Call it first in TestMain.
func MaybeRunMain(main func()) {
	if os.Getenv(MainEnv) == "1" {
		main()
		os.Exit(0)
	}
}

// RunMain runs the test binary as the program, with args and the extra
// environment variables env, and returns its stdout, stderr and exit code.
func RunMain(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(append(os.Environ(), MainEnv+"=1"), env...)
	var so, se strings.Builder
	cmd.Stdout, cmd.Stderr = &so, &se
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return so.String(), se.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return so.String(), se.String(), 0
}

// CheckNoFiefNoDemo runs the test binary as the program (see [RunMain])
// with args, without FIEF_BASE_URL and without -demo: it must exit with
// status 1 before starting anything, with a message naming FIEF_BASE_URL
// and -demo on stderr.
func CheckNoFiefNoDemo(t *testing.T, args ...string) {
	t.Helper()
	stdout, stderr, code := RunMain(t, []string{"FIEF_BASE_URL="}, args...)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, want := range []string{"FIEF_BASE_URL is not set", "-demo"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout+stderr, "Demo Fief") || strings.Contains(stdout, "Listening") {
		t.Errorf("started anyway:\n%s%s", stdout, stderr)
	}
}
