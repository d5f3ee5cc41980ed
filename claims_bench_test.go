package fief

import (
	"testing"
)

func BenchmarkCheckAccessClaims(b *testing.B) {
	c := mustNew(b, Config{BaseURL: "http://x", ClientID: "client"})
	payload := fzJSON(b, claimsAt(fzNow.Unix()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.checkAccessClaims(payload, testIssuer, fzNow); err != nil {
			b.Fatal(err)
		}
	}
}
