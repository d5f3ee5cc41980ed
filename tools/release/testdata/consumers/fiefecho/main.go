// A program using fiefecho alone: an echo route protected by Fief.
package main

import (
	"log"
	"net/http"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefecho"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/labstack/echo/v4"
)

func main() {
	client, err := fief.New(fief.Config{BaseURL: "https://example.fief.dev", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	auth := fiefhttp.New(client, fiefhttp.Config{})
	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		info, _ := fiefecho.AccessTokenInfo(c)
		return c.String(http.StatusOK, info.ID)
	}, fiefecho.New(auth, fiefecho.Config{}).Authenticated())
}
