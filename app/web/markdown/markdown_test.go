package markdown

import (
	"regexp"
	"strings"
	"testing"
)

// TestHTML: what people write in Markdown comes out as its HTML, and nothing that runs or
// restyles the page survives, whether written as HTML or smuggled through a link.
func TestHTML(t *testing.T) {
	r := New()
	for _, c := range []struct {
		name, in    string
		has, hasNot []string
	}{
		{"lists and emphasis", "- *uno*\n- **dos**", []string{"<li><em>uno</em></li>", "<strong>dos</strong>"}, nil},
		{"links", "[ley](https://example.org/ley)", []string{`href="https://example.org/ley"`, `rel="nofollow"`}, nil},
		{"raw HTML is dropped", "<script>alert(1)</script><b onclick=x>hola</b>", nil, []string{"<script", "onclick", "alert(1)</script>"}},
		{"javascript links are dropped", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"styles are dropped", `<p style="position:fixed">x</p>`, nil, []string{"style="}},
		{"tables", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := string(r.HTML(c.in))
			for _, h := range c.has {
				if !strings.Contains(got, h) {
					t.Errorf("%q: %s lacks %s", c.in, got, h)
				}
			}
			for _, h := range c.hasNot {
				if strings.Contains(got, h) {
					t.Errorf("%q: %s holds %s", c.in, got, h)
				}
			}
		})
	}
}

// FuzzHTML: no input makes a script or an event handler come out.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{"<script>x</script>", "[a](javascript:x)", "<img src=x onerror=y>", "*a*"} {
		f.Add(s)
	}
	r := New()
	// Text may say anything (escaped, "<" is "&lt;"): only tags and attributes are checked.
	bad := regexp.MustCompile(`<script|<style|<iframe|<[a-z][^>]*\s(on[a-z]+|style)=|(href|src)="\s*javascript:`)
	f.Fuzz(func(t *testing.T, s string) {
		if got := strings.ToLower(string(r.HTML(s))); bad.MatchString(got) {
			t.Fatalf("%q gave %q", s, got)
		}
	})
}
