package fiefadmin

import "context"

// fetch sends a call whose answer is a T.
func fetch[T any](ctx context.Context, c *Client, k call) (*T, error) {
	var v T
	if err := c.do(ctx, k, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func get[T any](ctx context.Context, c *Client, op, path string, ids ...UUID) (*T, error) {
	return fetch[T](ctx, c, call{op: op, method: "GET", path: path, ids: ids})
}

func create[T any](ctx context.Context, c *Client, op, path string, body any, ids ...UUID) (*T, error) {
	return fetch[T](ctx, c, call{op: op, method: "POST", path: path, ids: ids, body: body})
}

func update[T any](ctx context.Context, c *Client, op, path string, body any, ids ...UUID) (*T, error) {
	return fetch[T](ctx, c, call{op: op, method: "PATCH", path: path, ids: ids, body: body})
}

func remove(ctx context.Context, c *Client, op, path string, ids ...UUID) error {
	return c.do(ctx, call{op: op, method: "DELETE", path: path, ids: ids}, nil)
}
