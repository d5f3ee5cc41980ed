package fieftest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	if aw, ok := w.(*adminWriter); ok && !aw.legacy {
		b = zuluTimes(b)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// writeDetail answers FastAPI's default error body {"detail": detail}.
func writeDetail(w http.ResponseWriter, status int, detail any) {
	writeJSON(w, status, map[string]any{"detail": detail})
}

// writeInternalError answers a plain-text 500, like an unhandled exception.
func writeInternalError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte("Internal Server Error"))
}

// requestScheme is the scheme of the request as Fief (behind uvicorn with
// trusted forwarded headers) sees it.
func requestScheme(r *http.Request) string {
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		return strings.TrimSpace(strings.Split(p, ",")[0])
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// requestHost is the X-Forwarded-Host header if present, else Host.
func requestHost(r *http.Request) string {
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		return h
	}
	return r.Host
}

// absoluteURL builds an absolute URL on the request's host.
func absoluteURL(r *http.Request, path string) string {
	return requestScheme(r) + "://" + requestHost(r) + path
}

// redirect answers 302 to location.
func redirect(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusFound)
}

// redirectDetail answers a FastAPI RedirectResponse-like status with a JSON
// detail body (307 "Temporary Redirect", 303 "See Other").
func redirectDetail(w http.ResponseWriter, status int, location string) {
	w.Header().Set("Location", location)
	writeDetail(w, status, http.StatusText(status))
}

// param is one key/value of an ordered query or fragment.
type param struct{ k, v string }

// encodeParams form-encodes params in order (spaces as "+").
func encodeParams(ps []param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.v))
	}
	return b.String()
}

// withParams appends ps to the query of uri, or sets them as its fragment.
func withParams(uri string, ps []param, fragment bool) string {
	enc := encodeParams(ps)
	if fragment {
		if i := strings.IndexByte(uri, '#'); i >= 0 {
			uri = uri[:i]
		}
		return uri + "#" + enc
	}
	frag := ""
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri, frag = uri[:i], uri[i:]
	}
	switch {
	case !strings.Contains(uri, "?"):
		uri += "?" + enc
	case strings.HasSuffix(uri, "?") || strings.HasSuffix(uri, "&"):
		uri += enc
	default:
		uri += "&" + enc
	}
	return uri + frag
}
