package fiefadmin_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefadmin"
)

// lyingPages serves pages of made-up users: page(skip, limit) gives the
// count, the index of the first result and the number of results. It answers 400 after 2,000 requests,
// so that a client that would never stop does.
func lyingPages(t *testing.T, maxPages int, page func(skip, limit int) (count, first, n int)) (*fiefadmin.Client, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) > 2000 {
			http.Error(w, `{"detail":"enough"}`, http.StatusBadRequest)
			return
		}
		skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		count, first, n := page(skip, limit)
		results := []map[string]any{}
		for i := range n {
			id := first + i
			results = append(results, map[string]any{"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", id+1), "email": fmt.Sprintf("u%d@example.com", id), "fields": map[string]any{}})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"count": count, "results": results})
	}))
	t.Cleanup(srv.Close)
	c, err := fiefadmin.New(fiefadmin.Config{ServerURL: srv.URL, APIKey: "key", MaxListPages: maxPages})
	if err != nil {
		t.Fatal(err)
	}
	return c, &requests
}

// walk runs a list to its end, and returns the number of users and the
// last error.
func walk(c *fiefadmin.Client, o *fiefadmin.UserListOptions) (n int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, e := range c.Users.List(ctx, o) {
		if e != nil {
			return n, e
		}
		n++
	}
	return n, nil
}

// TestListAgainstLyingServer: a server whose pages never end makes the
// iterator stop with ErrInconsistentList, after a handful of requests.
func TestListAgainstLyingServer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxPages int
		page     func(skip, limit int) (count, first, n int)
		requests int64
	}{
		// The same first page whatever the skip, and a count never reached.
		{"skip ignored", 0, func(skip, limit int) (int, int, int) { return 1_000_000, 0, limit }, 2},
		// New objects as fast as they are read: the count stays ahead.
		{"count running ahead", 0, func(skip, limit int) (int, int, int) { return skip + limit + 1000, skip, limit }, 2},
		// Pages that look right, for ever.
		{"endless", 25, func(skip, limit int) (int, int, int) { return 1_000_000_000, skip, limit }, 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, requests := lyingPages(t, tc.maxPages, tc.page)
			n, err := walk(c, nil)
			if !errors.Is(err, fiefadmin.ErrInconsistentList) {
				t.Errorf("after %d users and %d requests: %v, want ErrInconsistentList", n, requests.Load(), err)
			}
			if got := requests.Load(); got != tc.requests {
				t.Errorf("%d requests, want %d", got, tc.requests)
			}
		})
	}
}

// TestListGrowingSlowly: a list that grows by less than a page while a
// page is read is walked to its end.
func TestListGrowingSlowly(t *testing.T) {
	c, requests := lyingPages(t, 0, func(skip, limit int) (int, int, int) {
		total := 300 + skip/10 // 10 new objects per page of 100 read
		return total, skip, max(0, min(limit, total-skip))
	})
	n, err := walk(c, nil)
	if err != nil || n != 330 {
		t.Errorf("%d users in %d requests, %v; want 330", n, requests.Load(), err)
	}
	if _, err := fiefadmin.New(fiefadmin.Config{ServerURL: "https://fief.example.com", APIKey: "k", MaxListPages: -1}); err == nil {
		t.Error("MaxListPages -1: no error")
	}
}
