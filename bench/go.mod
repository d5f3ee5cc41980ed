module github.com/fief-dev/fief-go/bench

go 1.26.0

replace github.com/fief-dev/fief-go => ../

require (
	github.com/coreos/go-oidc/v3 v3.21.0
	github.com/fief-dev/fief-go v0.0.0-00010101000000-000000000000
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/golang-jwt/jwt/v5 v5.3.1
)

require (
	golang.org/x/oauth2 v0.36.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
)
