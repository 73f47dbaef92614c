// Package schedtest checks schedule files against the official C3VOC schemas, for tests: the
// JSON against schedule.schema.json made strict (no member the schema does not name, formats
// asserted), the XML against schedule.xml.xsd with xmllint.
package schedtest

import (
	"bytes"
	"embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/convene/convene/app/schematest"
)

//go:embed schemas/schedule.schema.json schemas/schedule.xml.xsd
var schemas embed.FS

// strictJSON is the JSON schema with additionalProperties false on every object it describes,
// so a member the schema does not name fails: Schedule and Person allow others upstream. A
// person keeps the members of the pretalx person it must match, and the two person shapes of
// the oneOf stay open so that exactly one of them matches.
func strictJSON() (any, error) {
	raw, err := schemas.ReadFile("schemas/schedule.schema.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	defs := doc["definitions"].(map[string]any)
	person := defs["Person"].(map[string]any)
	props := person["properties"].(map[string]any)
	for k, v := range defs["PretalxPerson"].(map[string]any)["properties"].(map[string]any) {
		props[k] = v
	}
	var tighten func(node any, open bool)
	tighten = func(node any, open bool) {
		switch n := node.(type) {
		case map[string]any:
			if _, ok := n["properties"]; ok && !open {
				n["additionalProperties"] = false
			}
			for k, v := range n {
				if k == "enum" || k == "examples" || k == "const" {
					continue
				}
				tighten(v, false)
			}
		case []any:
			for _, v := range n {
				tighten(v, false)
			}
		}
	}
	for name, def := range defs {
		tighten(def, name == "FrabPerson" || name == "PretalxPerson" || name == "RoomFeatures")
	}
	tighten(doc["properties"], false)
	if _, ok := doc["properties"].(map[string]any)["generator"]; ok {
		doc["properties"].(map[string]any)["generator"].(map[string]any)["additionalProperties"] = false
	}
	// Back to the decoder the validator wants (numbers as json.Number).
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// CheckJSON fails t when body is not a valid, strict schedule.json.
func CheckJSON(t testing.TB, name string, body []byte) {
	t.Helper()
	doc, err := strictJSON()
	if err != nil {
		t.Fatalf("reading the schema: %v", err)
	}
	schematest.Check(t, "https://c3voc.de/schedule/schema.json", doc, name, body)
}

// SkipXML tells why XML checks are skipped ("" when they run): CONVENE_TEST_SKIP_XMLLINT=1
// skips them explicitly (make test-sqlite).
func SkipXML() string {
	if os.Getenv("CONVENE_TEST_SKIP_XMLLINT") == "1" {
		return "the XSD check is skipped: CONVENE_TEST_SKIP_XMLLINT=1"
	}
	return ""
}

// CheckXML fails t when body does not validate against schedule.xml.xsd (xmllint, from
// Debian's libxml2-utils, which make test installs). When SkipXML says so it skips t, visibly:
// call it last in a test, or in a subtest of its own.
func CheckXML(t testing.TB, name string, body []byte) {
	t.Helper()
	if why := SkipXML(); why != "" {
		t.Skip(why)
	}
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint is missing: run .ci/ensure-xmllint (make test does), or set CONVENE_TEST_SKIP_XMLLINT=1")
	}
	dir := t.TempDir()
	xsd, err := schemas.ReadFile("schemas/schedule.xml.xsd")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "schedule.xml.xsd"), xsd, 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "schedule.xml")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", filepath.Join(dir, "schedule.xml.xsd"), file).CombinedOutput()
	if err != nil {
		t.Errorf("%s does not validate against schedule.xml.xsd: %v\n%s", name, err, out)
	}
}
