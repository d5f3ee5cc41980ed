//go:build tools

// Package docs holds no code: the pages of this directory, and the tests
// that compile their Go blocks.
package docs

// The packages the programs of the pages import besides the standard
// library's, imported here (in a file the "tools" build tag leaves out of
// every build) so that this module requires them, and go mod tidy keeps
// them: the pages' Go blocks are compiled in a copy of this module.
import (
	_ "connectrpc.com/connect"
	_ "github.com/fief-dev/fief-go"
	_ "github.com/fief-dev/fief-go/fiefadmin"
	_ "github.com/fief-dev/fief-go/fiefcli"
	_ "github.com/fief-dev/fief-go/fiefconnect"
	_ "github.com/fief-dev/fief-go/fiefecho"
	_ "github.com/fief-dev/fief-go/fiefgin"
	_ "github.com/fief-dev/fief-go/fiefgrpc"
	_ "github.com/fief-dev/fief-go/fiefhttp"
	_ "github.com/fief-dev/fief-go/fiefredis"
	_ "github.com/fief-dev/fief-go/fieftest"
	_ "github.com/fief-dev/fief-go/fieftest/fiefdemo"
	_ "github.com/fief-dev/fief-go/fiefwebhook"
	_ "github.com/gin-gonic/gin"
	_ "github.com/go-chi/chi/v5"
	_ "github.com/gorilla/mux"
	_ "github.com/labstack/echo/v4"
	_ "github.com/redis/go-redis/v9"
	_ "golang.org/x/oauth2"
	_ "google.golang.org/grpc"
	_ "google.golang.org/grpc/credentials/oauth"
	_ "google.golang.org/protobuf/types/known/wrapperspb"
)
