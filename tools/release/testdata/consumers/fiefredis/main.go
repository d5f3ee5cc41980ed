// A program using fiefredis alone: server-side sessions in Redis.
package main

import (
	"log"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/redis/go-redis/v9"
)

func main() {
	client, err := fief.New(fief.Config{BaseURL: "https://example.fief.dev", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	store, err := fiefredis.NewSessionStore(fiefredis.SessionStoreConfig{Config: fiefredis.Config{Client: rdb, ClientID: client.ClientID()}})
	if err != nil {
		log.Fatal(err)
	}
	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{
		BaseURL:    "https://app.example",
		Storage:    fiefhttp.StorageServer,
		Store:      store,
		CookieKeys: [][]byte{make([]byte, 32)},
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = flow
}
