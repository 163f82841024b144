package photo

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"slices"
	"testing"
)

var updateCascades = flag.Bool("update-cascades", false, "rewrite models/cascades.gob from the XML models")

// TestCascadeBlobMatchesXML checks the parsed models the finder loads
// (models/cascades.gob) are exactly what parseCascade makes of the XML
// models, so the blob can never drift from the files whose provenance
// models/README.md gives. With -update-cascades it rewrites the blob.
func TestCascadeBlobMatchesXML(t *testing.T) {
	parsed, err := parseModels()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(parsed))
	for name := range parsed {
		names = append(names, name)
	}
	slices.Sort(names)
	var models []blobModel
	for _, name := range names {
		models = append(models, blobModel{Name: name, Cascade: parsed[name].toBlob()})
	}
	want, err := encodeBlob(models)
	if err != nil {
		t.Fatal(err)
	}
	if *updateCascades {
		if err := os.WriteFile("models/cascades.gob", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(cascadeBlob, want) {
		t.Fatal("models/cascades.gob is not the XML models as parsed now: run go test ./render/photo -run CascadeBlob -update-cascades")
	}
	got, err := decodeBlob(cascadeBlob)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range parsed {
		if !reflect.DeepEqual(got[name], c) {
			t.Errorf("%s: the cascade read back from the blob differs from the parsed XML", name)
		}
	}
}
