package fiefhttp

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestIsSafeReturnPath(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"/", true},
		{"/protected", true},
		{"/a/b?c=d&e=%2F#frag", true},
		{"/caf%C3%A9", true},
		{"", false},
		{"protected", false},
		{"//evil.example", false},
		{"///evil.example", false},
		{`/\evil.example`, false},
		{`\/evil.example`, false},
		{`/a\b`, false},
		{"https://evil.example", false},
		{"javascript:alert(1)", false},
		{"/\t/evil.example", false},
		{"/\r\n/evil.example", false},
		{"/x\x7f", false},
		{"/ x", false},
		{"/%2F%2Fevil.example", false},
		{"/%2f/evil.example", false},
		{"/" + strings.Repeat("a", maxReturnPath), false},
	}
	for _, tt := range tests {
		if got := isSafeReturnPath(tt.p); got != tt.want {
			t.Errorf("isSafeReturnPath(%q) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

// FuzzIsSafeReturnPath checks that an accepted path, resolved by a browser
// (as Go's URL resolution does) against this site, stays on this site.
func FuzzIsSafeReturnPath(f *testing.F) {
	for _, s := range []string{"/", "/a?b#c", "//evil", `/\evil`, "/\t/evil", "/%2F/evil", "http://evil", "/.//evil", "/..//evil"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.example/x/y")
	f.Fuzz(func(t *testing.T, p string) {
		if !isSafeReturnPath(p) {
			return
		}
		u, err := base.Parse(p)
		if err != nil {
			t.Fatalf("accepted %q that does not parse: %v", p, err)
		}
		if u.Host != "app.example" || u.Scheme != "https" || u.User != nil {
			t.Fatalf("accepted %q leaves the site: %s", p, u)
		}
		if strings.ContainsAny(p, "\\\t\r\n") {
			t.Fatalf("accepted %q with a character browsers rewrite", p)
		}
	})
}

func mustSealer(t testing.TB, keys ...string) *sealer {
	t.Helper()
	var bs [][]byte
	for _, k := range keys {
		bs = append(bs, []byte(k))
	}
	s, err := newSealer(bs, purposeFlowCookie)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const (
	testKeyA = "0123456789abcdef0123456789abcdef"
	testKeyB = "fedcba9876543210fedcba9876543210"
)

func TestFlowCookieRoundTrip(t *testing.T) {
	key := mustSealer(t, testKeyA)
	now := time.Unix(1_700_000_000, 0)
	d := flowData{Verifier: "v", Nonce: "n", Return: "/r?x=1", Expires: now.Add(time.Minute).Unix()}
	v := sealFlow(key, "flow_s", d)
	tests := []struct {
		name  string
		key   *sealer
		cname string
		value string
		at    time.Time
		ok    bool
	}{
		{"valid", key, "flow_s", v, now, true},
		{"rotated: the old key is second", mustSealer(t, testKeyB, testKeyA), "flow_s", v, now, true},
		{"other key", mustSealer(t, testKeyB), "flow_s", v, now, false},
		{"other cookie name", key, "flow_t", v, now, false},
		{"expired", key, "flow_s", v, now.Add(time.Minute), false},
		{"not base64", key, "flow_s", v[:10] + "." + v[11:], now, false},
		{"empty", key, "flow_s", "", now, false},
		{"truncated", key, "flow_s", v[:len(v)-2], now, false},
		{"no PKCE verifier", key, "flow_s", sealFlow(key, "flow_s", flowData{Nonce: "n", Expires: d.Expires}), now, false},
		{"no nonce", key, "flow_s", sealFlow(key, "flow_s", flowData{Verifier: "v", Expires: d.Expires}), now, false},
	}
	for _, tt := range tests {
		got, err := openFlow(tt.key, tt.cname, tt.value, tt.at)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err %v, want ok=%v", tt.name, err, tt.ok)
		}
		if tt.ok && got != d {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, d)
		}
	}
	if strings.Contains(v, "verifier") || strings.Contains(v, "/r?x=1") {
		t.Error("the flow cookie shows its content")
	}
}

func FuzzOpenFlow(f *testing.F) {
	key := mustSealer(f, testKeyA)
	f.Add(sealFlow(key, "n", flowData{Verifier: "v", Nonce: "n", Expires: 1 << 40}))
	f.Add("a.b")
	f.Add(".")
	f.Fuzz(func(t *testing.T, v string) {
		d, err := openFlow(key, "n", v, time.Unix(0, 0))
		if err == nil && (d.Expires <= 0 || d.Verifier == "" || d.Nonce == "") {
			t.Fatalf("opened %q into an expired or incomplete flow %+v", v, d)
		}
	})
}
