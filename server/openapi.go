package server

import _ "embed"

// openAPI is the OpenAPI 3 description of every route, served at
// /openapi.json; a test checks it against the routes.
//
//go:embed openapi.json
var openAPI []byte
