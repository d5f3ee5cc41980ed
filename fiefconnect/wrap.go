package fiefconnect

import (
	"net/http"
	"strings"

	"connectrpc.com/connect"
)

// Wrap returns HTTP middleware around Connect handlers (h is typically the
// mux they are mounted on) making the interceptor's decision before the
// request is decompressed and unmarshalled, as connectrpc.com/authn does. A
// refused call is answered with [Config.ErrorHandler]'s error, written by a
// [connect.ErrorWriter] in the call's protocol; opts must be the handler
// options the Connect handlers were built with (their codecs and
// compressors). The handlers and interceptors behind it read the token's
// info with [AccessTokenInfo].
//
// The procedure is read from the request path's last two segments
// ("/package.Service/Method"), which matches the handlers' procedure when
// they are mounted at their own path or under a stripped prefix. A path
// that names no procedure gets [Config.Default]: wrap only the Connect
// handlers, not a mux that also serves other routes. Prefer the
// interceptor itself, which gets the procedure from Connect, when the mux
// may route other paths to Connect handlers.
func (i *Interceptor) Wrap(h http.Handler, opts ...connect.HandlerOption) http.Handler {
	ew := connect.NewErrorWriter(opts...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, err := i.Authenticate(r.Context(), procedureOf(r.URL.Path), r.Header)
		if err != nil {
			challengeToHeader(err, w.Header())
			_ = ew.Write(w, r, err) // the client is gone if it fails
			return
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// procedureOf returns the "/package.Service/Method" that ends path, or ""
// when the path does not end with two non-empty segments.
func procedureOf(path string) string {
	m := strings.LastIndexByte(path, '/')
	if m <= 0 || m == len(path)-1 {
		return ""
	}
	s := strings.LastIndexByte(path[:m], '/')
	if s < 0 || s == m-1 {
		return ""
	}
	return path[s:]
}
