package fiefadmin_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fieftest"
)

// exampleFief starts an in-process Fief for the examples, with users of
// these emails, and returns an admin client of it with the id of its
// default tenant.
func exampleFief(emails ...string) (*fieftest.Server, *fiefadmin.Client, fiefadmin.UUID) {
	srv := fieftest.NewServer()
	admin, err := fiefadmin.New(fiefadmin.Config{
		ServerURL: srv.URL,
		APIKey:    fiefadmin.APIKey(srv.AdminAPIKey()),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, email := range emails {
		if _, err := srv.AddUser(fieftest.UserConfig{Email: email, Password: "Herm1ne-Tincture-Duchy!"}); err != nil {
			log.Fatal(err)
		}
	}
	return srv, admin, fiefadmin.MustParseUUID(srv.DefaultTenant().ID())
}

func ExampleNew() {
	admin, err := fiefadmin.New(fiefadmin.Config{
		// A tenant's base URL works too: the admin API lives at the root.
		ServerURL: "https://fief.example.com/my-tenant",
		APIKey:    fiefadmin.APIKey("the key from Fief's dashboard"),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = admin // admin.Users, admin.Roles, ...

	// The key never prints.
	key := fiefadmin.APIKey("the key from Fief's dashboard")
	fmt.Println(key)
	fmt.Printf("%q %#v\n", key, key)
	// Output:
	// [redacted]
	// [redacted] [redacted]
}

func ExampleUsersService_List() {
	srv, admin, _ := exampleFief("anne@bretagne.duchy", "claude@france.kingdom", "louis@france.kingdom")
	defer srv.Close()
	ctx := context.Background()

	// Every user whose email contains "france", fetched two by two.
	opts := &fiefadmin.UserListOptions{Query: "france", ListOptions: fiefadmin.ListOptions{Limit: 2, Ordering: "email"}}
	for u, err := range admin.Users.List(ctx, opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Email)
	}
	// Output:
	// claude@france.kingdom
	// louis@france.kingdom
}

func ExampleUsersService_ListPage() {
	srv, admin, _ := exampleFief("anne@bretagne.duchy", "claude@france.kingdom", "louis@france.kingdom")
	defer srv.Close()
	ctx := context.Background()

	page, err := admin.Users.ListPage(ctx, &fiefadmin.UserListOptions{ListOptions: fiefadmin.ListOptions{Limit: 1, Ordering: "-email"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Count, page.Results[0].Email)
	// Output:
	// 3 louis@france.kingdom
}

func ExampleUsersService_Create() {
	srv, admin, tenant := exampleFief()
	defer srv.Close()
	ctx := context.Background()

	invite := func(email, password string) {
		u, err := admin.Users.Create(ctx, fiefadmin.UserCreate{Email: email, Password: password, TenantID: tenant})
		var apiErr *fiefadmin.Error
		switch {
		case errors.Is(err, fiefadmin.CodeUserCreateAlreadyExists):
			fmt.Println(email, "is already a user")
		case errors.Is(err, fiefadmin.CodeUserCreateInvalidPassword) && errors.As(err, &apiErr):
			fmt.Println("weak password:", apiErr.Reason[0])
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println("created", u.Email)
		}
	}
	invite("anne@bretagne.duchy", "Herm1ne-Tincture-Duchy!")
	invite("Anne@Bretagne.Duchy", "Herm1ne-Tincture-Duchy!")
	invite("claude@france.kingdom", "abc")
	// Output:
	// created anne@bretagne.duchy
	// Anne@Bretagne.Duchy is already a user
	// weak password: Password must be at least 8 characters long.
}

func ExampleUsersService_AddPermission() {
	srv, admin, tenant := exampleFief()
	defer srv.Close()
	ctx := context.Background()
	anne, err := admin.Users.Create(ctx, fiefadmin.UserCreate{Email: "anne@bretagne.duchy", Password: "Herm1ne-Tincture-Duchy!", TenantID: tenant})
	if err != nil {
		log.Fatal(err)
	}
	read, err := admin.Permissions.Create(ctx, fiefadmin.PermissionCreate{Name: "Castles read", Codename: "castles:read"})
	if err != nil {
		log.Fatal(err)
	}

	if err := admin.Users.AddPermission(ctx, anne.ID, read.ID); err != nil {
		log.Fatal(err)
	}
	for p, err := range admin.Users.Permissions(ctx, anne.ID, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.Permission.Codename)
	}
	if err := admin.Users.RemovePermission(ctx, anne.ID, read.ID); err != nil {
		log.Fatal(err)
	}
	err = admin.Users.RemovePermission(ctx, anne.ID, read.ID)
	fmt.Println(errors.Is(err, fiefadmin.ErrNotFound))
	// Output:
	// castles:read
	// true
}

func ExampleFieldsOf() {
	srv, admin, tenant := exampleFief()
	defer srv.Close()
	ctx := context.Background()

	// The application's view of the workspace's user fields.
	type Profile struct {
		FirstName string `json:"first_name"`
	}
	if _, err := admin.UserFields.Create(ctx, fiefadmin.UserFieldCreate{
		Name: "First name", Slug: "first_name", Type: fiefadmin.UserFieldString,
		Configuration: fiefadmin.UserFieldConfiguration{AtRegistration: true, AtUpdate: true},
	}); err != nil {
		log.Fatal(err)
	}

	u, err := admin.Users.Create(ctx, fiefadmin.UserCreate{
		Email: "anne@bretagne.duchy", Password: "Herm1ne-Tincture-Duchy!", TenantID: tenant,
		Fields: Profile{FirstName: "Anne"},
	})
	if err != nil {
		log.Fatal(err)
	}
	profile, err := fiefadmin.FieldsOf[Profile](u)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(profile.FirstName)
	// Output:
	// Anne
}

func ExampleError() {
	srv, admin, _ := exampleFief()
	defer srv.Close()

	_, err := admin.Users.Create(context.Background(), fiefadmin.UserCreate{Email: "not-an-email"})
	var apiErr *fiefadmin.Error
	if errors.Is(err, fiefadmin.ErrInvalid) && errors.As(err, &apiErr) {
		for _, f := range apiErr.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// body.email: value is not a valid email address: An email address must have an @-sign.
	// body.password: Field required
	// body.tenant_id: Field required
}
