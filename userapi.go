package fief

import (
	"context"
	"errors"
)

// UserInfo returns the claims of the access token's user from Fief's
// userinfo endpoint. A token Fief no longer accepts gives a
// [*ResponseError] with status 401.
func (c *Client) UserInfo(ctx context.Context, accessToken string) (UserInfo, error) {
	doc, err := c.discovery(ctx)
	if err != nil {
		return nil, err
	}
	return c.userRequest(ctx, request{op: "userinfo", method: "GET", path: doc.userinfoPath, bearer: accessToken})
}

// UpdateProfile updates the user's fields (keyed by field slug; only those
// the tenant makes updatable are taken) and returns the updated claims.
func (c *Client) UpdateProfile(ctx context.Context, accessToken string, fields map[string]any) (UserInfo, error) {
	if fields == nil {
		fields = map[string]any{}
	}
	body := map[string]any{"fields": fields}
	return c.userRequest(ctx, request{op: "profile", method: "PATCH", path: c.apiPath("/api/profile"), bearer: accessToken, jsonBody: body})
}

// ChangePassword changes the user's password. Fief requires an access token
// of ACR level 1 (a fresh sign-in): otherwise the error is a
// [*ResponseError] with status 403 and Detail "ACR_TOO_LOW". A password that
// fails Fief's policy gives status 400, Detail
// "USER_UPDATE_INVALID_PASSWORD" and the reasons in Reason.
func (c *Client) ChangePassword(ctx context.Context, accessToken, newPassword string) (UserInfo, error) {
	body := map[string]string{"password": newPassword}
	return c.userRequest(ctx, request{op: "password", method: "PATCH", path: c.apiPath("/api/password"), bearer: accessToken, jsonBody: body})
}

// EmailChange asks to change the user's email: Fief sends a verification
// code to the new address, to be given to [Client.EmailVerify]. The claims
// returned still hold the old address. Requires ACR level 1.
func (c *Client) EmailChange(ctx context.Context, accessToken, newEmail string) (UserInfo, error) {
	body := map[string]string{"email": newEmail}
	return c.userRequest(ctx, request{op: "email change", method: "PATCH", path: c.apiPath("/api/email/change"), bearer: accessToken, jsonBody: body})
}

// EmailVerify completes an email change with the code Fief sent, and
// returns the updated claims. Requires ACR level 1.
func (c *Client) EmailVerify(ctx context.Context, accessToken, code string) (UserInfo, error) {
	body := map[string]string{"code": code}
	return c.userRequest(ctx, request{op: "email verify", method: "POST", path: c.apiPath("/api/email/verify"), bearer: accessToken, jsonBody: body})
}

func (c *Client) apiPath(p string) string { return c.s.publicBase.Path + p }

func (c *Client) userRequest(ctx context.Context, r request) (UserInfo, error) {
	if r.bearer == "" {
		return nil, errors.New("fief: " + r.op + ": empty access token")
	}
	var info UserInfo
	if err := c.do(ctx, r, &info); err != nil {
		return nil, err
	}
	if info == nil {
		return nil, unavailable(r.op, errors.New("the answer is not a JSON object"))
	}
	// Fief's user claims always carry the user's ID: an answer without it
	// (a 200 carrying an error object, say) is not what Fief sends.
	if info.ID() == "" {
		return nil, unavailable(r.op, errors.New("the answer holds no user claims (no sub)"))
	}
	return info, nil
}
