package registration

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/validate"
)

// WalkInInput is someone who came to the door without registering, as the desk writes them
// down: a name, a stakeholder group, an organisation and an address when they give them.
type WalkInInput struct {
	Name, Email, Group, Organisation string
}

// WalkIn registers someone at the door, confirmed and checked in at now, in person. They hold
// no place: they are in the room already, and the door decides who comes in. An address, when
// given, must be one, and not one already registered at the forum (that person checks in with
// their code, or is found by name).
func WalkIn(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, forumID int64, in WalkInInput) (Registration, error) {
	ff, err := loadForum(ctx, db, forumID)
	if err != nil {
		return Registration{}, err
	}
	var es validate.Errors
	in.Name, in.Organisation = strings.TrimSpace(in.Name), strings.TrimSpace(in.Organisation)
	es.Text("walkin_name", in.Name, 200)
	if in.Name == "" {
		es.Add("walkin_name", validate.Required, nil)
	}
	if strings.TrimSpace(in.Email) != "" {
		in.Email = es.Email("walkin_email", in.Email)
	} else {
		in.Email = ""
	}
	if !slices.Contains(ff.process.StakeholderGroups, in.Group) {
		es.Add("walkin_group", CodeGroup, nil)
	}
	es.Text("walkin_organisation", in.Organisation, 200)
	if in.Email != "" && !es.Has("walkin_email") {
		taken, err := db.NewSelect().Model((*Registration)(nil)).Where("forum_id = ? AND session_id = 0 AND email = ?", forumID, in.Email).Exists(ctx)
		if err != nil {
			return Registration{}, fmt.Errorf("the registrations of an address: %w", err)
		}
		if taken {
			es.Add("walkin_email", CodeWalkInRegistered, nil)
		}
	}
	if err := es.Err(); err != nil {
		return Registration{}, err
	}
	r := Registration{ForumID: forumID, Email: in.Email, Name: in.Name, Language: ff.process.Languages[0], Status: StatusConfirmed,
		Mode: ModeInPerson, Code: newCode(), CheckedInAt: &now, CreatedAt: now, UpdatedAt: now,
		Details: Details{Group: in.Group, Organisation: in.Organisation, Role: "participant", Languages: []string{}, Answers: Answers{}}}
	if _, err := db.NewInsert().Model(&r).Exec(ctx); err != nil {
		return Registration{}, fmt.Errorf("registering a walk-in at forum %d: %w", forumID, err)
	}
	return r, audit.Record(ctx, db, now, actor, "registration.walk_in", "registration", fmt.Sprint(r.ID), nil)
}
