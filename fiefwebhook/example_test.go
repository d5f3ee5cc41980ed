package fiefwebhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// A webhook endpoint that revokes tokens and drops cached user info: give
// the same Revocations to the client, and the same cache to fiefhttp.
func ExampleNewHandler() {
	revocations := fief.NewRevocations(fief.RevocationsConfig{})
	userInfo := fiefhttp.NewMemoryUserInfoCache(0, 0)
	// client, _ := fief.New(fief.Config{..., Revocations: revocations})
	// auth := fiefhttp.New(client, fiefhttp.Config{UserInfoCache: userInfo})

	webhooks, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets: []string{"the webhook's secret"},
		Apply:   fiefwebhook.Local{Revocations: revocations, UserInfo: userInfo},
		Hooks: map[fiefadmin.WebhookEvent]fiefwebhook.HookFunc{
			fiefadmin.EventUserDeleted: func(_ context.Context, e *fiefwebhook.Event) error {
				u, _ := e.User()
				fmt.Println("deleted:", u.Email)
				return nil
			},
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/fief", webhooks)

	// What Fief sends when a user is deleted.
	body := `{"type": "user.deleted", "data": {"id": "c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0", "email": "anne@bretagne.duchy", "is_active": true}}`
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	r := httptest.NewRequest(http.MethodPost, "/webhooks/fief", strings.NewReader(body))
	r.Header.Set(fiefwebhook.HeaderTimestamp, ts)
	r.Header.Set(fiefwebhook.HeaderSignature, fiefwebhook.Sign("the webhook's secret", ts, []byte(body)))
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)

	_, revoked := revocations.Refuses("c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0", time.Now(), nil)
	fmt.Println(w.Code, revoked)
	// Output:
	// deleted: anne@bretagne.duchy
	// 204 true
}
