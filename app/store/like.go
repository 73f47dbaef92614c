package store

import "strings"

// LikePattern matches, with LIKE ... ESCAPE '\' on a lower-cased column, whatever holds s in
// any case: the wildcards people type are only characters.
func LikePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(s)) + "%"
}
