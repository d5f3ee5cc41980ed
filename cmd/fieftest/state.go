package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
)

// stateFile is the file of -state DIR.
const stateFile = "state.json"

// saveEvery is how often a server with -state writes its state (when it
// changed); it writes it once more when it stops.
const saveEvery = time.Second

// restoreState loads the state of -state DIR into srv, if the directory
// holds one, and reports whether it did. A state that exists but cannot be
// read is an error: starting afresh would silently lose it.
func restoreState(srv *fieftest.Server, dir string, stderr io.Writer) (bool, error) {
	if dir == "" {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("fieftest: -state: %w", err)
	}
	// A directory the state cannot be written to is an error now, not a
	// warning every second while the state goes unsaved.
	probe, err := os.CreateTemp(dir, ".fieftest-probe-*")
	if err != nil {
		return false, fmt.Errorf("fieftest: -state: the state cannot be written: %w", err)
	}
	probe.Close()
	os.Remove(probe.Name())
	path := filepath.Join(dir, stateFile)
	err = srv.LoadStateFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%w (remove %s to start afresh)", err, path)
	}
	fmt.Fprintf(stderr, "fieftest: state restored from %s; -config and the flags that add clients and users are not applied again\n", path)
	return true, nil
}

// keepState writes srv's state to DIR at once, then every saveEvery if it
// changed, while ctx lasts, and returns a function that writes it a last
// time. A crash loses what changed since the last save: at most about
// saveEvery. Failures are reported on stderr: the server keeps serving.
func keepState(ctx context.Context, srv *fieftest.Server, dir string, stderr io.Writer) (final func()) {
	path := filepath.Join(dir, stateFile)
	var last []byte
	save := func() {
		var now bytes.Buffer
		if err := srv.SaveState(&now); err != nil {
			fmt.Fprintln(stderr, err)
			return
		}
		if bytes.Equal(now.Bytes(), last) {
			return
		}
		if err := srv.SaveStateFile(path); err != nil {
			fmt.Fprintln(stderr, err)
			return
		}
		last = now.Bytes()
	}
	save()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(saveEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				save()
			}
		}
	}()
	return func() {
		<-done
		last = nil // whatever happened, write the final state
		save()
	}
}
