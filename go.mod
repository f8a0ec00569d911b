module flick

go 1.26.8

require (
	github.com/AllenDang/cimgui-go v1.4.0
	github.com/asticode/go-astiav v0.16.0
	github.com/dustin/go-humanize v1.1.0
	github.com/go-gl/gl v0.0.0-20231021071112-07e5d0ea2e71
	github.com/x448/float16 v0.8.4
	golang.org/x/image v0.48.0
)

require (
	github.com/asticode/go-astikit v0.42.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
