package fief_test

import (
	"fmt"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// What the entries of a revocation set refuse; fiefwebhook makes them from
// Fief's webhooks.
func ExampleRevocations_Refuses() {
	rev := fief.NewRevocations(fief.RevocationsConfig{})
	const anne = "c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0"
	now := time.Now()

	// A deactivated user: every token, whatever its iat, until lifted.
	rev.Apply(fief.Revocation{Kind: fief.BlockUser, UserID: anne, NotBefore: now})
	_, refused := rev.Refuses(anne, now.Add(time.Hour), nil)
	fmt.Println("blocked, a later token:", refused)
	rev.Apply(fief.Revocation{Kind: fief.UnblockUser, UserID: anne, NotBefore: now.Add(time.Minute)})
	_, refused = rev.Refuses(anne, now.Add(time.Hour), nil)
	fmt.Println("unblocked, a later token:", refused)

	// A deleted permission: the earlier tokens that carry it, of any user.
	rev.Apply(fief.Revocation{Kind: fief.RevokePermission, Permission: "castles:siege", NotBefore: now})
	_, refused = rev.Refuses("any-user", now.Add(-time.Second), []string{"castles:read", "castles:siege"})
	fmt.Println("an earlier token with the permission:", refused)
	_, refused = rev.Refuses("any-user", now.Add(-time.Second), []string{"castles:read"})
	fmt.Println("an earlier token without it:", refused)
	// Output:
	// blocked, a later token: true
	// unblocked, a later token: false
	// an earlier token with the permission: true
	// an earlier token without it: false
}
