// Package export will turn rendered frames into review movies with
// libavcodec (go-astiav): the GL thread draws each frame through the
// viewer's display passes into a downscale framebuffer, reads it back, and an
// encoder goroutine of this package converts it to BT.709 YUV and writes a
// .mov that is either complete or not there.
//
// Nothing is implemented here yet: this package holds the place the design
// gives it (ui -> export -> settings; export uses engine frames and render
// passes, never the UI). The export issue fills it.
package export
