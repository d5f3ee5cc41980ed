// Package fiefadmin is a client of Fief's administration API: create,
// find, update and delete users; grant and revoke their roles and
// permissions; manage roles, permissions, clients, tenants, webhooks, email
// templates, OAuth providers and user fields, from a back-end service.
//
// # The client
//
// [New] makes a [Client] from the Fief server's URL and an admin API key
// (created in Fief's dashboard). The admin API lives at /admin/api at the
// root of the server, whatever the tenant, so a tenant's base URL works as
// well as the root URL. [NewFromConfig] reuses the HTTP client, logger and
// server of an application's [fief.Config]. The key never shows: [APIKey]
// prints as "[redacted]" under every fmt verb, in log/slog and in JSON.
//
//	admin, err := fiefadmin.New(fiefadmin.Config{
//		ServerURL: "https://fief.example.com",
//		APIKey:    fiefadmin.APIKey(os.Getenv("FIEF_ADMIN_API_KEY")),
//	})
//
// # The key in transit
//
// The admin key grants full control of the Fief workspace, so it never
// travels in clear: [New] refuses a plain http:// server unless it is a
// loopback one (localhost, 127.0.0.0/8, ::1) or [Config].InsecureAllowHTTP
// says so, and the client follows no redirect, with its own HTTP client or
// the caller's (a redirect is an [ErrRedirected] error naming where it
// pointed): net/http would follow one from https to http on the same host
// with the Authorization header. Error answers that are not Fief's JSON (a
// proxy's page, which may echo the request's headers) keep the start of
// their body in [Error.Body], the key replaced, and no printed or logged
// form of the error shows it.
//
// # Retries
//
// A call that fails in a way that may pass (an answer 500, 502, 503 or
// 504, a connection reset or refused) is tried again if repeating it has
// the same effect: GET, PATCH and DELETE, never POST; a DELETE that a
// retry finds already gone (404) is reported as done. The waits double,
// with jitter, within bounds on attempts and time; [RetryPolicy] sets them
// and [NoRetry] turns retries off.
//
// As in the admin API, calls are grouped by resource: admin.Users,
// admin.Roles, admin.Permissions, admin.Clients, admin.Tenants,
// admin.Webhooks, admin.EmailTemplates, admin.OAuthProviders and
// admin.UserFields. Every call takes a [context.Context] first. Objects
// have typed fields; ids are [UUID] values. Requests that change an object
// take pointer fields, nil meaning "leave as is" (see [Ptr]).
//
// # Lists
//
// Each list has two calls. List returns an iterator over every object,
// fetching pages as the loop goes and stopping as soon as it breaks:
//
//	for u, err := range admin.Users.List(ctx, &fiefadmin.UserListOptions{Query: "@example.com"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(u.Email)
//	}
//
// It always sends an ordering ([DefaultOrdering] unless told otherwise),
// because Fief has none by default and pages of an unordered list may
// overlap; it advances by the number of results received, because Fief
// silently caps a page at [MaxPageSize]; and it stops on an empty page.
// Against a server whose pages do not add up (the same page twice, a
// count that grows as fast as the list is read, more than
// [Config].MaxListPages pages) it stops with [ErrInconsistentList] instead
// of going on for ever. Oldest first, objects created during the loop come
// after the ones read: that is why Webhooks.Logs, too, walks oldest first.
// ListPage (and PermissionsPage, LogsPage, ...) returns a single [Page]
// with Fief's count, sending exactly the [ListOptions] given.
//
// # Custom user fields
//
// [User.Fields] keeps a user's custom fields as Fief sent them. Read them
// into the application's own struct with [FieldsOf] or into a map with
// [Fields.Map]; [UserCreate.Fields] and [UserUpdate.Fields] take a struct
// or a map.
//
// # Errors
//
// An error answer is an [*Error] with the status, Fief's detail, the
// password policy's reasons and the validation's field errors. Match it
// with [errors.Is]: a 400's business code is a [Code]
// (errors.Is(err, fiefadmin.CodeUserCreateAlreadyExists)); the statuses
// are [ErrBadRequest], [ErrUnauthorized], [ErrForbidden], [ErrNotFound]
// and [ErrInvalid] (422, with [Error.Fields] read from Fief's pydantic 1
// and pydantic 2 bodies alike). A Fief that cannot be reached, answers a
// 5xx or an unreadable body gives a [fief.ErrUnavailable], as the fief
// client does, and an [*Error] also reads as a [*fief.ResponseError].
//
// # Why hand-written
//
// Fief publishes an OpenAPI document of this API, and a generator could
// turn it into Go. The types here are written by hand instead, for what
// users see: a generated client exposes the document's shape (optional
// fields as nullable wrappers, one type per schema variant, names like
// PaginatedResultsUserRead_, errors as untyped bodies), and the document
// itself leaves out what matters most in practice: the 400/401/404
// bodies and the bodies of user creation and update, which Fief parses
// by hand because of custom user fields. Writing the types lets the
// package offer ids as UUIDs, the pages as iterators, errors that
// errors.Is understands and custom fields as the application's struct,
// and it costs no dependency. Every call is checked against request/answer
// pairs recorded on a real Fief server, and every type against the OpenAPI
// document.
package fiefadmin
