package fiefconnect

import "testing"

func TestProcedureOf(t *testing.T) {
	for path, want := range map[string]string{
		"/castles.v1.CastleService/Storm":     "/castles.v1.CastleService/Storm",
		"/api/castles.v1.CastleService/Storm": "/castles.v1.CastleService/Storm",
		"/castles.v1.CastleService/Storm/":    "",
		"/castles.v1.CastleService//Storm":    "",
		"//Storm":                             "",
		"/Storm":                              "",
		"":                                    "",
		"/":                                   "",
		"castles.v1.CastleService/Storm":      "",
	} {
		if got := procedureOf(path); got != want {
			t.Errorf("procedureOf(%q) = %q, want %q", path, got, want)
		}
	}
}
