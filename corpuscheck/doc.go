// Package corpuscheck holds the tests that set the headline corpus
// (sharecard/corpus) the way the engine ships it. It has no API:
//
//   - TestCorpusMatrix plans every corpus entry on every preset of every
//     built-in layout and checks each headline for missing glyphs, text
//     outside its box or the safe area, a cut headline and a one-word last
//     line where a better break exists. Known failures are listed in
//     testdata/known-failures.txt; see that file.
//   - TestScriptGoldens compares one headline per script, drawn on the og
//     and instagram-story presets, with quarter-size PNGs in
//     testdata/golden (go test ./corpuscheck -run Goldens -update).
//   - TestTypeCompare, run by bench/typecompare.sh, writes sharecard's
//     text beside the same text set by headless Chromium with the same
//     fonts, for a person to look at.
package corpuscheck
