// Package fiefhttp protects net/http routes with Fief
// (https://docs.fief.dev) access tokens, and signs users of a server-rendered
// web application in and out. It is the Go counterpart of the Flask
// integration of Fief's Python client.
//
// # Protecting an API
//
// An [Auth], made once by [New] from a [*fief.Client] and a [Config] (whose
// [TokenGetter] is [AuthorizationHeader], [Cookie], [FirstOf] or your own
// function; nil reads "Authorization: Bearer"), gives two middleware of
// type func(http.Handler) http.Handler:
//
//   - [Auth.Authenticated] checks the access token and the route's
//     requirements ([Scopes], [MinACR], [Permissions], [Optional]) and puts
//     the token's [fief.AccessTokenInfo] in the request context, read by
//     [AccessTokenInfoFrom];
//   - [Auth.CurrentUser] does the same and adds the user's claims
//     ([fief.UserInfo], read by [UserInfoFrom]) from a [UserInfoCache] or
//     else Fief's userinfo endpoint ([RefreshUserInfo] skips the cache).
//
// For example:
//
//	auth := fiefhttp.New(client, fiefhttp.Config{}) // "Authorization: Bearer <token>"
//	mux.Handle("GET /orders", auth.Authenticated(fiefhttp.Permissions("orders:read"))(ordersHandler))
//
// A request that does not pass gets one of three answers, each replaceable
// with an [ErrorHandler] that receives the reason as an error to classify
// with [errors.Is]:
//
//   - unauthorized (no token, malformed, badly signed, expired, foreign
//     issuer, or refused by Fief's userinfo): 401 with
//     "WWW-Authenticate: Bearer", plus error="invalid_token" when a token
//     was presented ([Unauthorized], [Config].Unauthorized);
//   - forbidden (a valid token lacking a scope, the ACR or a permission):
//     403 with error="insufficient_scope", and the route's scopes in a
//     scope attribute when a scope is missing ([Forbidden],
//     [Config].Forbidden);
//   - unavailable (Fief cannot be reached or has no usable key): 503
//     ([Unavailable], [Config].Unavailable).
//
// Default answers never contain internal error text. On an [Optional] route
// an unauthorized request runs anonymously, but forbidden and unavailable
// are still answered.
//
// # For adapter authors
//
// The middleware is one decision with a net/http face; fiefgin, fiefecho,
// fiefgrpc and fiefconnect call the same decision, so that they reach the
// same answers. An adapter for another framework uses these, and only
// these:
//
//   - [Auth.Route] resolves route options into a [Route], once per route
//     (never per request);
//   - [Auth.RouteTable] does the same for services whose requests are
//     named (gRPC methods, Connect procedures): a default route, routes by
//     name, public names; [RouteTable.Lookup] finds a name's [Route];
//   - [Auth.Check] decides for an *http.Request (the Auth's [TokenGetter],
//     and the session refresh of a [WebFlow.Auth]), and
//     [Auth.CheckAuthorization] for Authorization header values read
//     elsewhere (gRPC metadata, a Connect header). Both return the context
//     the handler gets, carrying what [AccessTokenInfoFrom] and
//     [UserInfoFrom] read, or an error;
//   - [Classify] maps that error to an [Outcome] (unauthorized, forbidden,
//     unavailable), [Challenge] gives the WWW-Authenticate header of the
//     answer, for an adapter answering in its framework's way (a JSON body,
//     a status code of its protocol); [Auth.Fail] answers exactly as the
//     net/http middleware does, with the Auth's handlers;
//   - [Auth.Middleware] is the net/http middleware of a [Route].
//
// The decision logs the failures that are not the client's doing (Fief
// unavailable) once, with the Auth's logger: an adapter does not log them
// again. Failures keep the wrapped sentinels of package fief and of this
// package, for errors.Is.
//
// # Signing users in
//
// A [WebFlow], made by [NewWebFlow] from a [WebConfig], runs the
// authorization-code flow with PKCE (S256), state and nonce:
// [WebFlow.Unauthorized] (the unauthorized handler of [WebFlow.Auth]) and
// [WebFlow.Login] send the browser to Fief, keeping the flow's secrets in a
// short-lived, HttpOnly, SameSite=Lax, encrypted cookie named after its
// state (so several tabs can sign in at once); [WebFlow.Callback] checks the
// state, exchanges the code, starts the session and returns the user to the
// same-site path they first asked for; [WebFlow.Logout], on a same-origin
// POST, ends the session and drops the cached claims, then sends the browser
// to Fief's logout page. Cookies are Secure, and named with the [HostPrefix],
// unless [WebConfig].InsecureCookies is set for plain-http development.
//
//	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{})
//	auth := flow.Auth()
//	mux.Handle("GET /protected", auth.CurrentUser()(protectedHandler))
//	mux.HandleFunc("GET /auth-callback", flow.Callback)
//	mux.HandleFunc("GET /logout", flow.Logout)  // a page with a sign-out button
//	mux.HandleFunc("POST /logout", flow.Logout) // signs out
//
// # Sessions
//
// [WebConfig].Storage chooses where the session lives: the access token in
// the cookie ([StorageAccessToken], the default), the tokens in an AES-256-GCM
// sealed cookie ([StorageSealedCookie]), or a random ID in the cookie and the
// session in a [SessionStore] ([StorageServer]; [NewMemorySessionStore], or
// the Redis store of the fiefredis module). The last two refresh the access
// token inside [Auth.Check] before the handler runs, one refresh per session
// however many requests wait for it, and send page navigations that need a
// higher ACR ([MinACR]) or a recent sign-in ([MaxAge]) through Fief's login
// form and back ([WebFlow.Forbidden]).
//
// A failure the user sees (an expired sign-in link, a cancelled sign-in, Fief
// unreachable, a page the session has no access to, ...) gets a small page
// in words, with a button to start again ([DefaultPage]; the 403 page also
// links back to the page the user came from); [WebConfig].Page replaces it
// with the application's own, told the kind of failure ([Page]). The
// sign-out page of [WebFlow.Logout] has the same style. Every one of them
// carries [WebConfig].AppName in its title and heading.
//
// At startup, [fief.Client.Check] with [WebFlow.CheckOptions] tells whether
// Fief knows the client, its secret and the flow's redirect URI (known when
// [WebConfig].BaseURL is set). Failures the user sees only as an error page
// are logged to [WebConfig].Logger, by default the client's logger
// ([fief.Client.Logger]), which sends warnings to [log/slog.Default].
//
// The application is responsible for the routes (the callback must be served
// at [WebConfig].CallbackPath, registered as a redirect URI of the Fief
// client) and for any session state of its own, which it must clear on
// logout.
package fiefhttp
