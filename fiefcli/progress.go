package fiefcli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// spinnerInterval is the frame interval of the waiting animation.
const spinnerInterval = 120 * time.Millisecond

var spinnerFrames = []byte(`|/-\`)

// progress shows that Authorize is waiting: on a terminal, a line that
// redraws itself with a spinner and the time left; elsewhere, one line.
type progress struct {
	w        io.Writer
	stopOnce sync.Once
	stopc    chan struct{}
	done     chan struct{}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// startProgress shows the waiting message on w, animated when tty is true.
func startProgress(w io.Writer, timeout time.Duration, tty bool) *progress {
	p := &progress{w: w, stopc: make(chan struct{}), done: make(chan struct{})}
	if !tty {
		fmt.Fprintf(w, "Waiting for the sign-in in the browser (up to %s)...\n", timeout)
		close(p.done)
		return p
	}
	deadline := time.Now().Add(timeout)
	go p.spin(deadline)
	return p
}

func (p *progress) spin(deadline time.Time) {
	defer close(p.done)
	t := time.NewTicker(spinnerInterval)
	defer t.Stop()
	width := 0
	for i := 0; ; i++ {
		left := time.Until(deadline).Round(time.Second)
		if left < 0 {
			left = 0
		}
		line := fmt.Sprintf("%c Waiting for the sign-in in the browser (%s left, Ctrl+C to cancel)", spinnerFrames[i%len(spinnerFrames)], left)
		fmt.Fprintf(p.w, "\r%-*s", width, line)
		width = len(line)
		select {
		case <-t.C:
		case <-p.stopc:
			fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", width))
			return
		}
	}
}

// stop ends the animation, erasing its line, and returns when it is gone.
func (p *progress) stop() {
	p.stopOnce.Do(func() { close(p.stopc) })
	<-p.done
}
