module sharecard

go 1.26.0

require (
	github.com/disintegration/imaging v1.6.2
	github.com/esimov/pigo v1.4.6
	github.com/fogleman/gg v1.3.0
	github.com/gen2brain/webp v0.5.5
	github.com/go-text/typesetting v0.3.5
	golang.org/x/image v0.47.0
	golang.org/x/sync v0.25.0
	golang.org/x/term v0.48.0
	golang.org/x/text v0.43.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/ebitengine/purego v0.8.3 // indirect
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	github.com/tetratelabs/wazero v1.9.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
