// Package redisserver starts a real redis-server for tests: on a free
// loopback port, with no persistence, in a temporary directory, and stopped
// when the test ends. A test can stop, kill and restart it on the same port to
// see what its code does while Redis is away.
package redisserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary is the redis-server the tests run: the first on PATH (Debian's
// package, which .ci/test installs when missing, or Homebrew's), else
// Debian's place.
var Binary = lookPath("redis-server")

// lookPath finds the named program on PATH, else in /usr/bin.
func lookPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return "/usr/bin/" + name
}

// readyTimeout bounds how long Start and Restart wait for the server to answer
// PING.
const readyTimeout = 10 * time.Second

// Server is one redis-server process owned by a test.
type Server struct {
	t    testing.TB
	port int
	dir  string
	// conf, when set, is the configuration file given first, and extra
	// the options after the common ones: a cluster node's, a replica's, a
	// sentinel's.
	conf  string
	extra []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	logs *bytes.Buffer
}

// Start starts a redis-server on a free loopback port and waits until it
// answers PING. It fails the test if it cannot; t.Cleanup kills it.
func Start(t testing.TB) *Server {
	t.Helper()
	return startWith(t, nil, nil)
}

// startWith starts a server whose options are given by conf (a file
// written in the server's directory, its port known, when not nil) and
// extra (likewise).
func startWith(t testing.TB, conf func(port int) string, extra func(port int) []string) *Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Fatalf("redisserver: %s is missing (install Redis: apt-get install redis-server, or brew install redis): %v", Binary, err)
	}
	s := &Server{t: t, dir: t.TempDir()}
	var err error
	for range 5 { // a free port can be taken between the probe and the start
		s.port, err = freePort()
		if err != nil {
			continue
		}
		if conf != nil {
			s.conf = filepath.Join(s.dir, "redis.conf")
			if err = os.WriteFile(s.conf, []byte(conf(s.port)), 0o600); err != nil {
				break
			}
		}
		if extra != nil {
			s.extra = extra(s.port)
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("redisserver: %v", err)
	}
	t.Cleanup(s.Kill)
	return s
}

// Port is the server's port.
func (s *Server) Port() int { return s.port }

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the server's redis:// URL, for redis.ParseURL.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Stop asks the server to exit (SIGTERM; nothing is saved) and waits until
// it has.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill kills the server (SIGKILL) and waits until it has exited. Clients see
// their connections reset.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

// Running reports whether the server process is running.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// Restart starts the server again on the same port, empty (there is no
// persistence), after stopping it if it runs, and waits until it answers.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	deadline := time.Now().Add(readyTimeout)
	var err error
	for time.Now().Before(deadline) { // the port may linger for a moment
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("redisserver: restart on port %d: %v", s.port, err)
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var args []string
	if s.conf != "" {
		args = append(args, s.conf)
	}
	args = append(args,
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--daemonize", "no",
		"--protected-mode", "yes",
		"--loglevel", "warning",
		"--repl-diskless-sync-delay", "0", // a replica syncs at once
	)
	cmd := exec.Command(Binary, append(args, s.extra...)...)
	logs := new(bytes.Buffer)
	cmd.Stdout = logs
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", Binary, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done, s.logs = cmd, done, logs

	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("redis-server exited at start on port %d: %s", s.port, logs.String())
		default:
		}
		if ping(s.Addr()) == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	<-done
	return fmt.Errorf("redis-server on port %d did not answer PING within %v", s.port, readyTimeout)
}

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(readyTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// ping sends PING over a fresh connection and expects +PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return errors.New("unexpected answer to PING: " + strconv.Quote(line))
	}
	return nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
