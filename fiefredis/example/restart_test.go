package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fieftest"
)

// process is one instance of the example, a real process on a fixed
// loopback port, so that it can be killed and started again where Fief's
// webhook points.
type process struct {
	t    *testing.T
	bin  string
	args []string
	env  []string
	url  string

	mu  sync.Mutex
	cmd *exec.Cmd
	out syncBuffer
}

// syncBuffer is the output of a process, written by its pipes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// exampleBinary builds this example into the test's directory.
func exampleBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "example")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startProcess starts an instance on a free port.
func startProcess(t *testing.T, bin string, env []string, redisURL string) *process {
	addr := freeAddr(t)
	p := &process{t: t, bin: bin, args: []string{"-addr", addr, "-redis", redisURL}, env: env, url: "http://" + addr}
	p.start()
	t.Cleanup(p.kill)
	return p
}

// start runs the process and waits until it answers /healthz.
func (p *process) start() {
	p.t.Helper()
	p.mu.Lock()
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = &p.out, &p.out
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		p.t.Fatal(err)
	}
	p.cmd = cmd
	p.mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the instance at %s did not start: %v\n%s", p.url, err, p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill kills the process (SIGKILL: nothing is flushed or handed over) and
// waits for it.
func (p *process) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
	p.cmd = nil
}

// get calls route with token and returns the status.
func (p *process) get(route, token string) int {
	req, _ := http.NewRequest(http.MethodGet, p.url+route, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Errorf("GET %s%s: %v", p.url, route, err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// redis returns what /healthz says of Redis.
func (p *process) redis() string {
	resp, err := http.Get(p.url + "/healthz")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var h map[string]string
	json.NewDecoder(resp.Body).Decode(&h)
	return h["redis"]
}

// TestRevocationSurvivesRestartDuringOutage: three instances of the
// example, real processes sharing a real redis-server; Fief (fieftest, on
// a clock the test advances) sends its webhook to the first one, with
// Fief's retry schedule. Redis is stopped, a permission removed, the
// receiving instance killed and started again, Redis started again (empty):
// at Fief's next retry every instance refuses the old token. The webhook
// must not be answered 2xx while its effect could not be shared, or
// nothing would be retried and the revocation would be lost with the
// instance.
func TestRevocationSurvivesRestartDuringOutage(t *testing.T) {
	rdb := redisserver.Start(t)
	var offset atomic.Int64 // Fief's clock ahead of real time
	fief := fieftest.NewServer()
	t.Cleanup(fief.Close)
	fief.SetClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	client, err := fief.AddClient(fieftest.ClientConfig{ClientID: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "a-webhook-secret-for-the-restart-test"
	env := []string{
		"FIEF_BASE_URL=" + fief.URL,
		"FIEF_CLIENT_ID=" + client.ClientID,
		"FIEF_CLIENT_SECRET=" + client.ClientSecret,
		"FIEF_WEBHOOK_SECRET=" + secret,
		"SHARED_KEYS=" + base64.StdEncoding.EncodeToString([]byte("the-keys-shared-by-the-instances-of-this-test")),
	}
	bin := exampleBinary(t)
	var instances []*process
	for range 3 {
		instances = append(instances, startProcess(t, bin, env, rdb.URL()))
	}
	receiver := instances[0]
	if _, err := fief.AddWebhook(fieftest.WebhookConfig{URL: receiver.url + WebhookPath, Events: WebhookEvents, Secret: secret}); err != nil {
		t.Fatal(err)
	}
	anne, err := fief.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{Permission}})
	if err != nil {
		t.Fatal(err)
	}
	token := fief.MintAccessToken(anne.ID, fieftest.TokenOptions{ClientID: client.ClientID, Scopes: []string{"openid"}, Lifetime: time.Hour})
	for i, p := range instances {
		if got := p.get("/authenticated-permissions", token); got != http.StatusOK {
			t.Fatalf("instance %d answers %d before anything happened\n%s", i, got, p.out.String())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Redis stops; Fief removes the permission and delivers to the
	// receiving instance, which cannot share it.
	rdb.Kill()
	anne.SetPermissions(nil)
	if err := fief.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	attempts := fief.WebhookAttempts()
	first := attempts[len(attempts)-1]
	if first.Type != "user_permission.deleted" || first.OK() {
		t.Errorf("Fief's first attempt of %s got %d: an answer 2xx ends Fief's retries", first.Type, first.StatusCode)
	}

	// The receiving instance dies with what it knew, and starts again;
	// then Redis starts again, empty.
	receiver.kill()
	receiver.start()
	rdb.Restart()
	redisBack := time.Now()
	for i, p := range instances {
		for p.redis() != "ok" {
			if time.Since(redisBack) > 10*time.Second {
				t.Fatalf("instance %d: /healthz says redis %q 10 s after Redis returned", i, p.redis())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// Fief's next attempt falls due (7.5 to 15 s after the first, on its
	// clock): every instance refuses the old token.
	offset.Add(int64(15 * time.Second))
	if err := fief.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	attempts = fief.WebhookAttempts()
	if retry := attempts[len(attempts)-1]; retry.Attempt != 2 || !retry.OK() {
		t.Fatalf("Fief's retry: attempt %d got %d (%s), want attempt 2 answered 2xx", retry.Attempt, retry.StatusCode, retry.Err)
	}
	retried := time.Now()
	for i, p := range instances {
		for p.get("/authenticated-permissions", token) != http.StatusUnauthorized {
			if time.Since(retried) > 5*time.Second {
				t.Fatalf("instance %d still accepts the token 5 s after Fief's retry was answered\n%s", i, p.out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Logf("every instance refuses the token %v after Fief's retry was answered", time.Since(retried))
}
