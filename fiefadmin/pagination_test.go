package fiefadmin_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
)

// userPages serves /admin/api/users/ over n users the way Fief pages:
// limit defaults to 10 and is capped at 100, count is counted over the
// served page (0 past the end). It records the query of every request.
type userPages struct {
	mu        sync.Mutex
	users     []map[string]any
	queries   []map[string]string
	fakeTotal int // when not 0, the count it claims
	failFrom  int // when not 0, the request number from which every answer is 500
}

func newUserPages(n int) *userPages {
	p := &userPages{}
	base := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := range n {
		p.users = append(p.users, map[string]any{
			"id":         fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1),
			"created_at": base.Add(time.Duration(i) * time.Second),
			"updated_at": base,
			"email":      fmt.Sprintf("user%03d@example.com", i),
			"tenant_id":  "20fdf797-36d9-47b7-bb7c-2e323f823c1f",
			"fields":     map[string]any{},
		})
	}
	return p
}

func (p *userPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := r.URL.Query()
	p.queries = append(p.queries, map[string]string{"limit": q.Get("limit"), "skip": q.Get("skip"), "ordering": q.Get("ordering")})
	if p.failFrom != 0 && len(p.queries) >= p.failFrom {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	limit, skip := 10, 0
	if q.Has("limit") {
		limit, _ = strconv.Atoi(q.Get("limit"))
	}
	if q.Has("skip") {
		skip, _ = strconv.Atoi(q.Get("skip"))
	}
	limit = min(limit, 100)
	results := []map[string]any{}
	if skip < len(p.users) {
		results = p.users[skip:min(skip+limit, len(p.users))]
	}
	count := 0
	if len(results) > 0 {
		count = len(p.users)
		if p.fakeTotal != 0 {
			count = p.fakeTotal
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"count": count, "results": results})
}

func (p *userPages) requests() []map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]string(nil), p.queries...)
}

func pagesClient(t *testing.T, h http.Handler) *fiefadmin.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := fiefadmin.New(fiefadmin.Config{ServerURL: srv.URL, APIKey: "key", Retry: fiefadmin.RetryPolicy{MinDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestListWalksEveryPage(t *testing.T) {
	const n = 250
	for _, tc := range []struct {
		name            string
		limit           int
		wantLimit       string // sent on every request
		wantRequests    int
		wantPageResults int // results per full page served
	}{
		{"pages of 7", 7, "7", 36, 7},
		{"default size", 0, "100", 3, 100},
		{"size 100", 100, "100", 3, 100},
		{"size above Fief's cap", 500, "500", 3, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pages := newUserPages(n)
			c := pagesClient(t, pages)
			seen := map[fiefadmin.UUID]int{}
			for u, err := range c.Users.List(context.Background(), &fiefadmin.UserListOptions{ListOptions: fiefadmin.ListOptions{Limit: tc.limit}}) {
				if err != nil {
					t.Fatal(err)
				}
				seen[u.ID]++
			}
			if len(seen) != n {
				t.Errorf("%d distinct users, want %d", len(seen), n)
			}
			for id, k := range seen {
				if k != 1 {
					t.Errorf("user %s seen %d times", id, k)
				}
			}
			reqs := pages.requests()
			if len(reqs) != tc.wantRequests {
				t.Errorf("%d requests, want %d", len(reqs), tc.wantRequests)
			}
			for i, q := range reqs {
				want := map[string]string{"limit": tc.wantLimit, "skip": strconv.Itoa(i * tc.wantPageResults), "ordering": fiefadmin.DefaultOrdering}
				if fmt.Sprint(q) != fmt.Sprint(want) {
					t.Errorf("request %d: %v, want %v", i, q, want)
				}
			}
		})
	}
}

func TestListEarlyExitStopsFetching(t *testing.T) {
	pages := newUserPages(250)
	c := pagesClient(t, pages)
	got := 0
	for _, err := range c.Users.List(context.Background(), &fiefadmin.UserListOptions{ListOptions: fiefadmin.ListOptions{Limit: 100}}) {
		if err != nil {
			t.Fatal(err)
		}
		got++
		if got == 150 {
			break
		}
	}
	if n := len(pages.requests()); n != 2 {
		t.Errorf("%d requests after stopping at the 150th user, want 2", n)
	}
}

func TestListStopsOnEmptyPage(t *testing.T) {
	// A count larger than the users served: the walk ends on the first
	// empty page, not on the count.
	pages := newUserPages(250)
	pages.fakeTotal = 1000
	c := pagesClient(t, pages)
	got := 0
	for _, err := range c.Users.List(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		got++
	}
	reqs := pages.requests()
	if got != 250 || len(reqs) != 4 || reqs[3]["skip"] != "250" {
		t.Errorf("%d users in %d requests (%v), want 250 in 4, the last at skip 250", got, len(reqs), reqs)
	}
}

func TestListStartsAtSkipWithOrdering(t *testing.T) {
	pages := newUserPages(250)
	c := pagesClient(t, pages)
	var first fiefadmin.User
	got := 0
	for u, err := range c.Users.List(context.Background(), &fiefadmin.UserListOptions{ListOptions: fiefadmin.ListOptions{Skip: 240, Ordering: "-email"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if got == 0 {
			first = u
		}
		got++
	}
	reqs := pages.requests()
	if got != 10 || first.Email != "user240@example.com" || len(reqs) != 1 || reqs[0]["ordering"] != "-email" || reqs[0]["skip"] != "240" {
		t.Errorf("got %d users from %s with requests %v", got, first.Email, reqs)
	}
}

func TestListError(t *testing.T) {
	pages := newUserPages(250)
	pages.failFrom = 2
	c := pagesClient(t, pages)
	got, errs := 0, 0
	for _, err := range c.Users.List(context.Background(), nil) {
		if err != nil {
			errs++
			if !errors.Is(err, fief.ErrUnavailable) {
				t.Errorf("error %v is not fief.ErrUnavailable", err)
			}
			continue
		}
		got++
	}
	// The failing page is tried DefaultRetryAttempts times.
	if want := 1 + fiefadmin.DefaultRetryAttempts; got != 100 || errs != 1 || len(pages.requests()) != want {
		t.Errorf("%d users, %d errors, %d requests; want 100, 1, %d", got, errs, len(pages.requests()), want)
	}

	for _, o := range []fiefadmin.ListOptions{{Limit: -1}, {Skip: -5}} {
		pages := newUserPages(1)
		c := pagesClient(t, pages)
		for _, err := range c.Users.List(context.Background(), &fiefadmin.UserListOptions{ListOptions: o}) {
			if err == nil {
				t.Errorf("%+v: no error", o)
			}
		}
		if len(pages.requests()) != 0 {
			t.Errorf("%+v: a request was sent", o)
		}
	}
}
