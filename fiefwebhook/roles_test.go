package fiefwebhook_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// permissionIDs returns the IDs of the permissions with these codenames.
func (e *revEnv) permissionIDs(codenames ...string) []fiefadmin.UUID {
	e.t.Helper()
	var ids []fiefadmin.UUID
	for p, err := range e.admin().Permissions.List(context.Background(), nil) {
		if err != nil {
			e.t.Fatal(err)
		}
		for _, c := range codenames {
			if p.Codename == c {
				ids = append(ids, p.ID)
			}
		}
	}
	if len(ids) != len(codenames) {
		e.t.Fatalf("permissions %q: found %d", codenames, len(ids))
	}
	return ids
}

// TestRoleUpdateRevokesTheLostPermissions: a role that loses a permission
// (role.updated carries the role after the change) makes the tokens
// issued before that carry it refused, whether the handler learnt the
// role's previous permissions from Fief's admin API at start or from the
// role.* events it processed; a role it never saw revokes nothing.
func TestRoleUpdateRevokesTheLostPermissions(t *testing.T) {
	tests := []struct {
		name      string
		admin     bool // the handler reads the roles at start
		seen      bool // the role is created after the handler started
		wantFresh bool // whether the lost permission is refused
	}{
		{"read from the admin API at start", true, false, true},
		{"seen in role.created", false, true, true},
		{"never seen", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newRevServer(t)
			create := func() string {
				id, err := e.srv.AddRole(fieftest.RoleConfig{Name: "Vassal", Permissions: []string{"castles:siege", "castles:write"}})
				if err != nil {
					t.Fatal(err)
				}
				return id
			}
			var roleID string
			if !tt.seen {
				roleID = create()
			}
			cfg := fiefwebhook.Config{}
			if tt.admin {
				cfg.Admin = e.admin()
			}
			e.start(cfg)
			if err := e.handler.RolesLoaded(context.Background()); err != nil {
				t.Fatal(err)
			}
			e.listen(e.app.URL)
			if tt.seen {
				roleID = create()
				e.deliver()
			}
			anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
			if err != nil {
				t.Fatal(err)
			}
			if err := anne.GrantRole("Vassal"); err != nil {
				t.Fatal(err)
			}
			both := e.mint(anne)
			siegeOnly := e.mint(anne, "castles:siege")

			id := fiefadmin.MustParseUUID(roleID)
			if _, err := e.admin().Roles.Update(context.Background(), id, fiefadmin.RoleUpdate{Permissions: e.permissionIDs("castles:siege")}); err != nil {
				t.Fatal(err)
			}
			e.deliver()
			if got := !e.accepted(both); got != tt.wantFresh {
				t.Fatalf("a token carrying the permission the role lost: refused = %v, want %v", got, tt.wantFresh)
			}
			if !e.accepted(siegeOnly) {
				t.Fatal("a token carrying only the permission the role kept is refused")
			}
			e.srv.Advance(2 * time.Second)
			if !e.accepted(e.mint(anne)) {
				t.Fatal("a token issued after the change is refused")
			}
		})
	}
}

// TestRoleAndPermissionDeletionRevoke: role.deleted refuses the tokens
// issued before it that carry one of the role's permissions, and
// permission.deleted those that carry the permission, whoever the user.
func TestRoleAndPermissionDeletionRevoke(t *testing.T) {
	e := newRevEnv(t, fiefwebhook.Config{})
	e.listen(e.app.URL)
	roleID, err := e.srv.AddRole(fieftest.RoleConfig{Name: "Vassal", Permissions: []string{"castles:siege"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.AddPermission("castles:write", "Castles write"); err != nil {
		t.Fatal(err)
	}
	anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := anne.GrantRole("Vassal"); err != nil {
		t.Fatal(err)
	}
	bob, err := e.srv.AddUser(fieftest.UserConfig{Email: "bob@bretagne.duchy", Permissions: []string{"castles:write", "castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	anneSiege, anneRead := e.mint(anne, "castles:siege", "castles:read"), e.mint(anne, "castles:read")
	bobWrite, bobRead := e.mint(bob), e.mint(bob, "castles:read")

	if err := e.admin().Roles.Delete(context.Background(), fiefadmin.MustParseUUID(roleID)); err != nil {
		t.Fatal(err)
	}
	if err := e.admin().Permissions.Delete(context.Background(), e.permissionIDs("castles:write")[0]); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	if e.accepted(anneSiege) {
		t.Fatal("a token carrying a permission of the deleted role is accepted")
	}
	if e.accepted(bobWrite) {
		t.Fatal("a token carrying the deleted permission is accepted")
	}
	if !e.accepted(anneRead) || !e.accepted(bobRead) {
		t.Fatal("a token without the removed permissions is refused")
	}
}

// TestRoleRemovalWindowClosed: Fief sends user_role.deleted before it takes
// the role's permissions from the user, so that a refresh in between gets a
// token that still carries them, issued after the webhook. Such a token is
// refused until the grace ends; a token without them is accepted at once,
// and after the grace any token is judged on its own (no standing refusal,
// hence no refresh loop).
func TestRoleRemovalWindowClosed(t *testing.T) {
	for _, known := range []bool{true, false} {
		name := map[bool]string{true: "role known", false: "role unknown"}[known]
		t.Run(name, func(t *testing.T) {
			e := newRevServer(t)
			if !known {
				if _, err := e.srv.AddRole(fieftest.RoleConfig{Name: "Vassal", Permissions: []string{"castles:siege"}}); err != nil {
					t.Fatal(err)
				}
			}
			e.start(fiefwebhook.Config{})
			e.listen(e.app.URL)
			if known {
				if _, err := e.srv.AddRole(fieftest.RoleConfig{Name: "Vassal", Permissions: []string{"castles:siege"}}); err != nil {
					t.Fatal(err)
				}
			}
			anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := anne.GrantRole("Vassal"); err != nil {
				t.Fatal(err)
			}
			e.deliver()
			before := e.mint(anne)
			anne.RemoveRole("Vassal")
			e.deliver()
			if e.accepted(before) {
				t.Fatal("a token issued before the role's removal is accepted")
			}
			e.srv.Advance(time.Second) // a refresh inside Fief's gap
			if e.accepted(e.mint(anne, "castles:siege", "castles:read")) {
				t.Fatal("a token issued in Fief's gap, still carrying the role's permission, is accepted")
			}
			if got := e.accepted(e.mint(anne, "castles:read")); got != known {
				t.Fatalf("a token issued after the removal without the role's permission: accepted = %v, want %v", got, known)
			}
			e.srv.Advance(fiefwebhook.DefaultRoleRemovalGrace)
			if !e.accepted(e.mint(anne, "castles:read")) {
				t.Fatal("a token issued after the grace is refused")
			}
		})
	}
}

// TestHandlerAppliesRealRoleDeliveries replays the permission.* and role.*
// deliveries of a real Fief (v0.30.0): a permission created, renamed, put in
// a role; the role given a second permission (nothing lost); the first
// permission deleted; the role deleted; a default role created and deleted.
func TestHandlerAppliesRealRoleDeliveries(t *testing.T) {
	ds := loadDeliveriesFrom(t, "testdata/deliveries-v0.30.0-rbac.json")
	clock := &settableClock{}
	rev := fief.NewRevocations(fief.RevocationsConfig{Clock: clock.Now})
	h, err := fiefwebhook.NewHandler(fiefwebhook.Config{Secrets: []string{ds[0].Secret}, Clock: clock.Now, Apply: fiefwebhook.Local{Revocations: rev}})
	if err != nil {
		t.Fatal(err)
	}
	const user = "3fd853e0-b36c-4ec1-bf50-b562431ead73" // any user
	// refused lists the permissions for which a token issued before the
	// first delivery is refused.
	issued := ds[0].sentAt(t).Add(-time.Second)
	refused := func() []string {
		var out []string
		for _, p := range []string{"castles:siege", "castles:write", "castles:read", "chateaux:siege"} {
			if _, ok := rev.Refuses(user, issued, []string{p}); ok {
				out = append(out, p)
			}
		}
		return out
	}
	want := map[int][]string{ // after delivery i
		3: nil,                                                                  // role.updated: castles:write added, nothing lost
		4: {"castles:siege"},                                                    // permission.deleted
		5: {"castles:siege", "castles:write"},                                   // role.deleted "Vassal lord"
		7: {"castles:siege", "castles:write", "castles:read"},                   // role.deleted "Subject"
		9: {"castles:siege", "castles:write", "castles:read", "chateaux:siege"}, // permission.deleted (non-ASCII name)
	}
	for i, d := range ds {
		clock.Set(d.sentAt(t).Add(300 * time.Millisecond))
		if code := replay(t, h, d); code != http.StatusNoContent {
			t.Fatalf("delivery %d: status %d", i, code)
		}
		if w, ok := want[i]; ok && !slices.Equal(refused(), w) {
			t.Fatalf("after delivery %d: tokens refused for %q, want %q", i, refused(), w)
		}
	}
	if _, ok := rev.Refuses(user, clock.Now().Add(time.Second), []string{"castles:siege", "castles:write", "castles:read"}); ok {
		t.Fatal("a token issued after the deletions is refused")
	}
	if _, ok := rev.Refuses(user, time.Time{}, []string{"castles:admin"}); ok {
		t.Fatal("a token without the removed permissions is refused")
	}
}
