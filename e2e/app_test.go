package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// exampleImportPath is the program under test.
const exampleImportPath = "github.com/fief-dev/fief-go/examples/web"

// appStartTimeout bounds the wait for examples/web to answer HTTP.
const appStartTimeout = 60 * time.Second

// app is a running examples/web process.
type app struct {
	URL  string // "http://localhost:PORT", no trailing slash
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // the process's exit error, once done is closed
}

// buildExample builds examples/web into dir, in the root module (the
// checkout around this one) exactly as "go build ./examples/web" there
// would, and returns the binary's path.
func buildExample(ctx context.Context, dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("e2e: the go command is needed to build %s: %w", exampleImportPath, err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "web")
	// -buildvcs=false: the build needs no git, whatever the checkout.
	cmd := exec.CommandContext(ctx, goBin, "build", "-buildvcs=false", "-o", bin, exampleImportPath)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("e2e: go build %s in %s: %w\n%s", exampleImportPath, root, err, out)
	}
	return bin, nil
}

// startApp runs the example binary on a free localhost port and waits until
// it answers HTTP. A port taken between the choice and the start makes the
// program exit; startApp then tries another port, three times at most.
func startApp(ctx context.Context, bin string) (*app, error) {
	var errs []error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		a, err := launch(bin, net.JoinHostPort("localhost", strconv.Itoa(port)))
		if err != nil {
			return nil, err
		}
		err = a.waitReady(ctx, appStartTimeout)
		if err == nil {
			return a, nil
		}
		a.stop()
		errs = append(errs, fmt.Errorf("%w\noutput:\n%s", err, a.output()))
		if !a.exited() {
			break // not a port clash: do not try again
		}
	}
	return nil, fmt.Errorf("e2e: starting examples/web: %w", errors.Join(errs...))
}

// freePort returns a TCP port of localhost that nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		return 0, fmt.Errorf("e2e: finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// launch starts bin with -demo and -addr addr, and no FIEF_BASE_URL, so
// that it runs on its embedded demo Fief.
func launch(bin, addr string) (*app, error) {
	out := new(syncBuffer)
	cmd := exec.Command(bin, "-demo", "-addr", addr)
	cmd.Env = withoutFiefEnv(os.Environ())
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("e2e: starting %s: %w", bin, err)
	}
	a := &app{URL: "http://" + addr, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		a.err = cmd.Wait()
		close(a.done)
	}()
	return a, nil
}

// withoutFiefEnv drops the FIEF_* variables that would point the example at
// a real Fief.
func withoutFiefEnv(environ []string) []string {
	var kept []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "FIEF_BASE_URL", "FIEF_CLIENT_ID", "FIEF_CLIENT_SECRET", "FIEF_ENCRYPTION_KEY":
			continue
		}
		kept = append(kept, kv)
	}
	return kept
}

// waitReady polls the application's home page until it answers (any HTTP
// status), the process exits, or timeout passes.
func (a *app) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL+"/", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		lastErr = err
		select {
		case <-a.done:
			return fmt.Errorf("examples/web exited before answering: %v", a.err)
		case <-ctx.Done():
			return fmt.Errorf("examples/web did not answer at %s within %v: %v", a.URL, timeout, lastErr)
		case <-tick.C:
		}
	}
}

// exited reports whether the process has ended.
func (a *app) exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// stop interrupts the process, as Ctrl-C would, and kills it if it has not
// exited after ten seconds.
func (a *app) stop() error {
	if a.exited() {
		return nil
	}
	a.cmd.Process.Signal(os.Interrupt)
	select {
	case <-a.done:
		return nil
	case <-time.After(10 * time.Second):
		a.cmd.Process.Kill()
		<-a.done
		return fmt.Errorf("e2e: examples/web ignored the interrupt and was killed")
	}
}

// output returns what the process has printed so far.
func (a *app) output() string {
	if a == nil {
		return "(not started)"
	}
	return a.out.String()
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
