// Package consultation is the public consultation on a strategy's draft. This file is its
// first piece: a draft's numbered paragraphs, and how a comment anchored to a paragraph (and,
// if the commenter chose one, a quoted passage in it) finds its place again when a new version
// of the draft is published: exact, moved, fuzzy (with a score, for organisers to confirm) or
// orphaned (still shown as "on a paragraph of version N").
package consultation

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Paragraph is one numbered paragraph of a draft: the text between blank lines that is not a
// heading, numbered from 1 in order; Section is the heading it falls under.
type Paragraph struct {
	Number  int
	Section string
	Text    string
}

// Paragraphs splits a draft (Markdown) into its numbered paragraphs.
func Paragraphs(markdown string) []Paragraph {
	var out []Paragraph
	section := ""
	for block := range strings.SplitSeq(strings.ReplaceAll(markdown, "\r\n", "\n"), "\n\n") {
		block = strings.TrimSpace(block)
		switch {
		case block == "":
		case strings.HasPrefix(block, "#"):
			section = strings.TrimSpace(strings.TrimLeft(block, "#"))
		default:
			out = append(out, Paragraph{Number: len(out) + 1, Section: section, Text: block})
		}
	}
	return out
}

// Anchor is where a comment was made: a paragraph of a version and, optionally, a passage
// quoted in it with a little of the text around it.
type Anchor struct {
	Paragraph     int
	Quote         string
	Before, After string
}

// States of a comment's place in a newer version.
const (
	Exact    = "exact"    // the same paragraph (or passage), unchanged
	Moved    = "moved"    // unchanged, under another number
	Fuzzy    = "fuzzy"    // the most similar paragraph, with its score: for organisers to confirm
	Orphaned = "orphaned" // nothing close enough: shown on its old paragraph's version
)

// FuzzyFloor is the least similarity a paragraph needs to be offered as a comment's new place.
const FuzzyFloor = 0.5

// Placement is where an anchored comment stands in a newer version.
type Placement struct {
	Paragraph int // 0 when orphaned
	State     string
	Score     float64 // 1 for exact and moved
}

// Reanchor finds the place of a comment anchored in version old within version next: a quoted
// passage is looked for first (with its surroundings, in its own paragraph, then anywhere),
// then the paragraph's whole text, then the most similar paragraph.
func Reanchor(old []Paragraph, a Anchor, next []Paragraph) Placement {
	return NewPlacer(next).Place(old, a)
}

// Placer places anchors in one version, its paragraphs' words counted once for all of them.
type Placer struct {
	next   []Paragraph
	counts []map[string]int
	sizes  []int
	byText map[string]int // a paragraph's text → its first number
}

// NewPlacer prepares to place anchors in the version whose paragraphs are next.
func NewPlacer(next []Paragraph) *Placer {
	pl := &Placer{next: next, counts: make([]map[string]int, len(next)), sizes: make([]int, len(next)), byText: make(map[string]int, len(next))}
	for i, p := range next {
		ws := words(p.Text)
		pl.counts[i], pl.sizes[i] = tally(ws), len(ws)
		if _, ok := pl.byText[p.Text]; !ok {
			pl.byText[p.Text] = p.Number
		}
	}
	return pl
}

// Place is Reanchor's answer for the placer's version.
func (pl *Placer) Place(old []Paragraph, a Anchor) Placement {
	next := pl.next
	if a.Paragraph < 1 || a.Paragraph > len(old) {
		return Placement{State: Orphaned}
	}
	was := old[a.Paragraph-1].Text
	if a.Quote != "" {
		quote := a.Before + a.Quote + a.After
		if a.Paragraph <= len(next) && strings.Contains(next[a.Paragraph-1].Text, quote) {
			return Placement{Paragraph: a.Paragraph, State: Exact, Score: 1}
		}
		for _, p := range next {
			if strings.Contains(p.Text, quote) {
				return Placement{Paragraph: p.Number, State: Moved, Score: 1}
			}
		}
		was = a.Quote
	} else {
		if a.Paragraph <= len(next) && next[a.Paragraph-1].Text == was {
			return Placement{Paragraph: a.Paragraph, State: Exact, Score: 1}
		}
		if n, ok := pl.byText[was]; ok {
			return Placement{Paragraph: n, State: Moved, Score: 1}
		}
	}
	ws := words(was)
	mine := tally(ws)
	best := Placement{State: Orphaned}
	for i, p := range next {
		var score float64
		n := sharedCounts(mine, pl.counts[i])
		switch {
		case a.Quote != "" && len(ws) > 0:
			score = float64(n) / float64(len(ws)) // a short passage in a long paragraph is judged by its own words only
		case a.Quote == "" && len(ws)+pl.sizes[i] > 0:
			score = 2 * float64(n) / float64(len(ws)+pl.sizes[i]) // Dice: 1 the same words, 0 none shared
		}
		// Of paragraphs alike, the one at the old number wins: a paragraph edited in place.
		if score > best.Score || (score == best.Score && p.Number == a.Paragraph) {
			best = Placement{Paragraph: p.Number, State: Fuzzy, Score: score}
		}
	}
	if best.Score < FuzzyFloor {
		return Placement{State: Orphaned}
	}
	return best
}

// words are a text's words, lower case and without accents, for comparing texts as people
// read them.
func words(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return strings.FieldsFunc(b.String(), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// similarity is the Dice coefficient of two texts' words (counted with repeats): 1 the same
// words, 0 none shared.
func similarity(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa)+len(wb) == 0 {
		return 0
	}
	return 2 * float64(sharedCounts(tally(wa), tally(wb))) / float64(len(wa)+len(wb))
}

// tally counts a list's words.
func tally(ws []string) map[string]int {
	m := make(map[string]int, len(ws))
	for _, w := range ws {
		m[w]++
	}
	return m
}

// sharedCounts counts the words two tallies have in common, each as often as both have it.
func sharedCounts(a, b map[string]int) int {
	if len(b) < len(a) {
		a, b = b, a
	}
	n := 0
	for w, k := range a {
		n += min(k, b[w])
	}
	return n
}
