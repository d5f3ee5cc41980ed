package fiefadmin

import "net/url"

// SearchOptions filter and page the lists that accept a search query:
// roles, permissions, tenants and OAuth providers.
type SearchOptions struct {
	ListOptions
	// Query is Fief's search filter: a case-insensitive match on the
	// objects' names. Empty sends none.
	Query string
}

func (o *SearchOptions) list(op, path string) list {
	if o == nil {
		return newList(op, path, nil, nil)
	}
	q := url.Values{}
	setIf(q, "query", o.Query)
	return newList(op, path, &o.ListOptions, q)
}
