package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fief-dev/fief-go/fiefadmin"
)

// app carries out the commands with an admin client.
type app struct {
	admin *fiefadmin.Client
	out   io.Writer
}

// listUsers prints every user whose email contains query (all when empty),
// with the codenames of their permissions.
func (a *app) listUsers(ctx context.Context, query string) error {
	n := 0
	for u, err := range a.admin.Users.List(ctx, &fiefadmin.UserListOptions{Query: query, ListOptions: fiefadmin.ListOptions{Ordering: "email"}}) {
		if err != nil {
			return err
		}
		var codenames []string
		for p, err := range a.admin.Users.Permissions(ctx, u.ID, nil) {
			if err != nil {
				return err
			}
			codenames = append(codenames, p.Permission.Codename)
		}
		fmt.Fprintf(a.out, "%s\t%s\t%v\n", u.Email, u.ID, codenames)
		n++
	}
	fmt.Fprintf(a.out, "%d user(s)\n", n)
	return nil
}

// createUser creates a user with a verified email in the default tenant.
func (a *app) createUser(ctx context.Context, email, password string) error {
	tenant, err := a.defaultTenant(ctx)
	if err != nil {
		return err
	}
	u, err := a.admin.Users.Create(ctx, fiefadmin.UserCreate{Email: email, Password: password, EmailVerified: true, TenantID: tenant})
	var apiErr *fiefadmin.Error
	switch {
	case errors.Is(err, fiefadmin.CodeUserCreateAlreadyExists):
		return fmt.Errorf("%s is already a user", email)
	case errors.Is(err, fiefadmin.CodeUserCreateInvalidPassword) && errors.As(err, &apiErr):
		return fmt.Errorf("password refused: %v", apiErr.Reason)
	case errors.Is(err, fiefadmin.ErrInvalid) && errors.As(err, &apiErr) && len(apiErr.Fields) > 0:
		return fmt.Errorf("refused: %s", apiErr.Fields[0])
	case err != nil:
		return err
	}
	fmt.Fprintf(a.out, "created %s (%s)\n", u.Email, u.ID)
	return nil
}

// deleteUser deletes the user with this email.
func (a *app) deleteUser(ctx context.Context, email string) error {
	u, err := a.user(ctx, email)
	if err != nil {
		return err
	}
	if err := a.admin.Users.Delete(ctx, u.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "deleted %s\n", u.Email)
	return nil
}

// grant gives a permission to a user directly.
func (a *app) grant(ctx context.Context, codename, email string) error {
	p, u, err := a.permissionAndUser(ctx, codename, email)
	if err != nil {
		return err
	}
	err = a.admin.Users.AddPermission(ctx, u.ID, p.ID)
	switch {
	case errors.Is(err, fiefadmin.CodeUserPermissionCreateAlreadyAdded):
		fmt.Fprintf(a.out, "%s already holds %s\n", u.Email, codename)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(a.out, "granted %s to %s\n", codename, u.Email)
	return nil
}

// revoke removes a permission granted to a user directly.
func (a *app) revoke(ctx context.Context, codename, email string) error {
	p, u, err := a.permissionAndUser(ctx, codename, email)
	if err != nil {
		return err
	}
	err = a.admin.Users.RemovePermission(ctx, u.ID, p.ID)
	switch {
	case errors.Is(err, fiefadmin.ErrNotFound):
		return fmt.Errorf("%s does not hold %s directly (a role may grant it)", u.Email, codename)
	case err != nil:
		return err
	}
	fmt.Fprintf(a.out, "revoked %s from %s\n", codename, u.Email)
	return nil
}

func (a *app) permissionAndUser(ctx context.Context, codename, email string) (fiefadmin.Permission, fiefadmin.User, error) {
	p, err := a.permission(ctx, codename)
	if err != nil {
		return p, fiefadmin.User{}, err
	}
	u, err := a.user(ctx, email)
	return p, u, err
}

// user finds the user with this email (case-insensitive).
func (a *app) user(ctx context.Context, email string) (fiefadmin.User, error) {
	page, err := a.admin.Users.ListPage(ctx, &fiefadmin.UserListOptions{Email: email, ListOptions: fiefadmin.ListOptions{Limit: 2}})
	switch {
	case err != nil:
		return fiefadmin.User{}, err
	case len(page.Results) == 0:
		return fiefadmin.User{}, fmt.Errorf("no user %s", email)
	case page.Count > 1:
		return fiefadmin.User{}, fmt.Errorf("%d users %s, in different tenants", page.Count, email)
	}
	return page.Results[0], nil
}

// permission finds the permission with this codename. The search also
// matches names and parts of codenames, hence the exact comparison.
func (a *app) permission(ctx context.Context, codename string) (fiefadmin.Permission, error) {
	for p, err := range a.admin.Permissions.List(ctx, &fiefadmin.SearchOptions{Query: codename}) {
		if err != nil {
			return fiefadmin.Permission{}, err
		}
		if p.Codename == codename {
			return p, nil
		}
	}
	return fiefadmin.Permission{}, fmt.Errorf("no permission %s", codename)
}

func (a *app) defaultTenant(ctx context.Context) (fiefadmin.UUID, error) {
	for t, err := range a.admin.Tenants.List(ctx, nil) {
		if err != nil {
			return fiefadmin.UUID{}, err
		}
		if t.Default {
			return t.ID, nil
		}
	}
	return fiefadmin.UUID{}, errors.New("no default tenant")
}
