module github.com/fief-dev/fief-go/fiefconnect

go 1.25.0

replace github.com/fief-dev/fief-go => ../

require (
	connectrpc.com/connect v1.20.0
	github.com/fief-dev/fief-go v0.1.0
	golang.org/x/oauth2 v0.36.0
	google.golang.org/protobuf v1.36.11
)

require (
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	golang.org/x/sync v0.17.0 // indirect
)
