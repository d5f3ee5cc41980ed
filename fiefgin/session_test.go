package fiefgin_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/fief-dev/fief-go/fiefgin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/authcases"
)

// TestWebSessionRefreshedAndRevoked: a gin web application with sealed
// cookie sessions gets the refresh and the revocation of the decision it
// shares with fiefhttp.
func TestWebSessionRefreshedAndRevoked(t *testing.T) {
	authcases.WebSessionRefreshedAndRevoked(t, func(auth *fiefhttp.Auth, callback http.HandlerFunc) http.Handler {
		r := gin.New()
		r.GET("/token", fiefgin.New(auth, fiefgin.Config{ErrorHandler: fiefgin.AuthErrorHandler(auth)}).Authenticated(), func(c *gin.Context) {
			info, _ := fiefgin.AccessTokenInfo(c)
			c.String(http.StatusOK, info.AccessToken)
		})
		r.GET("/auth-callback", gin.WrapF(callback))
		return r
	})
}
