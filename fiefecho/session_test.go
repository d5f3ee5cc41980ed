package fiefecho_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/fief-dev/fief-go/fiefecho"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/authcases"
)

// TestWebSessionRefreshedAndRevoked: an echo web application with sealed
// cookie sessions gets the refresh and the revocation of the decision it
// shares with fiefhttp.
func TestWebSessionRefreshedAndRevoked(t *testing.T) {
	authcases.WebSessionRefreshedAndRevoked(t, func(auth *fiefhttp.Auth, callback http.HandlerFunc) http.Handler {
		r := echo.New()
		r.GET("/token", func(c echo.Context) error {
			info, _ := fiefecho.AccessTokenInfo(c)
			return c.String(http.StatusOK, info.AccessToken)
		}, fiefecho.New(auth, fiefecho.Config{ErrorHandler: fiefecho.AuthErrorHandler(auth)}).Authenticated())
		r.GET("/auth-callback", echo.WrapHandler(callback))
		return r
	})
}
