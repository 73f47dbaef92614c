// Package schematest checks, in tests, that a document Convene emits follows its JSON Schema
// (santhosh-tekuri/jsonschema, formats asserted): the schedule exports, the open data.
package schematest

import (
	"bytes"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Check fails t when body, named name in messages, does not follow the schema doc (as
// jsonschema.UnmarshalJSON reads it) published at id.
func Check(t testing.TB, id string, doc any, name string, body []byte) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compiling the schema %s: %v", id, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", name, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s does not follow %s:\n%v", name, id, err)
	}
}
