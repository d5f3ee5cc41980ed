module github.com/fief-dev/fief-go

go 1.25.0

require (
	github.com/go-jose/go-jose/v4 v4.1.9
	golang.org/x/oauth2 v0.36.0
	golang.org/x/sync v0.17.0
)
