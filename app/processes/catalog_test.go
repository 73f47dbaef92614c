package processes_test

import (
	"io/fs"
	"path"
	"slices"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/frontend"
)

// messageIDs lists every message id this package hands to the web layer.
func messageIDs() []string {
	ids := []string{
		validate.SlugCode, processes.CodeCode, processes.CodeLanguages, processes.CodeGroups, processes.CodeStatus,
		processes.CodeKind, processes.CodeTopicCode, validate.TimeZoneCode,
		validate.Required, validate.TooLong, validate.Taken, validate.Invalid,
	}
	for _, g := range processes.StandardStakeholderGroups() {
		ids = append(ids, "stakeholder."+g)
	}
	for _, s := range processes.Statuses() {
		ids = append(ids, "process.status."+s)
	}
	for _, k := range processes.Kinds() {
		ids = append(ids, "topic.kind."+k, "topic.kind."+k+".plural")
	}
	return ids
}

// catalog reads every file of one language: message id → the files defining it. Values are
// left undecoded: a message with plural forms is a table.
func catalog(t *testing.T, lang string) map[string][]string {
	t.Helper()
	files, err := fs.Glob(frontend.Locales(), lang+"/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogs for %s (%v)", lang, err)
	}
	out := map[string][]string{}
	for _, f := range files {
		var msgs map[string]any
		if _, err := toml.DecodeFS(frontend.Locales(), f, &msgs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for id := range msgs {
			out[id] = append(out[id], path.Base(f))
		}
	}
	return out
}

func TestCatalogs(t *testing.T) {
	for _, lang := range []string{"es", "en"} {
		t.Run(lang, func(t *testing.T) {
			cat := catalog(t, lang)
			for _, id := range messageIDs() {
				if len(cat[id]) == 0 {
					t.Errorf("message %s is missing", id)
				}
			}
			for id, files := range cat {
				if len(files) > 1 && slices.Contains(files, "processes.toml") {
					t.Errorf("message %s is defined in %v", id, files)
				}
			}
		})
	}
	// Both languages define the same messages in this package's catalog.
	var keys [2][]string
	for i, lang := range []string{"es", "en"} {
		var msgs map[string]any
		if _, err := toml.DecodeFS(frontend.Locales(), lang+"/processes.toml", &msgs); err != nil {
			t.Fatal(err)
		}
		for id := range msgs {
			keys[i] = append(keys[i], id)
		}
		slices.Sort(keys[i])
	}
	if !slices.Equal(keys[0], keys[1]) {
		t.Errorf("es and en processes.toml differ:\nes %v\nen %v", keys[0], keys[1])
	}
}
