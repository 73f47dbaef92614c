package minutes_test

import (
	"testing"

	"github.com/convene/convene/app/minutes"
)

// TestWords: a change reads as whole words struck and inserted, spaces kept, and the two texts
// come back from the pieces.
func TestWords(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{"Se citaron Estonia, Chile y Uruguay.", "Se citaron Estonia, Chile, Uruguay y Colombia.",
			"Se citaron Estonia, [-Chile-][+Chile, Uruguay+] y [-Uruguay.-][+Colombia.+]"},
		{"uno dos tres", "uno tres", "uno [-dos -]tres"},
		{"", "nuevo texto", "[+nuevo texto+]"},
		{"igual", "igual", "igual"},
	} {
		got := ""
		old, new := "", ""
		for _, p := range minutes.Words(c.old, c.new) {
			switch p.Op {
			case 1:
				got += "[+" + p.Text + "+]"
				new += p.Text
			case -1:
				got += "[-" + p.Text + "-]"
				old += p.Text
			default:
				got += p.Text
				old, new = old+p.Text, new+p.Text
			}
		}
		if got != c.want || old != c.old || new != c.new {
			t.Errorf("%q → %q: %s, want %s", c.old, c.new, got, c.want)
		}
	}
}
