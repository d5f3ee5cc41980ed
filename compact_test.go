package fief

import "testing"

func TestCheckCompact(t *testing.T) {
	for _, tc := range []struct {
		token string
		ok    bool
	}{
		{"eyJh.eyJi.c2ln", true},
		{"eyJh.eyJi.", true},
		{"QQ.QUI.QUJD", true},   // 1, 2 and 3 bytes
		{"QR.QUI.QUJD", false},  // non-zero trailing bits (2-char segment)
		{"QQ.QUJ.QUJD", false},  // non-zero trailing bits (3-char segment)
		{"QQ.QUI.QUJDR", false}, // impossible length
		{"eyJh.eyJi", false},
		{"eyJh.eyJi.c2ln.c2ln", false},
		{"eyJh.eyJi.c2ln\n", false},
		{"eyJh.ey\nJi.c2ln", false},
		{"eyJh.eyJi.c2l+", false},
		{"eyJh.eyJi.c2l/", false},
		{"eyJh.eyJi.c2ln==", false},
		{"eyJh .eyJi.c2ln", false},
		{"", false},
	} {
		err := checkCompact(tc.token)
		if (err == nil) != tc.ok {
			t.Errorf("checkCompact(%q) = %v, want ok=%v", tc.token, err, tc.ok)
		}
	}
}
