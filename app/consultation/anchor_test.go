package consultation_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/convene/convene/app/consultation"
)

const version1 = `# Objetivo general

Fortalecer las capacidades del Estado para prevenir y responder a incidentes de ciberseguridad.

# Ejes transversales

La cultura de ciberseguridad se promoverá en escuelas, empresas y gobierno.

El marco jurídico se revisará con salvaguardas de derechos humanos.

Los estándares técnicos seguirán las recomendaciones internacionales.`

// TestParagraphs: a draft's paragraphs are numbered in order across its sections, headings
// apart.
func TestParagraphs(t *testing.T) {
	ps := consultation.Paragraphs(strings.ReplaceAll(version1, "\n", "\r\n"))
	if len(ps) != 4 || ps[0].Number != 1 || ps[0].Section != "Objetivo general" || ps[3].Number != 4 ||
		ps[3].Section != "Ejes transversales" || !strings.HasPrefix(ps[2].Text, "El marco jurídico") {
		t.Fatalf("paragraphs: %+v", ps)
	}
}

// TestReanchor: over the edits a draft goes through (unchanged, typo fixed, sentence added,
// paragraphs added, reordered, split, merged, deleted), a comment keeps its place when its
// paragraph is unchanged, follows it when it moves, goes to the edited paragraph as fuzzy with a
// score, and is orphaned when its paragraph is gone, never landing on another paragraph; a
// quoted passage is found where it went, even in a paragraph rewritten around it.
func TestReanchor(t *testing.T) {
	old := consultation.Paragraphs(version1)
	inserted := consultation.Paragraphs(strings.Replace(version1, "# Ejes transversales\n\n",
		"# Ejes transversales\n\nUn párrafo nuevo sobre la gobernanza de la estrategia.\n\n", 1))
	edited := consultation.Paragraphs(strings.Replace(version1, "se revisará con salvaguardas de derechos humanos.",
		"se revisará con salvaguardas explícitas de derechos humanos y de la libertad de expresión.", 1))
	removed := consultation.Paragraphs(strings.Replace(version1, "El marco jurídico se revisará con salvaguardas de derechos humanos.\n\n", "", 1))
	quote := consultation.Anchor{Paragraph: 3, Before: "con ", Quote: "salvaguardas de derechos humanos", After: "."}
	rewritten := consultation.Paragraphs(strings.Replace(version1, "El marco jurídico se revisará con salvaguardas de derechos humanos.",
		"Toda reforma penal llevará salvaguardas de derechos humanos.", 1))
	typo := consultation.Paragraphs(strings.Replace(version1, "La cultura de ciberseguridad se promoverá en escuelas",
		"La cultura de ciberseguridad se promoverá en las escuelas", 1))
	sentence := consultation.Paragraphs(strings.Replace(version1, "salvaguardas de derechos humanos.",
		"salvaguardas de derechos humanos. El Congreso participará en cada revisión.", 1))
	reordered := consultation.Paragraphs(strings.Replace(version1,
		"La cultura de ciberseguridad se promoverá en escuelas, empresas y gobierno.\n\nEl marco jurídico se revisará con salvaguardas de derechos humanos.",
		"El marco jurídico se revisará con salvaguardas de derechos humanos.\n\nLa cultura de ciberseguridad se promoverá en escuelas, empresas y gobierno.", 1))
	split := consultation.Paragraphs(strings.Replace(version1, "en escuelas, empresas y gobierno.",
		"en escuelas y universidades, con docentes formados.\n\nTambién en empresas y en el gobierno, con campañas anuales.", 1))
	merged := consultation.Paragraphs(strings.Replace(version1, "derechos humanos.\n\nLos estándares",
		"derechos humanos, y los estándares", 1))
	for _, c := range []struct {
		name      string
		anchor    consultation.Anchor
		next      []consultation.Paragraph
		paragraph int
		state     string
	}{
		{"unchanged", consultation.Anchor{Paragraph: 3}, old, 3, consultation.Exact},
		{"a paragraph added before it", consultation.Anchor{Paragraph: 3}, inserted, 4, consultation.Moved},
		{"edited in place", consultation.Anchor{Paragraph: 3}, edited, 3, consultation.Fuzzy},
		{"taken out", consultation.Anchor{Paragraph: 3}, removed, 0, consultation.Orphaned},
		{"a quote in its unchanged paragraph", quote, old, 3, consultation.Exact},
		{"a quote that moved with its paragraph", quote, inserted, 4, consultation.Moved},
		{"a quote whose paragraph was rewritten around it", quote, rewritten, 3, consultation.Fuzzy},
		{"a paragraph that never was", consultation.Anchor{Paragraph: 9}, old, 0, consultation.Orphaned},
		{"a typo fixed", consultation.Anchor{Paragraph: 2}, typo, 2, consultation.Fuzzy},
		{"a typo fixed, its neighbour", consultation.Anchor{Paragraph: 3}, typo, 3, consultation.Exact},
		{"a sentence added", consultation.Anchor{Paragraph: 3}, sentence, 3, consultation.Fuzzy},
		{"a quote in a paragraph a sentence was added to", quote, sentence, 3, consultation.Exact},
		{"paragraphs reordered", consultation.Anchor{Paragraph: 2}, reordered, 3, consultation.Moved},
		{"paragraphs reordered, the other", consultation.Anchor{Paragraph: 3}, reordered, 2, consultation.Moved},
		{"a quote in a reordered paragraph", quote, reordered, 2, consultation.Moved},
		{"split in two: the part that keeps most of it", consultation.Anchor{Paragraph: 2}, split, 2, consultation.Fuzzy},
		{"split in two: a quote in the second part", consultation.Anchor{Paragraph: 2, Quote: "empresas"}, split, 3, consultation.Moved},
		{"split in two: the paragraph after it", consultation.Anchor{Paragraph: 3}, split, 4, consultation.Moved},
		{"merged: the first", consultation.Anchor{Paragraph: 3}, merged, 3, consultation.Fuzzy},
		{"merged: the second", consultation.Anchor{Paragraph: 4}, merged, 3, consultation.Fuzzy},
		{"deleted: its neighbour stays", consultation.Anchor{Paragraph: 4}, removed, 3, consultation.Moved},
		{"deleted: a quote in it", quote, removed, 0, consultation.Orphaned},
	} {
		got := consultation.Reanchor(old, c.anchor, c.next)
		if got.Paragraph != c.paragraph || got.State != c.state {
			t.Errorf("%s: %+v, want paragraph %d %s", c.name, got, c.paragraph, c.state)
		}
		if got.State == consultation.Fuzzy && (got.Score < consultation.FuzzyFloor || got.Score > 1) {
			t.Errorf("%s: a fuzzy score of %v", c.name, got.Score)
		}
	}
}

// FuzzReanchor: whatever the drafts and the anchor, a placement names a paragraph of the new
// version (or none, orphaned), with a score between 0 and 1.
func FuzzReanchor(f *testing.F) {
	f.Add(version1, version1, 3, "salvaguardas", "con ", ".")
	f.Add("a\n\nb", "", 1, "", "", "")
	f.Fuzz(func(t *testing.T, a, b string, n int, quote, before, after string) {
		next := consultation.Paragraphs(b)
		got := consultation.Reanchor(consultation.Paragraphs(a), consultation.Anchor{Paragraph: n, Quote: quote, Before: before, After: after}, next)
		if got.Score < 0 || got.Score > 1 || got.Paragraph < 0 || got.Paragraph > len(next) || (got.State == consultation.Orphaned) != (got.Paragraph == 0) {
			t.Fatalf("%+v for %d paragraphs", got, len(next))
		}
	})
}

// TestCompare: the diff between two versions says of each paragraph whether it stayed, moved,
// was edited (word by word), added or removed, a removed one shown where it stood.
func TestCompare(t *testing.T) {
	old := consultation.Paragraphs(version1)
	next := consultation.Paragraphs(strings.Replace(strings.Replace(version1,
		"La cultura de ciberseguridad se promoverá en escuelas, empresas y gobierno.\n\n", "", 1),
		"humanos.", "humanos y libertades.\n\nUn párrafo nuevo sobre presupuesto.", 1))
	got := consultation.Compare(old, next)
	var kinds []string
	for _, c := range got {
		kinds = append(kinds, fmt.Sprintf("%s %d<-%v", c.Kind, c.To, c.From))
	}
	want := "same 1<-[1] removed 0<-[2] edited 2<-[3] added 3<-[] same 4<-[4]"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("changes:\n%s\nwant\n%s", strings.Join(kinds, " "), want)
	}
	if ed := got[2]; len(ed.Pieces) < 2 || ed.Pieces[len(ed.Pieces)-1].Op != 1 {
		t.Fatalf("the edit's pieces: %+v", ed.Pieces)
	}
}
