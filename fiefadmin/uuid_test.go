package fiefadmin_test

import (
	"encoding/json"
	"testing"

	"github.com/fief-dev/fief-go/fiefadmin"
)

func TestUUID(t *testing.T) {
	const s = "c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0"
	u, err := fiefadmin.ParseUUID("C7F7D598-0FFE-487B-88B8-7A6E4D95C9F0")
	if err != nil {
		t.Fatal(err)
	}
	if u.String() != s || u.IsZero() {
		t.Errorf("String() = %s, IsZero = %t", u, u.IsZero())
	}
	b, err := json.Marshal(map[string]fiefadmin.UUID{"id": u})
	if err != nil || string(b) != `{"id":"`+s+`"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	var back struct{ ID fiefadmin.UUID }
	if err := json.Unmarshal([]byte(`{"ID":"`+s+`"}`), &back); err != nil || back.ID != u {
		t.Errorf("Unmarshal = %v, %v", back.ID, err)
	}
	if !(fiefadmin.UUID{}).IsZero() {
		t.Error("the zero UUID is not zero")
	}
	for _, bad := range []string{"", "not-a-uuid", s[:35], s + "0", "c7f7d598x0ffe-487b-88b8-7a6e4d95c9f0", "g7f7d598-0ffe-487b-88b8-7a6e4d95c9f0", "c7f7d5980ffe487b88b87a6e4d95c9f0"} {
		if _, err := fiefadmin.ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q): no error", bad)
		}
	}
	if err := json.Unmarshal([]byte(`{"ID":"nope"}`), &back); err == nil {
		t.Error("Unmarshal of a bad UUID: no error")
	}
}

func FuzzParseUUID(f *testing.F) {
	f.Add("c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0")
	f.Add("not-a-uuid")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := fiefadmin.ParseUUID(s)
		if err != nil {
			return
		}
		again, err := fiefadmin.ParseUUID(u.String())
		if err != nil || again != u {
			t.Errorf("%q parses to %s which does not parse back", s, u)
		}
	})
}
