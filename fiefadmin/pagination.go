package fiefadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// Pagination defaults of the iterators.
const (
	// MaxPageSize is the largest page Fief serves: it silently caps a
	// larger limit to it. It is the iterators' default page size.
	MaxPageSize = 100
	// DefaultOrdering is the ordering the iterators send when none is
	// given: Fief has no default ordering (the database's order, which may
	// change between two pages), so walking pages needs one.
	DefaultOrdering = "created_at"
	// DefaultMaxListPages is the default of [Config].MaxListPages: at
	// [MaxPageSize] objects a page, a million objects.
	DefaultMaxListPages = 10_000
)

// ListOptions are the paging parameters of every list call.
type ListOptions struct {
	// Limit is the page size. A single-page call (ListPage, ...) sends it
	// when not zero (Fief's default is 10, its maximum [MaxPageSize]); an
	// iterator uses [MaxPageSize] when it is zero.
	Limit int
	// Skip is the number of objects before the page. An iterator starts
	// there.
	Skip int
	// Ordering is a comma-separated list of fields, each optionally
	// prefixed by "-" for a descending order: "-created_at,email". A
	// single-page call sends it when not empty; an iterator sends
	// [DefaultOrdering] when it is empty.
	Ordering string
}

func (o *ListOptions) values(q url.Values) url.Values {
	if o == nil {
		return q
	}
	if o.Limit != 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Skip != 0 {
		q.Set("skip", strconv.Itoa(o.Skip))
	}
	if o.Ordering != "" {
		q.Set("ordering", o.Ordering)
	}
	return q
}

// Page is one page of a list: the results, and how many objects match in
// all.
type Page[T any] struct {
	// Count is the number of objects matching the filters, all pages
	// together. Fief counts over the page it serves: when Skip is past the
	// end, Count is 0, not the total.
	Count int `json:"count"`
	// Results are the page's objects.
	Results []T `json:"results"`
}

// list is one list endpoint with its filters.
type list struct {
	op      string
	path    string
	ids     []UUID
	filters url.Values // nil for none
	opts    ListOptions
	// ordering is the iterators' default ordering.
	ordering string
}

func newList(op, path string, opts *ListOptions, filters url.Values, ids ...UUID) list {
	l := list{op: op, path: path, ids: ids, filters: filters, ordering: DefaultOrdering}
	if opts != nil {
		l.opts = *opts
	}
	return l
}

func (l list) query(o ListOptions) url.Values {
	q := url.Values{}
	for k, v := range l.filters {
		q[k] = v
	}
	return o.values(q)
}

// page fetches one page, sending exactly the options given.
func page[T any](ctx context.Context, c *Client, l list) (*Page[T], error) {
	var p Page[T]
	if err := c.do(ctx, call{op: l.op, method: "GET", path: l.path, ids: l.ids, query: l.query(l.opts)}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// all walks every page: it always sends a limit, a skip and an ordering,
// advances skip by the number of results received (Fief may serve fewer
// than asked), and stops on an empty page or when the count says nothing
// is left. It stops fetching as soon as the loop breaks. Against a server
// whose pages cannot be those of one list, it stops with
// [ErrInconsistentList]: a page identical to the previous one (a server
// that ignores skip), a count that grows between two pages by at least the
// previous page's length (a list growing as fast as it is read never
// ends), or more than the client's MaxListPages pages.
func all[T any](ctx context.Context, c *Client, l list) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		o := l.opts
		switch {
		case o.Limit < 0 || o.Skip < 0:
			yield(zero, fmt.Errorf("fiefadmin: %s: negative limit or skip", l.op))
			return
		case o.Limit == 0:
			o.Limit = MaxPageSize
		}
		if o.Ordering == "" {
			o.Ordering = l.ordering
		}
		var previous json.RawMessage // the previous page's results
		previousCount, previousLen := 0, 0
		for pages := 1; ; pages++ {
			if pages > c.s.maxPages {
				yield(zero, inconsistent(l.op, "more than %d pages (Config.MaxListPages)", c.s.maxPages))
				return
			}
			q := l.query(o)
			q.Set("skip", strconv.Itoa(o.Skip))
			var p struct {
				Count   int             `json:"count"`
				Results json.RawMessage `json:"results"`
			}
			if err := c.do(ctx, call{op: l.op, method: "GET", path: l.path, ids: l.ids, query: q}, &p); err != nil {
				yield(zero, err)
				return
			}
			var results []T
			if len(p.Results) > 0 {
				if err := json.Unmarshal(p.Results, &results); err != nil {
					yield(zero, unavailable(l.op, fmt.Errorf("malformed page at skip %d: %w", o.Skip, err)))
					return
				}
			}
			if len(results) > 0 && pages > 1 {
				switch {
				case bytes.Equal(p.Results, previous):
					yield(zero, inconsistent(l.op, "the page at skip %d is the same as the one before it", o.Skip))
					return
				case p.Count-previousCount >= previousLen:
					yield(zero, inconsistent(l.op, "the count went from %d to %d while a page of %d was read: the list grows as fast as it is read", previousCount, p.Count, previousLen))
					return
				}
			}
			previous, previousCount, previousLen = p.Results, p.Count, len(results)
			for _, v := range results {
				if !yield(v, nil) {
					return
				}
			}
			o.Skip += len(results)
			if len(results) == 0 || o.Skip >= p.Count {
				return
			}
		}
	}
}

func inconsistent(op, format string, args ...any) error {
	return fmt.Errorf("fiefadmin: %s: %w: %s", op, ErrInconsistentList, fmt.Sprintf(format, args...))
}
