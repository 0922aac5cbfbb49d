package schema

import "testing"

func TestDropControls(t *testing.T) {
	tests := []struct{ in, keep, want string }{
		{"plain text", "", "plain text"},
		{"tab\tline\ncr\r", "", "tab\tline\ncr\r"},
		{"esc \x1b[2Jbell\x07 del\x7f c1\u009b", "", "esc [2Jbell del c1"},
		{"mark \u0002word\u0003", "\u0002\u0003", "mark \u0002word\u0003"},
		{"mark \u0002word\u0003", "", "mark word"},
	}
	for _, tt := range tests {
		if got := DropControls(tt.in, tt.keep); got != tt.want {
			t.Errorf("DropControls(%q, %q) = %q, want %q", tt.in, tt.keep, got, tt.want)
		}
	}
	if got := DropBidiControls("evil\u202egnp.exe \u2066x\u2069"); got != "evilgnp.exe x" {
		t.Errorf("DropBidiControls = %q", got)
	}
}
