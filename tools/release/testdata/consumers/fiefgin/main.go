// A program using fiefgin alone: a gin route protected by Fief.
package main

import (
	"log"
	"net/http"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefgin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/gin-gonic/gin"
)

func main() {
	client, err := fief.New(fief.Config{BaseURL: "https://example.fief.dev", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	auth := fiefgin.New(fiefhttp.New(client, fiefhttp.Config{}), fiefgin.Config{})
	r := gin.New()
	r.GET("/me", auth.Authenticated(), func(c *gin.Context) {
		info, _ := fiefgin.AccessTokenInfo(c)
		c.String(http.StatusOK, info.ID)
	})
}
