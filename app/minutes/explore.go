package minutes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// The input explorer: a process's published inputs, filtered by objective or axis, kind,
// stakeholder group, forum and what became of them, and searched by their words in Spanish and
// English. Only inputs of published minutes, at forums the public sees, are ever found.

// MaxQuery bounds a search's text; MaxCount is as far as matches are counted (Explore says
// MaxCount+1 when there are more).
const (
	MaxQuery = 200
	MaxCount = 1000
)

// Filter is what the explorer is asked.
type Filter struct {
	Query    string
	Topic    int64
	Kind     string
	Group    string
	ForumID  int64
	Standing string
	Limit    int
	Offset   int
}

// Check refuses a filter no input could match for a reason the person should hear (a search
// too long, a kind or standing that does not exist), naming the field.
func (f Filter) Check() error {
	var es validate.Errors
	if len([]rune(f.Query)) > MaxQuery {
		es.Add("q", validate.TooLong, map[string]any{"Max": MaxQuery})
	}
	if f.Kind != "" && !slices.Contains(Kinds(), f.Kind) {
		es.Add("kind", CodeKind, nil)
	}
	if f.Standing != "" && !slices.Contains(Dispositions(), f.Standing) {
		es.Add("standing", CodeDisposition, nil)
	}
	return es.Err()
}

// hitColumns are what a Hit reads (not i.*: PostgreSQL's inputs also hold their search vector).
const hitColumns = "i.id, i.process_id, i.minutes_id, i.number, i.kind, i.body, i.position, i.speaker, i.committed_by, i.committed_group, " +
	"i.committed_due, i.removed, i.draft_key, i.standing, i.created_at, i.updated_at, i.draft_id, COALESCE(m.session_id, 0) AS session_id, " +
	"COALESCE(s.forum_id, 0) AS forum_id"

// Hit is a published input as the explorer lists it.
type Hit struct {
	Input
	SessionID int64 `bun:"session_id"`
	ForumID   int64 `bun:"forum_id"`
}

// Explore lists the inputs of a process that match f, the best matches first when searching
// and the newest first otherwise, with how many match in all.
func Explore(ctx context.Context, db bun.IDB, processID int64, f Filter) ([]Hit, int, error) {
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	match := func(q *bun.SelectQuery) *bun.SelectQuery {
		// Published minutes' inputs, and those heard on a published draft.
		q = q.Join("LEFT JOIN minutes AS m ON m.id = i.minutes_id").Join("LEFT JOIN sessions AS s ON s.id = m.session_id").
			Join("LEFT JOIN forums AS f ON f.id = s.forum_id").Join("LEFT JOIN drafts AS dr ON dr.id = i.draft_id").
			Where("i.process_id = ? AND NOT i.removed AND ((m.version > 0 AND f.status <> 'draft') OR dr.version > 0)", processID)
		if f.Kind != "" {
			q = q.Where("i.kind = ?", f.Kind)
		}
		if f.Standing != "" {
			q = q.Where("i.standing = ?", f.Standing)
		}
		if f.ForumID != 0 {
			q = q.Where("s.forum_id = ?", f.ForumID)
		}
		// IN, not EXISTS: the tag's own index then chooses the inputs, instead of every input
		// of the process being read to test it.
		if f.Topic != 0 {
			q = q.Where("i.id IN (SELECT it.input_id FROM input_topics AS it WHERE it.topic_id = ?)", f.Topic)
		}
		if f.Group != "" {
			q = q.Where("i.id IN (SELECT ig.input_id FROM input_groups AS ig WHERE ig.stakeholder_group = ?)", f.Group)
		}
		return q
	}
	words := strings.TrimSpace(f.Query)
	// One pass finds the matches in order, up to MaxCount+1 of them: their number is the count
	// (past MaxCount, "more than" is all a reader needs) and the page is a slice of them, so
	// the search and its filters run once, not once to list and again to count.
	ids := match(db.NewSelect().TableExpr("inputs AS i").Column("i.id"))
	switch {
	case words == "":
		ids = ids.OrderExpr("i.number DESC")
	case store.IsPostgres(db):
		// Read as Spanish and as English (the stored vector holds both): either language's
		// stems find it.
		const query = "(websearch_to_tsquery('spanish', ?) || websearch_to_tsquery('english', ?))"
		ids = ids.Where("i.search @@ "+query, words, words).OrderExpr("ts_rank(i.search, "+query+") DESC, i.number DESC", words, words)
	default:
		terms := ftsQuery(words)
		if terms == "" {
			return nil, 0, nil
		}
		// The matches first (CROSS JOIN keeps SQLite from reading every input and searching
		// the index once for each: seconds at 50,000 inputs, against milliseconds).
		ids = match(db.NewSelect().TableExpr("(SELECT rowid, rank FROM inputs_fts WHERE inputs_fts MATCH ?) AS ft CROSS JOIN inputs AS i", terms).
			Column("i.id")).Where("i.id = ft.rowid").OrderExpr("ft.rank, i.number DESC")
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	f.Offset = max(f.Offset, 0)
	var found []int64
	if err := ids.Limit(int64(max(MaxCount+1, f.Offset+f.Limit))).Scan(ctx, &found); err != nil {
		return nil, 0, fmt.Errorf("exploring the inputs of process %d: %w", processID, err)
	}
	total := min(len(found), MaxCount+1)
	page := found[min(f.Offset, len(found)):min(f.Offset+f.Limit, len(found))]
	if len(page) == 0 {
		return nil, total, nil
	}
	var rows []Hit
	if err := db.NewSelect().Model(&rows).ModelTableExpr("inputs AS i").Join("LEFT JOIN minutes AS m ON m.id = i.minutes_id").
		Join("LEFT JOIN sessions AS s ON s.id = m.session_id").ColumnExpr(hitColumns).Where("i.id IN (?)", bun.List(page)).Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("reading the inputs of process %d: %w", processID, err)
	}
	byID := make(map[int64]Hit, len(rows))
	for _, h := range rows {
		byID[h.ID] = h
	}
	hits := make([]Hit, 0, len(page))
	for _, id := range page {
		hits = append(hits, byID[id])
	}
	at := make(map[int64]*Input, len(hits))
	for i := range hits {
		at[hits[i].ID] = &hits[i].Input
	}
	return hits, total, loadTags(ctx, db, at)
}

// ftsQuery turns what a person typed into an FTS5 query that means "all these words, each as
// typed or longer": every word quoted, so no character of theirs is FTS5 syntax.
func ftsQuery(s string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, `"`+w+`"*`)
	}
	return strings.Join(terms, " ")
}

// Found is what Service.Explore answers.
type Found struct {
	Hits  []Hit
	Total int
}

// Explore runs the explorer's query in a transaction of its own, telling PostgreSQL that the
// index's pages cost little more to read than the table's (random_page_cost 1.1, as for any
// SSD): at its default of 4 it reads every input to test a common word (23 ms at 50,000
// inputs) instead of asking the text index (7 ms).
// On SQLite it runs without one: its transactions take the write lock at once
// (_txlock=immediate), which would queue every reader behind the others.
func (s *Service) Explore(ctx context.Context, processID int64, f Filter) (Found, error) {
	if !store.IsPostgres(s.DB) {
		hits, total, err := Explore(ctx, s.DB, processID, f)
		return Found{Hits: hits, Total: total}, err
	}
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Found, error) {
		if _, err := tx.ExecContext(ctx, "SET LOCAL random_page_cost = 1.1"); err != nil {
			return Found{}, err
		}
		hits, total, err := Explore(ctx, tx, processID, f)
		return Found{Hits: hits, Total: total}, err
	})
}
