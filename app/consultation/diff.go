package consultation

import (
	"github.com/convene/convene/app/minutes"
)

// Change is what became of paragraphs between two versions: kept, moved, edited (word by
// word), added or removed. From are the older version's paragraphs it came from.
type Change struct {
	Kind   string // same, moved, edited, added, removed
	To     int    // the paragraph in the newer version (0: removed)
	From   []int
	Score  float64
	Pieces []minutes.Piece
	Text   string // the newer text (or the removed one)
}

// Kinds of change.
const (
	ChangeSame    = "same"
	ChangeMoved   = "moved"
	ChangeEdited  = "edited"
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
)

// Compare lists, in the newer version's order, what became of each paragraph of the older one;
// a removed paragraph comes after the one that preceded it.
func Compare(older, newer []Paragraph) []Change {
	from := make(map[int][]int, len(newer))
	kind := map[int]string{}
	score := map[int]float64{}
	var removed []int
	for _, p := range older {
		at := Reanchor(older, Anchor{Paragraph: p.Number}, newer)
		if at.State == Orphaned {
			removed = append(removed, p.Number)
			continue
		}
		from[at.Paragraph] = append(from[at.Paragraph], p.Number)
		k := ChangeEdited
		switch at.State {
		case Exact:
			k = ChangeSame
		case Moved:
			k = ChangeMoved
		}
		if prev, ok := kind[at.Paragraph]; !ok || prev == ChangeSame || prev == ChangeMoved {
			if ok {
				k = ChangeEdited // two paragraphs became one
			}
			kind[at.Paragraph], score[at.Paragraph] = k, at.Score
		}
	}
	var out []Change
	placeRemoved := func(upTo int) {
		for len(removed) > 0 && removed[0] <= upTo {
			n := removed[0]
			removed = removed[1:]
			out = append(out, Change{Kind: ChangeRemoved, From: []int{n}, Text: older[n-1].Text})
		}
	}
	for _, p := range newer {
		origins := from[p.Number]
		if len(origins) > 0 {
			placeRemoved(origins[0])
		}
		c := Change{To: p.Number, From: origins, Text: p.Text, Kind: kind[p.Number], Score: score[p.Number]}
		switch {
		case len(origins) == 0:
			c.Kind = ChangeAdded
			c.Pieces = []minutes.Piece{{Op: 1, Text: p.Text}}
		case c.Kind == ChangeEdited:
			was := ""
			for i, n := range origins {
				if i > 0 {
					was += "\n\n"
				}
				was += older[n-1].Text
			}
			c.Pieces = minutes.Words(was, p.Text)
		}
		out = append(out, c)
	}
	placeRemoved(len(older))
	return out
}
