// Package render turns a news article into share images for every
// platform, running the stages below in order; each is a package of its
// own with one rule:
//
//	article, layout, preset ──► photo (Prepare) ──► plan ──► paint ──► encode ──► Output
//	                            text ──────────────┘
//
// [Engine.Render] is the one call for a job. Callers that keep a photo
// for many cards (the server, the studio, lint) prepare it once with
// [Engine.Prepare] and then [Engine.Stream] outputs in the order they list
// presets; [Engine.PlanCard] gives the exact plan a card ships with.
//
// Rule: orchestration and parallelism only; the work is done by the stage
// packages, and nothing here writes files or talks to the network.
package render
