package security_test

import (
	"bufio"
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// soakDuration is how long TestSoak loads the API: FIEF_SOAK (a Go
// duration) or 3 seconds.
func soakDuration(t *testing.T) time.Duration {
	v := os.Getenv("FIEF_SOAK")
	if v == "" {
		return 3 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("FIEF_SOAK=%q is not a positive duration", v)
	}
	return d
}

// apiRoutes is the route table of examples/api (package main, which a test
// cannot import), built the same way: fiefhttp.New with the Bearer header
// getter, five routes answering the token info as JSON.
func apiRoutes(auth *fiefhttp.Auth) http.Handler {
	info := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		i, ok := fiefhttp.AccessTokenInfoFrom(r.Context())
		if !ok {
			io.WriteString(w, "{}\n")
			return
		}
		json.NewEncoder(w).Encode(i)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /authenticated", auth.Authenticated()(info))
	mux.Handle("GET /authenticated-scope", auth.Authenticated(fiefhttp.Scopes("openid", "required_scope"))(info))
	mux.Handle("GET /authenticated-permissions", auth.Authenticated(fiefhttp.Permissions(userPermission))(info))
	mux.Handle("GET /authenticated-acr", auth.Authenticated(fiefhttp.MinACR(fief.ACRLevel1))(info))
	mux.Handle("GET /authenticated-optional", auth.Authenticated(fiefhttp.Optional())(info))
	return mux
}

var soakRoutes = []string{"/authenticated", "/authenticated-scope", "/authenticated-permissions", "/authenticated-acr", "/authenticated-optional"}

// soakToken is a token of the load with the answer each route owes it.
type soakToken struct {
	kind  string
	token string // "" for no token
	user  string // the user ID of a valid token, "" otherwise
	// status by route; 0 means "200 with the token's user", and for the
	// optional route an invalid token is served anonymously ("{}").
	status map[string]int
}

// soakTokens returns the mix: valid tokens of two users with three grant
// shapes, expired, forged and absent tokens.
func soakTokens(t *testing.T, e *env, other *fieftest.User, randomKIDs *atomic.Int64) func(r *rand.Rand) soakToken {
	forb := http.StatusForbidden
	var valid []soakToken
	for _, u := range []*fieftest.User{e.user, other} {
		for _, shape := range []struct {
			kind   string
			o      fieftest.TokenOptions
			status map[string]int
		}{
			{"valid, openid", fieftest.TokenOptions{Permissions: []string{}}, map[string]int{"/authenticated-scope": forb, "/authenticated-permissions": forb, "/authenticated-acr": forb}},
			{"valid, all requirements", fieftest.TokenOptions{Scopes: []string{"openid", "required_scope"}, ACR: "1", Permissions: []string{userPermission}}, map[string]int{}},
			{"valid, ACR 0", fieftest.TokenOptions{Scopes: []string{"openid", "required_scope"}, Permissions: []string{userPermission}}, map[string]int{"/authenticated-acr": forb}},
		} {
			for i := range 5 { // distinct lifetimes, distinct tokens
				o := shape.o
				o.Lifetime = time.Duration(20+i) * time.Hour
				valid = append(valid, soakToken{kind: shape.kind, token: e.srv.MintAccessToken(u.ID, o), user: u.ID, status: shape.status})
			}
		}
	}
	unauthorized := func(kind, tok string) soakToken {
		st := map[string]int{}
		for _, r := range soakRoutes {
			st[r] = http.StatusUnauthorized
		}
		delete(st, "/authenticated-optional") // served anonymously
		return soakToken{kind: kind, token: tok, status: st}
	}
	genuine := e.token(fieftest.TokenOptions{})
	p := segments(genuine)
	jwk := e.tenantJWK(t)
	bad := []soakToken{
		unauthorized("expired", e.token(fieftest.TokenOptions{Lifetime: -5 * time.Minute})),
		unauthorized("alg none", b64([]byte(`{"alg":"none"}`))+"."+p[1]+"."),
		unauthorized("HS256 with the public key", forge(t, map[string]any{"alg": "HS256", "kid": jwk.KeyID}, decodeSegment(t, p[1]), hmacSigner(hmacAlgs[0].h, publicKeyForms(t, jwk)["JWK n"]))),
		unauthorized("payload modified", resigned(nil, set("sub", other.ID))(t, e)),
		unauthorized("another key under the tenant's kid", forge(t, map[string]any{"alg": "RS256", "kid": jwk.KeyID}, decodeSegment(t, p[1]), rsaPKCS1(keys(t).attacker, crypto.SHA256))),
		unauthorized("garbage", "abc.def.ghi"),
		unauthorized("over MaxTokenSize", p[0]+"."+strings.Repeat("A", fief.MaxTokenSize)+"."+p[2]),
		unauthorized("no token", ""),
	}
	return func(r *rand.Rand) soakToken {
		switch n := r.IntN(10); {
		case n < 6:
			return valid[r.IntN(len(valid))]
		case n < 9:
			return bad[r.IntN(len(bad))]
		default:
			randomKIDs.Add(1)
			return unauthorized("random kid", randomKIDToken(t))
		}
	}
}

// soakStats are the figures of a soak.
type soakStats struct {
	requests, wrong int64
	byKind          map[string]int64
	latencies       []time.Duration
	firstWrong      string
}

func (s *soakStats) percentile(p float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	return s.latencies[int(float64(len(s.latencies)-1)*p)]
}

// runLoad sends requests from workers goroutines to base for d, each with
// a random route and token, and checks every answer.
func runLoad(t *testing.T, base string, hc *http.Client, d time.Duration, workers int, pick func(*rand.Rand) soakToken) *soakStats {
	t.Helper()
	stats := &soakStats{byKind: map[string]int64{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			var lat []time.Duration
			kinds := map[string]int64{}
			var n, wrong int64
			var firstWrong string
			for time.Now().Before(deadline) {
				tok := pick(rng)
				route := soakRoutes[rng.IntN(len(soakRoutes))]
				start := time.Now()
				status, body, err := soakGet(hc, base+route, tok.token)
				lat = append(lat, time.Since(start))
				n++
				kinds[tok.kind]++
				if msg := checkAnswer(tok, route, status, body, err); msg != "" {
					wrong++
					if firstWrong == "" {
						firstWrong = fmt.Sprintf("%s on %s: %s", tok.kind, route, msg)
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			stats.requests += n
			stats.wrong += wrong
			stats.latencies = append(stats.latencies, lat...)
			for k, v := range kinds {
				stats.byKind[k] += v
			}
			if stats.firstWrong == "" {
				stats.firstWrong = firstWrong
			}
		}()
	}
	wg.Wait()
	slices.Sort(stats.latencies)
	return stats
}

func soakGet(hc *http.Client, u, token string) (int, []byte, error) {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// checkAnswer returns what is wrong with an answer, or "".
func checkAnswer(tok soakToken, route string, status int, body []byte, err error) string {
	if err != nil {
		return err.Error()
	}
	want := tok.status[route]
	switch {
	case want != 0:
		if status != want {
			return fmt.Sprintf("status %d, want %d", status, want)
		}
		return ""
	case status != http.StatusOK:
		return fmt.Sprintf("status %d, want 200", status)
	case tok.user == "": // anonymous on the optional route
		if strings.TrimSpace(string(body)) != "{}" {
			return fmt.Sprintf("anonymous answer %q", body)
		}
		return ""
	}
	var info struct {
		ID          string `json:"id"`
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &info) != nil || info.ID != tok.user || info.AccessToken != tok.token {
		return fmt.Sprintf("answer for another user or token: %.80s", body)
	}
	return ""
}

// TestSoak loads the examples/api route table over loopback with 16
// concurrent clients mixing valid, expired, forged and absent tokens: every
// answer must be right, the key set must be fetched at most once per
// cool-down, and goroutines and heap must come back to their baseline.
// FIEF_SOAK sets the duration (3s by default).
func TestSoak(t *testing.T) {
	d := soakDuration(t)
	e := newEnv(t)
	other, err := e.srv.AddUser(fieftest.UserConfig{Email: "claude@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	fiefTransport := http.DefaultTransport.(*http.Transport).Clone()
	client := e.newClient(t, func(c *fief.Config) { c.HTTPClient = &http.Client{Transport: fiefTransport, Timeout: 10 * time.Second} })
	app := httptest.NewServer(apiRoutes(fiefhttp.New(client, fiefhttp.Config{TokenGetter: fiefhttp.AuthorizationHeader("Bearer")})))
	t.Cleanup(app.Close)
	var randomKIDs atomic.Int64
	pick := soakTokens(t, e, other, &randomKIDs)
	const workers = 16
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	// Warm up (discovery, keys, token cache), then take the baseline.
	if s := runLoad(t, app.URL, hc, 200*time.Millisecond, workers, pick); s.wrong != 0 {
		t.Fatalf("warm-up: %d wrong answers, first: %s", s.wrong, s.firstWrong)
	}
	tr.CloseIdleConnections()
	fiefTransport.CloseIdleConnections()
	baseG := settledGoroutines()
	baseHeap := heapInUse()
	jwks0 := e.srv.RequestCount(fieftest.EndpointJWKS)
	randomKIDs.Store(0)

	start := time.Now()
	s := runLoad(t, app.URL, hc, d, workers, pick)
	elapsed := time.Since(start)
	jwks := e.srv.RequestCount(fieftest.EndpointJWKS) - jwks0
	tr.CloseIdleConnections()
	fiefTransport.CloseIdleConnections()

	p50, p99, pmax := s.percentile(0.5), s.percentile(0.99), s.percentile(1)
	s.latencies = nil // not to count them in the heap

	var afterG int
	if !waitFor(5*time.Second, func() bool { afterG = runtime.NumGoroutine(); return afterG <= baseG }) {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the soak, baseline %d:\n%s", afterG, baseG, buf[:runtime.Stack(buf, true)])
	}
	afterHeap := checkHeap(t, baseHeap, 1<<20)
	t.Logf("soak %v: %d requests (%.0f/s) from %d clients, %d wrong; p50 %v, p99 %v, max %v",
		elapsed.Round(time.Millisecond), s.requests, float64(s.requests)/elapsed.Seconds(), workers, s.wrong,
		p50, p99, pmax)
	t.Logf("mix: %v", s.byKind)
	t.Logf("JWKS requests: %d for %d random-kid tokens (cool-down %v); goroutines %d -> %d; live heap %d KiB -> %d KiB",
		jwks, randomKIDs.Load(), fief.DefaultJWKSRefreshCooldown, baseG, afterG, baseHeap>>10, afterHeap>>10)
	if s.wrong != 0 {
		t.Errorf("%d wrong answers, first: %s", s.wrong, s.firstWrong)
	}
	if s.requests < 100 {
		t.Errorf("only %d requests in %v", s.requests, elapsed)
	}
	if maxFetches := int(elapsed/fief.DefaultJWKSRefreshCooldown) + 1; jwks > maxFetches {
		t.Errorf("%d JWKS requests in %v, want at most one per cool-down (%d)", jwks, elapsed, maxFetches)
	}
}

// TestSoakExampleBinary runs the same load against the real examples/api
// program, built (with the go command) and started against the test's
// fieftest server, for FIEF_SOAK (3s by default). The process is another
// one: its goroutines and heap are not measured (TestSoak does that for the
// same route table); its resident memory is reported.
func TestSoakExampleBinary(t *testing.T) {
	d := soakDuration(t)
	e := newEnv(t)
	other, err := e.srv.AddUser(fieftest.UserConfig{Email: "claude@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "api")
	build := exec.Command("go", "build", "-o", bin, "./examples/api")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/api: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "FIEF_BASE_URL="+e.srv.URL, "FIEF_CLIENT_ID="+e.fc.ClientID, "FIEF_CLIENT_SECRET="+e.fc.ClientSecret)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	var base string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Listening on "); ok {
			base = u
			break
		}
	}
	if base == "" {
		t.Fatal("examples/api did not say where it listens")
	}
	go io.Copy(io.Discard, stdout)

	var randomKIDs atomic.Int64
	pick := soakTokens(t, e, other, &randomKIDs)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}
	runLoad(t, base, hc, 200*time.Millisecond, 16, pick)
	rss0 := procStatus(t, cmd.Process.Pid, "VmRSS")
	jwks0 := e.srv.RequestCount(fieftest.EndpointJWKS)
	start := time.Now()
	s := runLoad(t, base, hc, d, 16, pick)
	elapsed := time.Since(start)
	t.Logf("examples/api soak %v: %d requests (%.0f/s), %d wrong; p50 %v, p99 %v; JWKS requests %d; RSS %s -> %s, threads %s",
		elapsed.Round(time.Millisecond), s.requests, float64(s.requests)/elapsed.Seconds(), s.wrong,
		s.percentile(0.5), s.percentile(0.99), e.srv.RequestCount(fieftest.EndpointJWKS)-jwks0,
		rss0, procStatus(t, cmd.Process.Pid, "VmRSS"), procStatus(t, cmd.Process.Pid, "Threads"))
	if s.wrong != 0 {
		t.Errorf("%d wrong answers, first: %s", s.wrong, s.firstWrong)
	}
}

// procStatus returns a field of /proc/PID/status, "?" if unreadable.
func procStatus(t *testing.T, pid int, field string) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "?"
}
