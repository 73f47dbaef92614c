package minutes

import (
	"regexp"
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Comparing two published versions: each text field word by word, and the inputs by their
// numbers (added, removed, changed), as the public reads a correction.

// Piece is a run of words that both versions share (Op 0), that the newer adds (1) or drops (-1).
type Piece struct {
	Op   int
	Text string
}

// Change is one field's or one input's difference between two versions.
type Change struct {
	Field  string // summary, takeaways, calls_to_action, presentations, speakers, gender_notes; "" for an input
	Number int64  // the input's
	Kind   string // added, removed, changed
	Pieces []Piece
	// Tags: the input's kind, topics, groups, speaker or commitment changed.
	Tags bool
}

// Diff is what changed from one version to another.
type Diff struct {
	From, To Version
	Changes  []Change
}

// Compare lists what changed from version a to version b.
func Compare(a, b Version) Diff {
	d := Diff{From: a, To: b}
	for _, f := range []struct {
		name     string
		old, new string
	}{
		{"summary", a.Content.Summary, b.Content.Summary},
		{"takeaways", a.Content.Takeaways, b.Content.Takeaways},
		{"calls_to_action", a.Content.CallsToAction, b.Content.CallsToAction},
		{"presentations", a.Content.Report.Presentations, b.Content.Report.Presentations},
		{"speakers", speakerLines(a.Content.Report.Speakers), speakerLines(b.Content.Report.Speakers)},
		{"gender_notes", a.Content.Report.Gender.Notes, b.Content.Report.Gender.Notes},
	} {
		if f.old != f.new {
			d.Changes = append(d.Changes, Change{Field: f.name, Kind: "changed", Pieces: Words(f.old, f.new)})
		}
	}
	for _, x := range a.Content.Inputs {
		y := contentOf(b.Content, x.Number)
		switch {
		case y == nil:
			d.Changes = append(d.Changes, Change{Number: x.Number, Kind: "removed", Pieces: []Piece{{Op: -1, Text: x.Body}}})
		case !sameInput(x, *y):
			d.Changes = append(d.Changes, Change{Number: x.Number, Kind: "changed", Pieces: Words(x.Body, y.Body), Tags: !sameTags(x, *y)})
		}
	}
	for _, y := range b.Content.Inputs {
		if contentOf(a.Content, y.Number) == nil {
			d.Changes = append(d.Changes, Change{Number: y.Number, Kind: "added", Pieces: []Piece{{Op: 1, Text: y.Body}}})
		}
	}
	return d
}

var token = regexp.MustCompile(`\s+|[^\s]+`)

// Words compares two texts word by word: each word (or run of spaces) becomes one symbol of
// a diff-match-patch diff, so a change reads as whole words struck and inserted.
func Words(old, new string) []Piece {
	ids := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var out []rune
		for _, w := range token.FindAllString(s, -1) {
			r, ok := ids[w]
			if !ok {
				r = symbol(len(words))
				ids[w] = r
				words = append(words, w)
			}
			out = append(out, r)
		}
		return out
	}
	a, b := encode(old), encode(new)
	dmp := diffmatchpatch.New()
	var out []Piece
	for _, d := range dmp.DiffMainRunes(a, b, false) {
		var text strings.Builder
		for _, r := range d.Text {
			text.WriteString(words[index(r)])
		}
		op := 0
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = 1
		case diffmatchpatch.DiffDelete:
			op = -1
		}
		out = append(out, Piece{Op: op, Text: text.String()})
	}
	return out
}

// symbol is the n-th word's rune, skipping the surrogates, which no string holds.
func symbol(n int) rune {
	if n >= 0xD800 {
		n += 0x800
	}
	return rune(n)
}

func index(r rune) int {
	if r >= 0xE000 {
		return int(r) - 0x800
	}
	return int(r)
}

func sameInput(a, b InputContent) bool { return a.Body == b.Body && sameTags(a, b) }

func sameTags(a, b InputContent) bool {
	return a.Kind == b.Kind && slices.Equal(a.Topics, b.Topics) && slices.Equal(a.Groups, b.Groups) && slices.Equal(a.Questions, b.Questions) &&
		a.Speaker == b.Speaker && a.By == b.By && a.ByGroup == b.ByGroup && a.Due == b.Due
}

// speakerLines are speakers as text, one a line, for comparing.
func speakerLines(sps []Speaker) string {
	var b strings.Builder
	for _, sp := range sps {
		b.WriteString(sp.Name)
		if sp.Organisation != "" {
			b.WriteString(", " + sp.Organisation)
		}
		b.WriteString("\n")
	}
	return b.String()
}
