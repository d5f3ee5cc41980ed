package fiefredis_test

import (
	"context"
	"log"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// Server-side sessions in Redis, shared by the instances of a web
// application, under the prefix "fief:<client ID>:".
func ExampleNewSessionStore() {
	client, err := fief.New(fief.Config{BaseURL: "https://fief.example.com", ClientID: "my-client-id", ClientSecret: os.Getenv("FIEF_CLIENT_SECRET")})
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"}) // or a ClusterClient, a FailoverClient
	store, err := fiefredis.NewSessionStore(fiefredis.SessionStoreConfig{Config: fiefredis.Config{Client: rdb, ClientID: client.ClientID()}})
	if err != nil {
		log.Fatal(err)
	}
	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{
		BaseURL:    "https://app.example.com",
		Storage:    fiefhttp.StorageServer,
		Store:      store,
		CookieKeys: [][]byte{[]byte(os.Getenv("COOKIE_KEY"))}, // at least 32 bytes
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = flow
}

// Fief's webhooks on every instance: the bus spreads each webhook's effect
// (revocations, stale user info), authenticated with the cookie keys'
// secrets, and the deliveries are processed once whichever instance gets
// them.
func ExampleNewBus() {
	revocations := fief.NewRevocations(fief.RevocationsConfig{})
	client, err := fief.New(fief.Config{BaseURL: "https://fief.example.com", ClientID: "my-client-id", Revocations: revocations})
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	shared := fiefredis.Config{Client: rdb, ClientID: client.ClientID(), Keys: [][]byte{[]byte(os.Getenv("COOKIE_KEY"))}}
	userInfo, err := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: shared, TTL: 5 * time.Minute})
	if err != nil {
		log.Fatal(err)
	}
	deliveries, err := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: shared})
	if err != nil {
		log.Fatal(err)
	}
	bus, err := fiefredis.NewBus(fiefredis.BusConfig{Config: shared, Revocations: revocations, UserInfo: userInfo})
	if err != nil {
		log.Fatal(err)
	}
	bus.Start()
	defer bus.Close()
	webhooks, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets:    strings.Split(os.Getenv("FIEF_WEBHOOK_SECRET"), ","),
		Deliveries: deliveries,
		Apply:      bus, // Redis unreachable: 503, so that Fief retries
	})
	if err != nil {
		log.Fatal(err)
	}
	auth := fiefhttp.New(client, fiefhttp.Config{UserInfoCache: userInfo})
	_, _ = webhooks, auth
	if err := bus.Check(context.Background()); err != nil {
		log.Print(err) // not connected yet: this instance works alone meanwhile
	}
}
