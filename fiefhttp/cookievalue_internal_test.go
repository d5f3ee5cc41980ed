package fiefhttp

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// validCookieValueBytes is validCookieValue a byte at a time, as net/http
// checks it.
func validCookieValueBytes(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e || c == '"' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// TestValidCookieValue: every byte value at every position of a word, and
// at the tail, and every pair of byte values in one word, against the
// byte-wise check.
func TestValidCookieValue(t *testing.T) {
	base := []byte(strings.Repeat("aZ09-_.~", 3))
	for pos := range len(base) - 3 {
		for c := range 256 {
			v := append([]byte(nil), base[:len(base)-3]...)
			v[pos] = byte(c)
			if got, want := validCookieValue(string(v)), validCookieValueBytes(string(v)); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, pos, got, want)
			}
		}
	}
	for a := range 256 {
		for b := range 256 {
			v := []byte("xxxxxxxx")
			v[2], v[5] = byte(a), byte(b)
			if got, want := validCookieValue(string(v)), validCookieValueBytes(string(v)); got != want {
				t.Fatalf("bytes %#x, %#x: %v, want %v", a, b, got, want)
			}
		}
	}
}

// FuzzCookieValue holds cookieValue to http.Request.Cookie on any Cookie
// header lines and name.
func FuzzCookieValue(f *testing.F) {
	f.Add("a=1; __Host-s=abc; b=2", "", "__Host-s")
	f.Add(`s="quoted"; s=second`, "s=third", "s")
	f.Add("s=bad\\value; s=good", "", "s")
	f.Add("  s = v ;s=w", "x", "s")
	f.Add(`s=""; s="`, "", "s")
	f.Fuzz(func(t *testing.T, line1, line2, name string) {
		r := &http.Request{Header: http.Header{"Cookie": {line1}}}
		if line2 != "" {
			r.Header["Cookie"] = append(r.Header["Cookie"], line2)
		}
		if strings.Count(line1, ";")+strings.Count(line2, ";") > 2000 {
			return // past Request.Cookie's limit on the number of cookies
		}
		got, ok := cookieValue(r, name)
		c, err := r.Cookie(name)
		if (err == nil) != ok || (ok && got != c.Value) {
			t.Fatalf("cookieValue = %q, %v; Request.Cookie = %v, %v", got, ok, c, err)
		}
	})
}

func BenchmarkCookieValue(b *testing.B) {
	v := make([]byte, 1375)
	for i := range v {
		v[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[rand.IntN(64)]
	}
	r := &http.Request{Header: http.Header{"Cookie": {"other=1; __Host-fiefhttp_session=" + string(v)}}}
	b.Run("fiefhttp", func(b *testing.B) {
		for b.Loop() {
			cookieValue(r, "__Host-fiefhttp_session")
		}
	})
	b.Run("net-http", func(b *testing.B) {
		for b.Loop() {
			r.Cookie("__Host-fiefhttp_session")
		}
	})
}
