package fieftest

import "testing"

func TestPythonStyle(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1,"b":[true,null,"x"]}`, `{"a": 1, "b": [true, null, "x"]}`},
		{`{"s":"a, b: c"}`, `{"s": "a, b: c"}`},
		{`"\u003cb\u003e \u0026 \u0008\u000c\n\t\"\\"`, `"<b> & \b\f\n\t\"\\"`},
		{`"Anne de Bretagne ✓ é"`, `"Anne de Bretagne \u2713 \u00e9"`},
		{`"🏰"`, `"\ud83c\udff0"`},
		{`"\u2028"`, `"\u2028"`},
	}
	for _, tt := range tests {
		if got := string(pythonStyle([]byte(tt.in))); got != tt.want {
			t.Errorf("pythonStyle(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
