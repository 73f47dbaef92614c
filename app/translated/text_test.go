package translated

import (
	"reflect"
	"testing"
)

func TestIn(t *testing.T) {
	tx := Text{"es": "Hola", "en": "Hello"}
	cases := []struct {
		name      string
		text      Text
		lang      string
		fallbacks []string
		want      string
	}{
		{"exact", tx, "en", nil, "Hello"},
		{"fallback", tx, "fr", []string{"es"}, "Hola"},
		{"blank is missing", Text{"en": "", "es": "Hola"}, "en", []string{"es"}, "Hola"},
		{"any when no fallback matches", Text{"es": "Hola"}, "en", []string{"fr"}, "Hola"},
		{"empty", Text{}, "en", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.text.In(c.lang, c.fallbacks...); got != c.want {
				t.Fatalf("In(%q) = %q, want %q", c.lang, got, c.want)
			}
		})
	}
}

func TestMissingAndTrimmed(t *testing.T) {
	tx := Text{"es": "  Hola ", "en": "   "}.Trimmed()
	if !reflect.DeepEqual(tx, Text{"es": "Hola"}) {
		t.Fatalf("Trimmed = %v", tx)
	}
	if got := tx.Missing([]string{"es", "en"}); !reflect.DeepEqual(got, []string{"en"}) {
		t.Fatalf("Missing = %v, want [en]", got)
	}
}

func TestScanValueRoundTrip(t *testing.T) {
	in := Text{"es": "Política \"nacional\"", "en": "National <policy>"}
	v, err := in.Value()
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []any{v, []byte(v.(string))} {
		var out Text
		if err := out.Scan(src); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(in, out) {
			t.Fatalf("round trip = %v, want %v", out, in)
		}
	}
	var bad Text
	if err := bad.Scan("not json"); err == nil {
		t.Fatal("Scan of bad JSON succeeded")
	}
}
