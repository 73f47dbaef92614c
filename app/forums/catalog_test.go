package forums_test

import (
	"io/fs"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/frontend"
)

// TestCatalogs: every message id this package hands to the web layer is in both languages.
func TestCatalogs(t *testing.T) {
	t.Parallel()
	ids := []string{forums.CodeFormat, forums.CodeDate, forums.CodeEndsBefore, forums.CodeURL, forums.CodeVenue, forums.CodeOnline,
		forums.CodeStatus, forums.CodeKind, forums.CodeLocalTime, forums.CodeNoSuchTime, forums.CodeEndsFirst, forums.CodeOutside,
		forums.CodeRoomTaken, forums.CodeUnknownRoom, forums.CodeQAMode, forums.CodeLanguage, forums.CodeUnknownTopic,
		forums.CodePersonEmail, forums.CodeCapacity, forums.CodeSpeakerClash, forums.CodeTooMany, forums.CodeSessionsOutside,
		forums.CodeZoneFixed, forums.ErrCancelled.Code, forums.CodeTooLong, forums.CodeSlugDigits, forums.CodeRoomReserved}
	for _, lang := range []string{"es", "en"} {
		msgs := map[string]bool{}
		files, _ := fs.Glob(frontend.Locales(), lang+"/*.toml")
		for _, f := range files {
			var m map[string]any
			if _, err := toml.DecodeFS(frontend.Locales(), f, &m); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for id := range m {
				msgs[id] = true
			}
		}
		for _, id := range ids {
			if !msgs[id] {
				t.Errorf("%s: message %s is missing", lang, id)
			}
		}
	}
}
