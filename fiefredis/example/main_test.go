package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
)

var curlLine = regexp.MustCompile(`curl -H 'Authorization: Bearer ([^']+)' (\S+)/authenticated-permissions`)

// TestRunDemo runs the program as a user would, with -demo and a Redis:
// the printed command works, and /healthz reports Redis.
func TestRunDemo(t *testing.T) {
	rs := redisserver.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-demo", "-addr", "127.0.0.1:0", "-redis", rs.URL()}, pw, func(string) string { return "" })
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if sc.Text() == "Press Ctrl-C to stop." {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	m := curlLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no curl command in the output:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Its webhook is registered at "+m[2]+WebhookPath) {
		t.Fatalf("the embedded Fief's webhook is not announced:\n%s", out.String())
	}
	c := &http.Client{Timeout: 5 * time.Second}
	req, _ := http.NewRequest(http.MethodGet, m[2]+"/authenticated-permissions", nil)
	req.Header.Set("Authorization", "Bearer "+m[1])
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the printed command answers %d", resp.StatusCode)
	}
	resp, err = c.Get(m[2] + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"redis":"ok"`) {
		t.Fatalf("/healthz: %s", b)
	}
}

func TestRunRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-demo", "extra"}, {"-demo", "-redis", "not a url"}} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, func(string) string { return "" })
		if err == nil {
			t.Errorf("run %q succeeded", args)
		}
	}
	env := map[string]string{"FIEF_BASE_URL": "http://fief.invalid", "FIEF_CLIENT_ID": "x"}
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, io.Discard, func(k string) string { return env[k] }); err != errNoSecret {
		t.Errorf("without FIEF_WEBHOOK_SECRET: %v", err)
	}
	env["FIEF_WEBHOOK_SECRET"] = "s"
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-redis", "redis://127.0.0.1:1/0"}, io.Discard, func(k string) string { return env[k] }); err != errNoSharedKeys {
		t.Errorf("with -redis, without SHARED_KEYS: %v, want %v", err, errNoSharedKeys)
	}
	env["SHARED_KEYS"] = "c2hvcnQ=" // "short"
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-redis", "redis://127.0.0.1:1/0"}, io.Discard, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "Keys[0]: has 5 bytes") {
		t.Errorf("with a short SHARED_KEYS: %v, want the key's length named", err)
	}
	// Without FIEF_BASE_URL and without -demo: a clear stop.
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, io.Discard, func(string) string { return "" }); err != errNoFief {
		t.Errorf("without FIEF_BASE_URL nor -demo: %v, want %v", err, errNoFief)
	}
}

// TestRunReportsRedisDown: started with a Redis that does not answer, the
// program serves anyway and its startup check says so, with the fix.
func TestRunReportsRedisDown(t *testing.T) {
	rs := redisserver.Start(t)
	url := rs.URL()
	rs.Kill()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-demo", "-addr", "127.0.0.1:0", "-redis", url}, pw, func(string) string { return "" })
		pw.Close()
		done <- err
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if sc.Text() == "Press Ctrl-C to stop." {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "redis") || !strings.Contains(out.String(), "check the Redis URL") {
		t.Fatalf("the startup output does not report Redis down:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Press Ctrl-C to stop.") {
		t.Fatalf("the program did not start:\n%s", out.String())
	}
}
