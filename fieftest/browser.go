package fieftest

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
)

// BrowserClient returns a new HTTP client that behaves like a browser in
// the login flow: it has its own cookie jar and follows redirects within
// the server, but stops at a redirect that leaves it (such as the redirect
// back to a client's redirect_uri), returning that redirect response. Its
// idle connections are closed by [Server.Close].
func (s *Server) BrowserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := s.Client()
	s.mu.Lock()
	base := s.URL
	s.mu.Unlock()
	c.Jar = jar
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		if !strings.HasPrefix(req.URL.String(), base+"/") {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return c
}
