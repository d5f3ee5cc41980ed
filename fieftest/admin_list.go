package fieftest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// listQuery is the pagination and ordering of a list request.
type listQuery struct {
	limit, skip int
	ordering    []orderField
}

type orderField struct {
	path []string // dotted relations, e.g. tenant.name
	desc bool
}

// parseListQuery reads limit (default 10, at least 0, silently capped at
// 100), skip (default 0, at least 0) and ordering (comma-separated fields,
// "-" for descending; defaultOrdering when absent). It answers 422 and
// returns false on a bad limit or skip.
func parseListQuery(w http.ResponseWriter, r *http.Request, defaultOrdering string) (*listQuery, bool) {
	q := r.URL.Query()
	lq := &listQuery{limit: 10}
	var errs []v1Error
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &lq.limit}, {"skip", &lq.skip}} {
		vs, ok := q[p.name]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(vs[len(vs)-1]))
		switch {
		case err != nil:
			errs = append(errs, v1Error{Loc: []any{"query", p.name}, Msg: "value is not a valid integer", Type: "type_error.integer"})
		case n < 0:
			errs = append(errs, v1Error{Loc: []any{"query", p.name}, Msg: "ensure this value is greater than or equal to 0", Type: "value_error.number.not_ge", Ctx: map[string]any{"limit_value": 0}})
		default:
			*p.dst = n
		}
	}
	if len(errs) > 0 {
		writeV1Errors(w, errs)
		return nil, false
	}
	lq.limit = min(lq.limit, 100)
	raw := q.Get("ordering")
	if raw == "" {
		raw = defaultOrdering
	}
	if raw != "" {
		for _, f := range strings.Split(raw, ",") {
			desc := strings.HasPrefix(f, "-")
			lq.ordering = append(lq.ordering, orderField{path: strings.Split(strings.TrimPrefix(f, "-"), "."), desc: desc})
		}
	}
	return lq, true
}

// listPage is Fief's list envelope.
type listPage[T any] struct {
	Count   int `json:"count"`
	Results []T `json:"results"`
}

// writePage orders items (given in creation order, already filtered),
// cuts the page and answers it. As in Fief, whose count is a window
// function over the paginated query, count is 0 when the page is empty.
func writePage[T any](w http.ResponseWriter, q *listQuery, items []T) {
	if len(q.ordering) > 0 {
		items = orderItems(items, q.ordering)
	}
	out := listPage[T]{Count: len(items), Results: []T{}}
	if q.skip < len(items) {
		out.Results = items[q.skip:min(len(items), q.skip+q.limit)]
	}
	if len(out.Results) == 0 {
		out.Count = 0
	}
	writeJSON(w, http.StatusOK, out)
}

// orderItems sorts items (stably) by the fields of their JSON form.
// Fields that do not exist are ignored.
func orderItems[T any](items []T, ordering []orderField) []T {
	type keyed struct {
		item T
		obj  map[string]any
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		b, _ := json.Marshal(it)
		var m map[string]any
		json.Unmarshal(b, &m)
		ks[i] = keyed{it, m}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		for _, f := range ordering {
			c := compareJSON(lookupPath(a.obj, f.path), lookupPath(b.obj, f.path))
			if f.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	out := make([]T, len(ks))
	for i, k := range ks {
		out[i] = k.item
	}
	return out
}

func lookupPath(obj map[string]any, path []string) any {
	var v any = obj
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// compareJSON orders decoded JSON values: null first, then booleans,
// numbers and strings, each in their natural order.
func compareJSON(a, b any) int {
	rank := func(v any) int {
		switch v.(type) {
		case nil:
			return 0
		case bool:
			return 1
		case float64:
			return 2
		case string:
			return 3
		}
		return 4
	}
	if c := cmp.Compare(rank(a), rank(b)); c != 0 {
		return c
	}
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case float64:
		return cmp.Compare(x, b.(float64))
	case string:
		return strings.Compare(x, b.(string))
	}
	return 0
}

// queryFilter returns a query parameter, and whether it was given.
func queryFilter(r *http.Request, name string) (string, bool) {
	vs, ok := r.URL.Query()[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// containsFold reports whether s contains sub, ignoring case (SQL ilike
// '%sub%').
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
