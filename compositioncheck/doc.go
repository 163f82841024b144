// Package compositioncheck holds the tests that check where the engine
// puts the photo's subjects on every card it ships. It has no API.
//
// The rule: a subject a person can see in the photo (a face, a head, a
// person, an animal, an object), labelled by hand in testdata/labels.yaml
// in the pixels of the upright photo, stays whole and in view on every
// preset of every built-in layout, with room above a head, and nothing
// opaque is set over it; a small photo is never shrunk to a stamp in the
// middle of the card unless the plan chose an allowed fallback.
//
//   - TestCompositionMatrix plans every labelled photo, and exact
//     transforms of them made in the test (mirrored, shifted so a head
//     touches the frame's edge, shrunk to 500 px, and the people photos
//     enlarged 3× so the big canvases get them full bleed), on every preset of
//     every built-in layout with Engine.Prepare and Engine.PlanCard, as
//     the engine ships them, and checks each plan (see the test's doc
//     comment). Known failures are listed in testdata/known-failures.txt,
//     a list that only shrinks (-update-known rewrites it).
//   - TestCompositionTable, run by bench/composition.sh, writes the
//     photos × layouts table of subjects kept and covered.
//   - TestXMPRegion: a face the detector does not find, tagged in the
//     photo's XMP (MWG Regions), is kept and clear of the text.
//   - TestDrawLabels (-draw-labels DIR) draws the labels on copies of the
//     photos, for a person to check them.
//
// The photos and their licences are in testdata/photos/LICENSES.md; the
// photos of ../render/testdata/photos are labelled too (their licences
// are in ../render/testdata/LICENSES.md).
package compositioncheck
