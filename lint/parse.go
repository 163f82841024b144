package lint

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/sharecard/sharecard/render/strictyaml"
)

// ParseProblems turns the error of [layout.Load] or
// [layout.Parse] into problems, one per line of the error: the
// parser's field errors keep their file, line and column, and other lines
// of the form "file:line:col: message" or "file: message" are split the
// same way. It returns nil for a nil error.
func ParseProblems(err error) []Problem {
	if err == nil {
		return nil
	}
	var out []Problem
	var walk func(error)
	walk = func(err error) {
		var fe *strictyaml.FieldError
		switch e := err.(type) {
		case *strictyaml.FieldError:
			out = append(out, fieldProblem(e))
			return
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
			return
		case interface{ Unwrap() error }:
			if errors.As(err, &fe) {
				// A wrapper such as "layouts:\n%w" around field errors:
				// the field errors carry everything.
				walk(e.Unwrap())
				return
			}
		}
		for _, ln := range strings.Split(err.Error(), "\n") {
			if ln = strings.TrimSpace(ln); ln != "" && !strings.HasSuffix(ln, ":") {
				out = append(out, lineProblem(ln))
			}
		}
	}
	walk(err)
	return tidy(out)
}

func fieldProblem(e *strictyaml.FieldError) Problem {
	msg := e.Msg
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	return Problem{File: e.File, Line: e.Line, Col: e.Column, Rule: RuleParse, Message: msg}
}

// located matches "file:line:col: message", "file:line: message" and
// "file.yaml: message".
var located = regexp.MustCompile(`^([^:\s]+?)(?::(\d+))?(?::(\d+))?: (.+)$`)

func lineProblem(ln string) Problem {
	m := located.FindStringSubmatch(ln)
	if m == nil || (m[2] == "" && !strings.Contains(m[1], ".")) {
		return Problem{Rule: RuleParse, Message: ln}
	}
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	return Problem{File: m[1], Line: line, Col: col, Rule: RuleParse, Message: m[4]}
}
