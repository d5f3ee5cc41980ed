package fiefadmin

import "net/url"

// SearchOptions filter and page the lists that accept a search query:
// roles, permissions, tenants and OAuth providers.
type SearchOptions struct {
	ListOptions
	// Query keeps the objects whose name (or, for permissions, codename)
	// contains it, case-insensitively. Empty sends none.
	Query string
}

func (o *SearchOptions) list(op, path string) list {
	if o == nil {
		return newList(op, path, nil, nil)
	}
	return newList(op, path, &o.ListOptions, filters(o.Query, "", UUID{}))
}

// filters are the query parameters of the list filters that are set.
func filters(query, email string, tenant UUID) url.Values {
	q := url.Values{}
	if query != "" {
		q.Set("query", query)
	}
	if email != "" {
		q.Set("email", email)
	}
	if !tenant.IsZero() {
		q.Set("tenant", tenant.String())
	}
	return q
}
